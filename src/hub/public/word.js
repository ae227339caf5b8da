// The word to the gates: a compound's zone level (with a second confirmation), its risk-area list
// (pasted, one a line), and (./word-forms.js) revocations, thresholds, quarantine and a roster
// spreadsheet, each previewed (version, gates, what they have now) and then sent; below, the
// history of every update with who sent it and each gate's answer: pending / applied / rejected (why).
import { api, badge, can, fmtTime, h, ic, S, toast, tr } from './core.js';
import { moreForms } from './word-forms.js';

export const ZONES = { normal: ['ok', '常态', 'Normal'], precaution: ['info', '防范', 'Precaution'], controlled: ['warn', '管控', 'Controlled'], sealed: ['bad', '封控', 'Sealed'] };
const zoneName = (z) => (ZONES[z] ? tr(ZONES[z][1], ZONES[z][2]) : (z ?? '—'));
const RESULT = { pending: ['muted', 'clock', '等待', 'Pending'], applied: ['ok', 'check', '已应用', 'Applied'], rejected: ['bad', 'cross', '已拒绝', 'Rejected'] };

const sample = (n, list) => (list?.length ? ` (${list.join('、')}${n > list.length ? '…' : ''})` : '');
export const THRESHOLDS = {
  feverThreshold: ['发热阈值 ℃', 'Fever threshold ℃'],
  temperatureFloor: ['体温下限 ℃', 'Temperature floor ℃'],
  riskAreaLookbackDays: ['风险地区回溯天数', 'Risk-area lookback (days)'],
  nucleicTestMaxAgeHours: ['核酸有效期（小时）', 'Test valid for (hours)'],
  healthStatusMaxAgeMinutes: ['健康码有效期（分钟）', 'Health code valid for (minutes)'],
  householdQuotaDays: ['每户外出间隔（天）', 'Household outing every (days)'],
  vaccinationRequired: ['需接种疫苗', 'Vaccination required'],
};
const yesNo = (v) => (v === true ? tr('是', 'yes') : v === false ? tr('否', 'no') : v === null ? tr('不要求', 'none') : v);

function summaryText(u) {
  const s = u.summary;
  if (u.kind === 'zone') return `${tr('防控等级', 'Zone level')} → ${zoneName(s.level)}`;
  if (u.kind === 'announcements') return `${tr('广播通知', 'Announcements')}: ${s.announcements} ${tr('条', '')} ${s.sample?.length ? `(${s.sample.join('、')}${s.announcements > s.sample.length ? '…' : ''})` : ''}`;
  if (u.kind === 'revocations') return `${tr('吊销通行证', 'Revoked cards')}: ${s.cards} ${tr('张', '')}${sample(s.cards, s.sample)}`;
  if (u.kind === 'policy') return `${tr('防控阈值', 'Thresholds')}: ${Object.entries(s.thresholds ?? {}).map(([k, v]) => `${THRESHOLDS[k] ? tr(...THRESHOLDS[k]) : k} = ${yesNo(v)}`).join('，')}`;
  if (u.kind === 'quarantine') return `${tr('隔离', 'Quarantine')}: ${tr('设置', 'set')} ${s.set} · ${tr('解除', 'released')} ${s.released}${sample(s.set + s.released, s.persons)}`;
  if (u.kind === 'roster/delta') return `${tr('花名册', 'Roster')} ${s.file ?? ''}: ${s.households} ${tr('户', 'households')} · ${s.persons} ${tr('人', 'persons')} · ${s.cards} ${tr('张卡', 'cards')}`;
  return `${tr('风险地区', 'Risk areas')}: ${u.summary.areas} ${tr('条', '')} ${u.summary.sample?.length ? `(${u.summary.sample.join('、')}${u.summary.areas > u.summary.sample.length ? '…' : ''})` : ''}`;
}

/** The preview of an update (its version, each gate and what it has), a second confirmation and the send (`send(confirm)`; default: the JSON draft). */
export function previewPanel(p, draft, done, send = (confirm) => api('POST', '/office/api/word/send', { ...draft, confirm })) {
  const panel = h('div.preview', { 'data-testid': 'preview' });
  const what = p.kind === 'zone' ? `${tr('防控等级', 'Zone level')}: ${zoneName(p.body.level)}` : p.kind === 'announcements' ? `${tr('广播通知', 'Announcements')}: ${p.body.announcements.length}` : p.kind === 'risk-areas' ? `${tr('风险地区', 'Risk areas')}: ${p.body.areas.length}` : summaryText(p);
  const confirmBox = h('div');
  panel.append(
    ...[
    h('h3', {}, ic('send'), `${tr('预览', 'Preview')} · ${p.site} · ${what} · ${tr('版本', 'version')} ${p.version}`),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, [tr('卡口', 'Gate'), tr('连接', 'Link'), tr('当前版本', 'Current version'), p.kind === 'zone' ? tr('当前等级', 'Current level') : null].filter(Boolean).map((t) => h('th', {}, t)))),
      h('tbody', {}, p.gates.map((g) => h('tr', {}, h('td', {}, g.gate), h('td', {}, g.online ? badge('ok', 'check', tr('在线', 'Online')) : badge('bad', 'cross', tr('离线（回来后收到）', 'Offline (gets it on return)'))), h('td', {}, g.currentVersion), p.kind === 'zone' ? h('td', {}, zoneName(g.currentZone)) : null))),
    ),
    p.kind === 'risk-areas' && p.body.areas.length ? h('p.muted', {}, p.body.areas.slice(0, 20).join('、'), p.body.areas.length > 20 ? ' …' : '') : null,
    h('button.primary', { type: 'button', 'data-testid': 'word-next', onclick: () => confirmBox.replaceChildren(second()) }, ic('send'), tr('下发…', 'Send…')),
    confirmBox,
    ].filter(Boolean),
  );
  function second() {
    const from = p.kind === 'zone' ? [...new Set(p.gates.map((g) => zoneName(g.currentZone)))].join('/') : null;
    const text = p.kind === 'announcements'
      ? tr(`确认向 ${p.site} 的 ${p.gates.length} 个卡口下发 ${p.body.announcements.length} 条广播通知（替换指挥部之前下发的通知）？`, `Send ${p.body.announcements.length} notices to ${p.gates.length} gates of ${p.site} (replacing the office's notices they have)?`)
      : p.kind === 'zone'
      ? tr(`确认将 ${p.site} 的防控等级由「${from}」调整为「${zoneName(p.body.level)}」？共 ${p.gates.length} 个卡口，将立即按新等级放行。`, `Change ${p.site}'s zone level from "${from}" to "${zoneName(p.body.level)}"? ${p.gates.length} gates will admit by the new level at once.`)
      : p.kind !== 'risk-areas'
      ? tr(`确认向 ${p.site} 的 ${p.gates.length} 个卡口下发：${summaryText(p)}？`, `Send to ${p.gates.length} gates of ${p.site}: ${summaryText(p)}?`)
      : tr(`确认向 ${p.site} 的 ${p.gates.length} 个卡口下发 ${p.body.areas.length} 条风险地区（替换原名单）？`, `Send ${p.body.areas.length} risk areas to ${p.gates.length} gates of ${p.site} (replacing their list)?`);
    return h(
      'div.confirm',
      { role: 'alertdialog', 'data-testid': 'word-confirm' },
      h('p', {}, ic('warn'), text),
      h(
        'button.danger',
        {
          type: 'button',
          'data-testid': 'word-send',
          onclick: async (e) => {
            e.target.disabled = true;
            const editsSince = S.edits;
            try {
              await send(p.confirm);
              toast(tr('已下发', 'Sent'));
              await done({ editsSince });
            } catch (err) {
              toast(err.message);
              e.target.disabled = false;
            }
          },
        },
        ic('check'),
        tr('确认下发', 'Confirm and send'),
      ),
      h('button', { type: 'button', onclick: () => panel.remove() }, tr('取消', 'Cancel')),
    );
  }
  return panel;
}

function forms(sites, refresh) {
  const site = h('select', { name: 'site', 'aria-label': tr('小区', 'Compound') }, sites.map((s) => h('option', { value: s }, s)));
  const out = h('div');
  let level = null;
  const levelButtons = Object.entries(ZONES).map(([k, [cls, zh, en]]) =>
    h('button', { type: 'button', 'data-testid': `zone-${k}`, 'data-level': k, class: `zone ${cls}`, 'aria-pressed': 'false', onclick: (e) => {
      level = k;
      for (const b of e.currentTarget.parentElement.children) b.setAttribute('aria-pressed', String(b.dataset.level === k));
    } }, tr(zh, en)),
  );
  const areas = h('textarea', { name: 'areas', rows: 4, 'data-testid': 'areas', placeholder: tr('每行一个地区，如：XX省XX市XX区（可直接粘贴）', 'One area a line, e.g. Province City District (paste a list)'), 'aria-label': tr('风险地区', 'Risk areas') });
  const preview = async (draft) => {
    try {
      const p = await api('POST', '/office/api/word/preview', draft);
      out.replaceChildren(previewPanel(p, draft, refresh));
    } catch (err) {
      toast(err.message);
    }
  };
  return h(
    'section.word',
    {},
    h('label', {}, `${tr('小区', 'Compound')} `, site),
    h('h3', {}, tr('防控等级', 'Zone level')),
    h('div.zones', {}, levelButtons),
    h('button.primary', { type: 'button', 'data-testid': 'zone-preview', onclick: () => (level ? preview({ kind: 'zone', site: site.value, level }) : toast(tr('请选择防控等级', 'Choose a zone level'))) }, tr('预览', 'Preview')),
    h('h3', {}, tr('风险地区名单', 'Risk-area list')),
    areas,
    h('button.primary', { type: 'button', 'data-testid': 'areas-preview', onclick: () => preview({ kind: 'risk-areas', site: site.value, areas: areas.value }) }, tr('预览', 'Preview')),
    out,
    ...moreForms(() => site.value, refresh),
  );
}

export async function wordScreen(main, { refresh }) {
  const [{ updates }, overview] = await Promise.all([api('GET', '/office/api/word/history'), api('GET', '/office/api/overview')]);
  const sites = [...new Set(overview.gates.map((g) => g.site))];
  main.append(h('h2', {}, ic('send'), tr('下发指令', 'Word to the gates')));
  if (can('downlink.send')) main.append(forms(sites, refresh));
  main.append(
    h('h2', {}, ic('list'), tr('下发记录', 'History')),
    h('p.muted', {}, tr('在线但未应答的卡口会自动重发最新版本，直至应答；离线卡口回来后自动收到。', 'The latest update is sent again to online gates that have not answered, until they do; an offline gate gets it when it returns.')),
    historyTable(updates),
  );
}

/** Every update sent, newest first, with who sent it and each gate's answer. */
export function historyTable(updates) {
  return updates.length
      ? h(
          'table.stack',
          { 'data-testid': 'word-history' },
          h('thead', {}, h('tr', {}, [tr('时间', 'When'), tr('下发人', 'Sent by'), tr('小区', 'Compound'), tr('内容', 'What'), tr('版本', 'Version'), tr('各卡口结果', 'Per gate')].map((t) => h('th', {}, t)))),
          h(
            'tbody',
            {},
            updates.map((u) =>
              h(
                'tr',
                { 'data-testid': 'word-row' },
                h('td', {}, fmtTime(u.sentAt)),
                h('td', {}, u.sentBy),
                h('td', {}, u.site),
                h('td', {}, summaryText(u)),
                h('td', {}, u.version),
                h('td', {}, u.answers.map((a) => h('div', { 'data-testid': `answer-${a.gate}`, 'data-result': a.result }, `${a.gate} `, badge(RESULT[a.result][0], RESULT[a.result][1], tr(RESULT[a.result][2], RESULT[a.result][3])), a.reasons.length ? ` ${a.reasons.map((r) => tr(r.zh, r.en)).join('；')}` : '', a.resent ? h('span.muted', { 'data-testid': 'resent', title: fmtTime(a.resentAt) }, ` · ${tr(`已重发 ${a.resent} 次`, `resent ${a.resent}×`)}`) : null))),
              ),
            ),
          ),
        )
      : h('p.muted', {}, tr('尚无下发记录', 'Nothing sent yet'));
}
