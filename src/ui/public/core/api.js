// The client of the kiosk API: JSON in and out, errors as {code, zh, en} shown in the page's language.
import { tr } from './i18n.js';
import { view } from './state.js';

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const json = (r.headers.get('content-type') ?? '').includes('json') ? await r.json() : null;
  if (!r.ok) {
    if (json?.code === 'UNAUTHENTICATED' || json?.code === 'SESSION_LOCKED') void view.signIn();
    const err = new Error(json ? tr(json.zh, json.en) : `HTTP ${r.status}`);
    err.body = json;
    throw err;
  }
  return json;
}
