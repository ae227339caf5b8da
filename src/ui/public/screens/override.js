// 人工处理: the volunteer admits or refuses the person at the gate by hand, with a reason (audited).
import { act, api, closeModal, h, ic, modal, tr } from '../core/index.js';

const OVERRIDE_REASONS = [
  ['手持体温枪复测正常', 'Handheld re-check normal'],
  ['已当面核验健康码', 'Health code checked in person'],
  ['医护或工作人员执行任务', 'Medical or staff on duty'],
  ['紧急就医', 'Medical emergency'],
];

export function overrideDialog(lane) {
  let decision = 'admit';
  const reason = h('input', { type: 'text', maxLength: 500, 'data-testid': 'override-reason', placeholder: tr('原因（必填）', 'Reason (required)') });
  const admitB = h('button.ok', { type: 'button', 'aria-pressed': 'true', onclick: () => pick('admit') }, ic('check'), tr('放行', 'Admit'));
  const refuseB = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => pick('refuse') }, ic('cross'), tr('拦截', 'Refuse'));
  const pick = (d) => {
    decision = d;
    admitB.className = d === 'admit' ? 'ok' : '';
    refuseB.className = d === 'refuse' ? 'bad' : '';
    admitB.setAttribute('aria-pressed', String(d === 'admit'));
    refuseB.setAttribute('aria-pressed', String(d === 'refuse'));
  };
  const err = h('p.err');
  modal([
    h('h2', {}, tr('人工处理（记入审计）', 'Override (audited)')),
    h('div.row', {}, admitB, refuseB),
    h('label', {}, tr('常用原因', 'Common reasons')),
    h('div.chips', {}, OVERRIDE_REASONS.map(([zh, en]) => h('button', { type: 'button', onclick: () => { reason.value = tr(zh, en); } }, tr(zh, en)))),
    h('label', {}, tr('原因', 'Reason')),
    reason,
    err,
    h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel')), h('button.info', { type: 'button', 'data-testid': 'override-ok', onclick: act(async () => {
      try {
        await api('POST', `/api/lanes/${encodeURIComponent(lane)}/override`, { decision, reason: reason.value });
        closeModal();
      } catch (e) {
        err.textContent = e.message;
      }
    }) }, ic('check'), tr('确认', 'Confirm'))),
  ]);
}
