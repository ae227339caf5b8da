// The client of the kiosk API (the pages' shared client, src/page-core/api.js): a refusal that says
// the session is gone or locked brings the sign-in screen back.
import { apiClient } from '/assets/page-core/api.js';
import { tr } from './i18n.js';
import { view } from './state.js';

export const api = apiClient({
  tr,
  refused: (json) => {
    if (json?.code === 'UNAUTHENTICATED' || json?.code === 'SESSION_LOCKED') void view.signIn();
  },
});
