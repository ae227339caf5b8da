// The verdict, full screen, for the person at the gate to read from 2 m: the whole panel in green, red or
// amber with an icon, the word and the temperature in large type (≥ 15 mm letters on a 7" 800×480 panel).
// It gives way to the working view after kiosk.verdictSeconds, at a tap, or when the next person scans.
import { h, ic, S, subjectText, tr, trText } from '../core/index.js';

/** [colour class, icon, zh, en] of a decided passage. An override says whether the person may go: 放行 / 不放行. */
export function verdictOf(p) {
  if (p.outcome === 'overridden') {
    const admit = (p.reasons ?? []).some((r) => r.code === 'override.admit');
    return admit ? ['ok', 'hand', '人工放行', 'Let through'] : ['bad', 'hand', '人工不放行', 'Not let through'];
  }
  if (p.outcome === 'abandoned' && (p.reasons ?? []).some((r) => r.code === 'passage.timeout')) return ['warn', 'clock', '已超时', 'Timed out'];
  return (
    {
      admitted: ['ok', 'check', '准予通行', 'Admitted'],
      refused: ['bad', 'cross', '禁止通行', 'Refused'],
      abandoned: ['warn', 'clock', '已取消', 'Cancelled'],
    }[p.outcome] ?? ['warn', 'clock', '已取消', 'Cancelled']
  );
}

let timer = null;

/** Shows `p`'s verdict full screen, or takes the verdict away (null). */
export function showVerdict(p) {
  clearTimeout(timer);
  document.getElementById('verdict')?.remove();
  if (!p) return;
  const [cls, icon, zh, en] = verdictOf(p);
  const temp = p.temperatures?.at(-1);
  const hot = temp && temp.celsius >= (S.live?.feverThreshold ?? 37.3);
  const why = (p.reasons ?? []).filter((r) => r.code !== 'passage.admitted').map(trText)[0];
  const dir = p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In');
  const el = h(
    `div.verdict.${cls}`,
    { id: 'verdict', role: 'alert', 'data-testid': 'verdict', 'data-outcome': p.outcome, 'data-passage': p.id, onclick: () => showVerdict(null) },
    h('div.v-head', {}, ic(icon), h('span.v-word', { 'data-testid': 'verdict-word' }, tr(zh, en))),
    temp ? h(`div.v-temp${hot ? '.hot' : ''}`, { 'data-testid': 'verdict-temp' }, ic('thermo'), `${temp.celsius.toFixed(1)} ℃`) : null,
    h('div.v-sub', {}, `${dir} · ${subjectText(p.subject)}`),
    why ? h('div.v-why', {}, why) : null,
    h('div.v-hint', {}, tr('轻触屏幕返回', 'Tap to go back')),
  );
  document.body.append(el);
  timer = setTimeout(() => showVerdict(null), (S.status?.verdictSeconds ?? 5) * 1000);
}
