// A scanned health declaration (健康申报, docs/declare.md): the visitor registration prefilled, one
// card per person. The volunteer checks the person matches the masked name and ID tail, writes the
// escort, and registers; the slip prints as for any visitor. A refused code says why, in big words.
import { act, api, closeModal, h, ic, modal, showSheet, toast, tr } from '../core/index.js';

const OUTCOME = {
  ok: ['ok', 'check', '可以进入', 'May enter'],
  escort: ['warn', 'visitor', '须专人陪同', 'Needs an escort'],
  refuse: ['bad', 'cross', '不得进入', 'May not enter'],
  quarantine: ['warn', 'home', '报备：居家隔离', 'Report: home quarantine'],
};

function refused(view) {
  modal(
    h('div.declaration', { 'data-testid': 'declaration-refused' },
      h('h2.bad', {}, ic('cross'), tr('申报码无效', 'Declaration refused')),
      h('p.big', {}, tr(view.zh, view.en)),
      h('p', {}, tr('请对方重新填报，或人工登记', 'Ask them to declare again, or register by hand')),
      h('button', { type: 'button', onclick: closeModal }, tr('关闭', 'Close'))),
  );
}

function member(view, m, done) {
  const [cls, icon, zh, en] = OUTCOME[m.outcome] ?? OUTCOME.ok;
  const line = (k, v) => (v ? h('p', {}, h('b', {}, `${k}：`), v) : null);
  const escort = h('input', { name: 'escort', type: 'text', maxLength: 40, placeholder: tr('陪同人', 'Escort') });
  const idNumber = view.declaration.source === 'code' ? h('input', { name: 'idNumber', type: 'text', maxLength: 18, placeholder: tr('身份证号（可选）', 'ID number (optional)') }) : null;
  const card = h('section.card', { 'data-testid': 'declared-member', 'data-index': String(m.index) },
    h('h3', {}, `${m.name} · ${tr('尾号', 'ID …')}${m.idTail}`),
    h(`p.tag.${cls}`, {}, ic(icon), tr(zh, en)),
    m.risky?.length ? h('p', {}, tr(`风险地区：${m.risky.join('、')}`, `Risk areas: ${m.risky.join(', ')}`)) : null,
    line(tr('身份证', 'ID'), m.idNumberMasked),
    line(tr('电话', 'Phone'), m.phoneMasked),
    line(tr('从何处来', 'From'), m.origin),
    line(tr('14天行程', '14-day travel'), m.travel?.join('、')),
    line(tr('拜访', 'Visiting'), m.host),
    line(tr('事由', 'Purpose'), m.purpose),
    m.symptoms?.length ? h('p.tag.warn', {}, ic('warn'), tr(`自述症状：${m.symptoms.join('、')}`, `Declares symptoms: ${m.symptoms.join(', ')}`)) : null,
  );
  if (m.used) {
    card.append(h('p.tag.info', {}, ic('check'), tr('已凭此申报登记', 'Already registered on this declaration')));
    return card;
  }
  if (view.declaration.kind === 'visit' && m.outcome === 'refuse') return card;
  if (view.declaration.kind === 'visit') {
    card.append(escort);
    if (idNumber) card.append(idNumber);
  }
  card.append(
    h('button.ok', { type: 'button', 'data-testid': 'declaration-admit', onclick: act(async () => {
      const body = { code: view.code };
      if (escort.value.trim()) body.escort = escort.value.trim();
      if (idNumber?.value.trim()) body.idNumber = idNumber.value.trim();
      const r = await api('POST', `/api/declarations/members/${m.index}/admit`, body);
      if (r.visitor) {
        toast(tr(`已登记 ${r.visitor.name}，请测温、戴口罩后凭访客单通行`, `Registered ${r.visitor.name}: temperature, mask, then the slip at the lane`));
        // The slip in the page, with a way back (issue 19): no window that strands the volunteer.
        showSheet(`/print/visitor/${encodeURIComponent(r.visitor.id)}`, tr('访客单', 'Visitor slip'));
      } else toast(tr('报备已确认', 'Report confirmed'));
      done(m.index);
    }) }, ic('check'), view.declaration.kind === 'visit' ? tr('核对无误，登记并打印访客单', 'Matches: register and print slip') : tr('核对无误，确认报备', 'Matches: confirm the report')),
  );
  return card;
}

/** Opens the prefilled registration for a scanned declaration (live event or /api/declarations/scan). */
export function showDeclaration(view) {
  if (!view.ok) return refused(view);
  const used = new Set();
  const draw = () =>
    modal(
      h('div.declaration', { 'data-testid': 'declaration' },
        h('h2', {}, ic('qr'), view.declaration.kind === 'visit' ? tr('健康申报 · 外来人员', 'Health declaration · visitor') : tr('返乡报备', 'Resident coming back')),
        view.declaration.source === 'code' ? h('p.tag.warn', {}, ic('info'), tr('申报详情尚未下发，仅有姓名和尾号', 'Details not received yet: name and ID tail only')) : null,
        ...view.members.map((m) => member(view, { ...m, used: m.used || used.has(m.index) }, (i) => {
          used.add(i);
          if (view.members.every((x) => x.used || used.has(x.index))) closeModal();
          else draw();
        })),
        h('button', { type: 'button', onclick: closeModal }, tr('关闭', 'Close'))),
    );
  draw();
}
