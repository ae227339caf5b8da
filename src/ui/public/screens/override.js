// 人工处理: the volunteer lets the person go (放行) or not (不放行) by hand, with a reason (audited).
// After a critical refusal (fever, quarantine, risk area, red code, sealed zone …) the dialog starts on
// the safe choice, 不放行; a choice the gate does not take (too late, nothing to decide) is said here.
import { act, api, closeModal, h, ic, modal, S, tr } from '../core/index.js';

const OVERRIDE_REASONS = [
  ['手持体温枪复测正常', 'Handheld re-check normal'],
  ['已当面核验健康码', 'Health code checked in person'],
  ['医护或工作人员执行任务', 'Medical or staff on duty'],
  ['紧急就医', 'Medical emergency'],
];

/** Refusals where letting the person go is the dangerous mistake. */
const CRITICAL = /^(temp\.fever|quarantine\.|risk\.|code\.red|zone\.|visitor\.no-escort|card\.(revoked|bad-signature|unknown-key|wrong-site))/;

/** The passage the override is about: the one in progress, else the lane's last refusal. */
function subjectOf(laneId) {
  const lane = S.live?.lanes.find((l) => l.id === laneId);
  if (lane?.stage !== 'idle' && lane?.passage) return lane.passage;
  return S.lastDecided[laneId];
}

export function overrideDialog(lane) {
  const p = subjectOf(lane);
  const critical = (p?.reasons ?? []).some((r) => CRITICAL.test(r.code));
  let decision = critical ? 'refuse' : 'admit';
  const reason = h('input', { type: 'text', maxLength: 500, 'data-testid': 'override-reason', placeholder: tr('原因（必填）', 'Reason (required)') });
  const admitB = h('button', { type: 'button', 'data-testid': 'override-admit', onclick: () => pick('admit') }, ic('check'), tr('放行', 'Let through'));
  const refuseB = h('button', { type: 'button', 'data-testid': 'override-refuse', onclick: () => pick('refuse') }, ic('cross'), tr('不放行', 'Do not let through'));
  const pick = (d) => {
    decision = d;
    admitB.className = d === 'admit' ? 'ok' : '';
    refuseB.className = d === 'refuse' ? 'bad' : '';
    admitB.setAttribute('aria-pressed', String(d === 'admit'));
    refuseB.setAttribute('aria-pressed', String(d === 'refuse'));
  };
  pick(decision);
  const err = h('p.err', { 'data-testid': 'override-error' });
  modal([
    h('h2', {}, tr('人工处理（记入审计）', 'Override (audited)')),
    critical ? h('p.warnline', {}, ic('warn'), tr('此人因严重原因被拦，默认不放行', 'Refused for a serious reason: not letting through is preselected')) : null,
    h('div.row', {}, admitB, refuseB),
    h('label', {}, tr('常用原因', 'Common reasons')),
    h('div.chips', {}, OVERRIDE_REASONS.map(([zh, en]) => h('button', { type: 'button', onclick: () => { reason.value = tr(zh, en); } }, tr(zh, en)))),
    h('label', {}, tr('原因', 'Reason')),
    reason,
    err,
    h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel')), h('button.info', { type: 'button', 'data-testid': 'override-ok', onclick: act(async () => {
      try {
        const r = await api('POST', `/api/lanes/${encodeURIComponent(lane)}/override`, { decision, reason: reason.value });
        // Not taken (too late, nobody to decide on): the dialog stays and says why.
        if (r?.accepted === false) err.textContent = tr(r.ignored.zh, r.ignored.en);
        else closeModal();
      } catch (e) {
        err.textContent = e.message;
      }
    }) }, ic('check'), tr('确认', 'Confirm'))),
  ]);
}
