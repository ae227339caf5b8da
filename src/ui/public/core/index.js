// The kiosk page's core, in one import for the screens: state, i18n, DOM building and icons (from the
// pages' shared core, src/page-core/, served at /assets/page-core/), the API client, shared widgets.
export { api } from './api.js';
export { h, ic } from '/assets/page-core/h.js';
export { hhmm, subjectText, tr, trText, villageTime, villageToday } from './i18n.js';
export { liveVisible, S, view } from './state.js';
export { closeKeyboard, installKeyboard, openKeyboard } from './keyboard.js';
export { showSheet } from './sheet.js';
export { actorWord, auditWord, deviceKindWord, driverWord, SEVERITY_CLASS, severityWord } from './words.js';
export { cue, setVoice } from './sound.js';
export { act, answered, closeModal, dayField, langButton, modal, notify, numberPad, onModalClose, toast } from './widgets.js';
