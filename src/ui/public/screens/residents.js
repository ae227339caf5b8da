// Residents and households (一户一档): search, household view, pass cards (issue, print, revoke), roster import.
import { act, api, closeModal, h, ic, modal, S, showSheet, toast, tr } from '../core/index.js';

const CAT = { 'elderly-alone': ['独居老人', 'Elderly alone'], pregnant: ['孕产妇', 'Pregnant'], disabled: ['残疾人', 'Disabled'], 'limited-mobility': ['行动不便', 'Limited mobility'], dialysis: ['透析', 'Dialysis'], 'mental-illness': ['精神疾病', 'Mental illness'], chronic: ['慢性病', 'Chronic'], tenant: ['租户', 'Tenant'], 'returnee-abroad': ['境外返回', 'From abroad'], 'close-contact': ['密接', 'Close contact'], 'secondary-contact': ['次密接', 'Secondary contact'], 'risk-area-arrival': ['中高风险地区来人', 'From risk area'], staff: ['工作人员', 'Staff'], medical: ['医护', 'Medical'] };
const CARD = { household: ['户卡', 'Household'], person: ['人卡', 'Person'], vehicle: ['车证', 'Vehicle'], staff: ['工作证', 'Staff'], visitor: ['访客', 'Visitor'] };

/** Revoking is final: the volunteer confirms and says why (the reason goes to the audit log and the hub). */
function revokeDialog(card, after) {
  const reasons = [['遗失', 'Lost'], ['损坏', 'Damaged'], ['迁出', 'Moved away'], ['发错', 'Issued by mistake']];
  modal([
    h('h2', {}, ic('warn'), tr(`注销出入证 ${card.id}？注销后此卡不能再通行。`, `Revoke card ${card.id}? It will no longer open the gate.`)),
    h('div.chips', {}, reasons.map(([zh, en]) => h('button.bad', { type: 'button', 'data-reason': zh, onclick: act(async () => {
      await api('POST', `/api/cards/${encodeURIComponent(card.id)}/revoke`, { reason: zh });
      closeModal();
      toast(tr('已注销', 'Revoked'));
      await after();
    }) }, tr(zh, en)))),
    h('div.row', { style: 'margin-top:8px' }, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('不注销', 'Keep the card'))),
  ]);
}

export function residentsScreen(main) {
  const admin = S.status.session?.role === 'admin';
  const q = h('input', { type: 'search', placeholder: tr('户号、地址或姓名', 'Household, address or name'), 'data-testid': 'resident-search' });
  const results = h('ul.list', { 'data-testid': 'households' });
  const detail = h('section.card', { 'data-testid': 'household' }, h('p', {}, tr('选择一户查看一户一档', 'Pick a household to see its record')));
  async function search() {
    const list = await api('GET', `/api/households?text=${encodeURIComponent(q.value.trim())}`);
    results.replaceChildren(...(list.length ? list.map((hh) => h('li', {}, h('span.grow', {}, `${hh.id} · ${hh.address}`), h('button', { type: 'button', onclick: act(() => open(hh.id)) }, ic('home'), tr('查看', 'Open')))) : [h('li', {}, tr('没有找到', 'Nothing found'))]));
  }
  async function open(id) {
    const r = await api('GET', `/api/households/${encodeURIComponent(id)}`);
    const active = r.cards.filter((c) => !c.revokedAt);
    detail.replaceChildren(
      h('h2', {}, ic('home'), `${r.household.id} · ${r.household.address}`),
      h('p', {}, tr(`户籍 ${r.household.registeredResidents ?? '—'} 人，实住 ${r.household.actualResidents ?? '—'} 人`, `Registered ${r.household.registeredResidents ?? '—'}, living here ${r.household.actualResidents ?? '—'}`)),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, tr('姓名', 'Name')), h('th', {}, tr('身份证', 'ID')), h('th', {}, tr('情况', 'Notes')), admin ? h('th', {}, '') : null)),
        h('tbody', {}, r.persons.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.idNumber ?? '—'),
          h('td', {}, [...p.categories.map((c) => (CAT[c] ? tr(...CAT[c]) : c)), p.quarantine ? tr('居家隔离', 'Home quarantine') : null].filter(Boolean).join('、') || '—'),
          admin ? h('td', {}, h('button', { type: 'button', onclick: act(async () => { await api('POST', '/api/cards', { type: 'person', personId: p.id }); toast(tr('已发人卡', 'Person card issued')); await open(id); }) }, ic('qr'), tr('发人卡', 'Person card'))) : null)))),
      h('h2', {}, tr(`出入证（有效 ${active.length}）`, `Pass cards (${active.length} active)`)),
      h('ul.list', {}, r.cards.map((c) => h('li', {}, h('span.grow', {}, `${tr(...(CARD[c.type] ?? [c.type, c.type]))} ${c.id}${c.plate ? ` · ${c.plate}` : ''}${c.revokedAt ? ` · ${tr('已注销', 'revoked')}` : ''}`),
        admin && !c.revokedAt ? h('button.bad', { type: 'button', 'data-revoke': c.id, onclick: () => revokeDialog(c, () => open(id)) }, ic('cross'), tr('注销', 'Revoke')) : null))),
      h('div.row', {},
        admin ? h('button', { type: 'button', 'data-testid': 'issue-vehicle-card', onclick: () => {
          const plate = h('input', { type: 'text', maxLength: 12, placeholder: tr('车牌，如 浙A12345', 'Plate, e.g. 浙A12345'), 'data-testid': 'plate' });
          const err = h('p.err');
          modal([h('h2', {}, tr('发车证（一车一证）', 'Vehicle card')), plate, err, h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel')), h('button.ok', { type: 'button', 'data-testid': 'plate-ok', onclick: act(async () => {
            try {
              await api('POST', '/api/cards', { type: 'vehicle', householdId: id, plate: plate.value.trim() });
              closeModal();
              toast(tr('已发车证', 'Vehicle card issued'));
              await open(id);
            } catch (e) {
              err.textContent = e.message;
            }
          }) }, ic('check'), tr('发证', 'Issue')))]);
        } }, ic('qr'), tr('发车证', 'Vehicle card')) : null,
        admin ? h('button.ok', { type: 'button', 'data-testid': 'issue-household-card', onclick: act(async () => { await api('POST', '/api/cards', { type: 'household', householdId: id }); toast(tr('已发户卡', 'Household card issued')); await open(id); }) }, ic('qr'), tr('发户卡', 'Household card')) : null,
        h('button', { type: 'button', 'data-testid': 'print-cards', onclick: () => showSheet(`/print/cards?household=${encodeURIComponent(id)}`, tr('出入证', 'Pass cards')) }, ic('print'), tr('打印出入证', 'Print cards'))),
    );
    detail.scrollIntoView({ block: 'start' });
  }
  const importBox = admin
    ? h('section.card', {}, h('h2', {}, tr('导入名册（CSV/XLSX）', 'Import the roster (CSV/XLSX)')), h('input', { type: 'file', accept: '.csv,.xlsx,.txt', 'data-testid': 'roster-file', onchange: act(async (e) => {
        const f = e.target.files[0];
        if (!f) return;
        const r = await fetch(`/api/roster/import?filename=${encodeURIComponent(f.name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await f.arrayBuffer() });
        const j = await r.json();
        if (!r.ok) return toast(tr(j.zh, j.en), true);
        toast(j.imported ? tr(`已导入 ${j.persons} 人`, `Imported ${j.persons} people`) : tr(`未导入：${j.problems.length} 处问题`, `Not imported: ${j.problems.length} problems`), !j.imported);
      }) }))
    : null;
  main.replaceChildren(h('div.cols', {}, h('section.card', {}, h('div.row', {}, q, h('button.info', { type: 'button', onclick: act(search) }, ic('search'), tr('搜索', 'Search'))), results), detail), importBox);
  void search().catch((e) => toast(e.message, true));
  return null;
}
