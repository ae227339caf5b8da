// The result on the phone: the declaration code(s) as QR codes drawn on the server (SVG, no script
// needed) and a plain summary, masked where a stranger could read over a shoulder. zh-CN first.
import { qrSvg } from '../../cards/qr-svg.js';
import type { DeclarationOutcome } from '../../gate/declaration-outcome.js';
import type { Text } from '../../gate/model.js';
import type { DeclarationRecord } from '../../store/declaration-types.js';
import { maskPhone, maskResidentId } from '../../store/mask.js';

export interface ResultPageInput {
  siteName: string;
  declaration: DeclarationRecord;
  codes: { household?: string; persons: string[] };
  outcomes: Array<{ outcome: DeclarationOutcome; risky: string[]; text: Text }>;
  timeZone: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const RANK: DeclarationOutcome[] = ['ok', 'escort', 'quarantine', 'refuse'];
const LOOK: Record<DeclarationOutcome, { cls: string; icon: string }> = {
  ok: { cls: 'ok', icon: '✔' },
  escort: { cls: 'warn', icon: '!' },
  quarantine: { cls: 'warn', icon: '⌂' },
  refuse: { cls: 'bad', icon: '✖' },
};

const untilFormats = new Map<string, Intl.DateTimeFormat>();
/** "12/7 09:30" in the village's zone (a formatter per zone, made once: making one costs about a millisecond). */
function untilText(ms: number, timeZone: string): string {
  let f = untilFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    untilFormats.set(timeZone, f);
  }
  return f.format(new Date(ms));
}

function qr(code: string): string {
  return qrSvg(code, undefined, 4).replace('<svg ', '<svg class="qr" role="img" aria-label="申报码 declaration code" ');
}

export function resultPage(o: ResultPageInput): string {
  const d = o.declaration;
  const worst = o.outcomes.reduce<DeclarationOutcome>((a, b) => (RANK.indexOf(b.outcome) > RANK.indexOf(a) ? b.outcome : a), 'ok');
  const until = untilText(d.expiresAt, o.timeZone);
  const first = d.members[0];
  const banner = o.outcomes.find((x) => x.outcome === worst)?.text ?? { zh: '', en: '' };
  const person = (i: number) => {
    const m = d.members[i];
    const oc = o.outcomes[i];
    if (!m || !oc) return '';
    const look = LOOK[oc.outcome];
    return `<li class="person"><p class="name">${esc(m.name)} <span class="muted">${esc(maskResidentId(m.idNumber))}</span></p>
<p class="tag ${look.cls}"><span aria-hidden="true">${look.icon}</span> ${esc(oc.text.zh)}<br><small>${esc(oc.text.en)}</small></p>
${m.symptoms.length ? `<p class="tag warn">自述症状 Symptoms: ${esc(m.symptoms.join('、'))}</p>` : ''}
${o.codes.persons[i] && d.members.length > 1 ? `<details><summary>单人码 This person's own code</summary>${qr(o.codes.persons[i] as string)}</details>` : ''}</li>`;
  };
  const main = o.codes.household ?? o.codes.persons[0] ?? '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>健康申报结果 · ${esc(o.siteName)}</title><link rel="stylesheet" href="/declare.css"></head>
<body class="result" data-testid="result">
<header><h1>${d.kind === 'visit' ? '健康申报' : '返乡报备'} · ${esc(o.siteName)}</h1><p class="en">${d.kind === 'visit' ? 'Health declaration' : 'Coming back home'}</p></header>
<p class="banner ${LOOK[worst].cls}" data-testid="outcome"><span aria-hidden="true">${LOOK[worst].icon}</span> ${esc(banner.zh)}<br><small>${esc(banner.en)}</small></p>
<section class="code"><h2>到卡口出示此码 <small>Show this code at the gate</small></h2>
${main ? qr(main) : ''}
<p>${d.members.length > 1 ? `全家 ${d.members.length} 人一码 · One code for all ${d.members.length}` : esc(first?.name ?? '')} · 有效至 ${esc(until)} <small>valid until</small></p></section>
<section><h2>申报内容 <small>What you declared</small></h2><ul class="people">${d.members.map((_, i) => person(i)).join('')}</ul>
<dl><dt>手机 Phone</dt><dd>${esc(maskPhone(first?.phone ?? ''))}</dd><dt>从何处来 From</dt><dd>${esc(first?.origin ?? '')}</dd>
<dt>14天行程 Travel</dt><dd>${esc(first?.travel.join('、') || '无 none')}</dd>${first?.host ? `<dt>拜访 Visiting</dt><dd>${esc(first.host)}</dd>` : ''}${first?.purpose ? `<dt>事由 Purpose</dt><dd>${esc(first.purpose)}</dd>` : ''}</dl></section>
<p class="muted">可截图保存；用本手机再次打开申报页也能看到此码。<br>Keep a screenshot; this phone shows the code again when you reopen the page.</p>
<p><a class="button" href="/?new=1">再填一份 New declaration</a></p>
</body></html>`;
}

export function notFoundPage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>找不到申报</title><link rel="stylesheet" href="/declare.css"></head>
<body><p class="banner bad" data-testid="not-found">✖ 找不到这份申报，或已过期<br><small>No such declaration, or it has expired</small></p><p><a class="button" href="/?new=1">重新填报 Declare again</a></p></body></html>`;
}
