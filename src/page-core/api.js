// The pages' API client: JSON in and out; a refusal ({code, zh, en} from the server) is thrown as an
// Error in the page's language, with the HTTP status and the body on it.
//   tr(zh, en)       the page's language
//   headers(method)  extra headers of a call (the office's CSRF token)
//   refused(body)    told of every refusal before it is thrown (the kiosk signs in again on UNAUTHENTICATED)
export function apiClient({ tr, headers = () => ({}), refused = () => {} }) {
  return async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: headers(method) };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    const json = (r.headers.get('content-type') ?? '').includes('json') ? await r.json() : null;
    if (!r.ok) {
      refused(json);
      const err = new Error(json?.zh ? tr(json.zh, json.en) : `HTTP ${r.status}`);
      err.status = r.status;
      err.body = json;
      throw err;
    }
    return json;
  };
}
