// A printable page (visitor slip, card sheet) shown inside the kiosk, over the whole screen, with a way
// back and a print button: no new window to strand the volunteer. The kiosk browser runs with
// --kiosk-printing, so 打印 goes straight to the default printer.
import { h, ic } from '/assets/page-core/h.js';
import { tr } from './i18n.js';

export function showSheet(url, title) {
  document.getElementById('sheet')?.remove();
  const frame = h('iframe', { src: url, title, 'data-testid': 'sheet-frame' });
  const close = () => document.getElementById('sheet')?.remove();
  const el = h(
    'div.sheet-view',
    { id: 'sheet', role: 'dialog', 'aria-modal': 'true', 'data-testid': 'sheet' },
    h('div.sheet-bar', {},
      h('button.info', { type: 'button', 'data-testid': 'sheet-back', onclick: close }, ic('left'), tr('返回', 'Back')),
      h('span.sheet-title', {}, title),
      h('button.ok', { type: 'button', 'data-testid': 'sheet-print', onclick: () => frame.contentWindow?.print() }, ic('print'), tr('打印', 'Print'))),
    frame,
  );
  document.body.append(el);
  return el;
}
