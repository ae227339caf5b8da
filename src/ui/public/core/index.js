// The kiosk page's core, in one import for the screens: state, i18n, DOM building, the API client, shared widgets.
export { api } from './api.js';
export { h, ic } from './h.js';
export { hhmm, subjectText, tr, trText, villageTime, villageToday } from './i18n.js';
export { liveVisible, S, view } from './state.js';
export { act, closeModal, langButton, modal, numberPad, onModalClose, toast } from './widgets.js';
