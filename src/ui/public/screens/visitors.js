// Visitors: registration (with the hub's risk-area list), slip shown in the page, inside now with overdue
// highlighted, sign-out (销号) confirmed with what tells two visitors apart.
import { act, api, closeModal, h, ic, modal, showSheet, toast, tr, villageTime } from '../core/index.js';

const fmt = (ms) => villageTime(ms, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export function visitorsScreen(main) {
  const wrap = h('div.cols');
  const form = h('form.card', { 'data-testid': 'visitor-form', autocomplete: 'off', onsubmit: (e) => e.preventDefault() });
  const insideBox = h('section.card', { 'data-testid': 'inside' }, h('h2', {}, tr('在内访客', 'Visitors inside')), h('p', {}, '…'));
  wrap.append(form, insideBox);
  const field = (name, zh, en, attrs = {}) => {
    const input = h('input', { name, type: 'text', ...attrs });
    return [h('label', { htmlFor: name }, tr(zh, en)), Object.assign(input, { id: name })];
  };
  const chosen = new Set();
  const checks = { vaccinated: false, testDaysAgo: undefined };
  const press = (b, on) => b.setAttribute('aria-pressed', String(on));
  const vaccineChip = h('button', { type: 'button', 'aria-pressed': 'false', 'data-check': 'vaccine', onclick: (e) => {
    checks.vaccinated = !checks.vaccinated;
    press(e.currentTarget, checks.vaccinated);
  } }, tr('已核验疫苗', 'Vaccinated'));
  const testChips = [0, 1, 2, 3, 7].map((n) => h('button', { type: 'button', 'aria-pressed': 'false', 'data-test-days': String(n), onclick: () => {
    checks.testDaysAgo = checks.testDaysAgo === n ? undefined : n;
    for (const c of testChips) press(c, Number(c.dataset.testDays) === checks.testDaysAgo);
  } }, n === 0 ? tr('核酸阴性·今天', 'Test negative · today') : tr(`核酸阴性·${n}天前`, `Test negative · ${n}d ago`)));
  const chips = h('div.chips', { 'data-testid': 'risk-areas' });
  const err = h('p.err', { 'data-testid': 'visitor-error' });
  form.append(
    h('h2', {}, ic('visitor'), tr('外来人员登记', 'Register a visitor')),
    h('button', { type: 'button', 'data-testid': 'declare-poster', onclick: () => showSheet('/print/declare', tr('健康申报二维码', 'Declaration QR')) }, ic('qr'), tr('健康申报二维码（张贴、发群）', 'Declaration QR poster (post it, share it)')),
    h('div.row', {}, h('div', {}, ...field('name', '姓名 *', 'Name *', { maxLength: 40, required: true })), h('div', {}, ...field('phone', '电话', 'Phone', { inputMode: 'tel', maxLength: 20, 'data-kbd': 'num' }))),
    ...field('idNumber', '身份证号', 'ID number', { maxLength: 18, 'data-kbd': 'num' }),
    h('div.row', {}, h('div', {}, ...field('origin', '从何处来', 'Coming from', { maxLength: 80 })), h('div', {}, ...field('hostHouseholdId', '被访户（户号）', 'Visiting household (id)', { maxLength: 64, 'data-kbd': 'abc', 'data-case': 'lower' }))),
    h('label', {}, tr('14天内到过（点选中高风险地区）', 'Places in the last 14 days (tap risk areas)')),
    chips,
    ...field('travelOther', '其他到过的地方（用逗号分隔）', 'Other places (comma separated)', { maxLength: 200 }),
    h('div.row', {}, h('div', {}, ...field('reason', '事由', 'Reason', { maxLength: 200 })), h('div', {}, ...field('escort', '陪同人', 'Escort', { maxLength: 40 }))),
    ...field('plate', '车牌', 'Vehicle plate', { maxLength: 12, 'data-kbd': 'abc' }),
    // Seen on the visitor's phone (查疫苗接种记录, 核酸阴性证明): the rules take them instead of a tap at the gate.
    h('label', {}, tr('手机上核验（可选）', 'Checked on the phone (optional)')),
    h('div.chips', { 'data-testid': 'visitor-checks' }, vaccineChip, ...testChips),
    err,
    h('button.ok', { type: 'button', 'data-testid': 'visitor-submit', onclick: act(async () => {
      const v = (n) => form.elements.namedItem(n).value.trim();
      const travel = [...chosen, ...v('travelOther').split(/[,，、]/).map((s) => s.trim()).filter(Boolean)];
      const body = { name: v('name'), travel };
      for (const k of ['phone', 'idNumber', 'origin', 'hostHouseholdId', 'reason', 'escort', 'plate']) if (v(k)) body[k] = v(k);
      if (checks.vaccinated) body.vaccinated = true;
      if (checks.testDaysAgo !== undefined) {
        const d = new Date(Date.now() - checks.testDaysAgo * 86_400_000);
        body.lastTestDay = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      }
      err.textContent = '';
      try {
        const r = await api('POST', '/api/visitors', body);
        form.reset();
        chosen.clear();
        checks.vaccinated = false;
        checks.testDaysAgo = undefined;
        for (const c of [vaccineChip, ...testChips]) press(c, false);
        for (const c of chips.children) c.setAttribute('aria-pressed', 'false');
        for (const w of r.warnings) toast(tr(w.zh, w.en), true);
        if (!r.warnings.length) toast(tr(`已登记 ${r.visitor.name}`, `Registered ${r.visitor.name}`));
        showSheet(`/print/visitor/${encodeURIComponent(r.visitor.id)}`, tr('访客单', 'Visitor slip'));
        await loadInside();
        main.scrollTop = 0;
      } catch (e) {
        err.textContent = e.message;
        toast(e.message, true);
        const f = e.body?.detail?.field;
        const el = f ? form.elements.namedItem(f) : null;
        if (el) {
          el.focus();
          el.scrollIntoView({ block: 'center' });
        }
      }
    }) }, ic('check'), tr('登记并打印访客单', 'Register and print slip')),
  );
  async function loadForm() {
    const f = await api('GET', '/api/visitors/form');
    chips.replaceChildren(
      ...(f.riskAreas.length
        ? f.riskAreas.map((a) => h('button', { type: 'button', 'aria-pressed': 'false', onclick: (e) => {
            if (chosen.has(a)) chosen.delete(a);
            else chosen.add(a);
            e.currentTarget.setAttribute('aria-pressed', String(chosen.has(a)));
          } }, a))
        : [h('span', {}, tr('上级未下发风险地区', 'No risk-area list from the hub'))]),
    );
  }
  /** What tells two visitors apart when their masked names are the same (王*, 王*). */
  const details = (v) => [
    [tr('进入', 'In since'), fmt(v.registeredAt)],
    [tr('陪同', 'Escort'), v.escort ?? '—'],
    [tr('被访户', 'Visiting'), v.hostHouseholdId ?? '—'],
    [tr('身份证尾号', 'ID ends'), v.idNumber ? v.idNumber.slice(-4) : '—'],
  ];
  function confirmSignOut(v) {
    modal([
      h('h2', {}, ic('out'), tr(`给 ${v.name} 销号？`, `Sign ${v.name} out?`)),
      h('dl.facts-list', { 'data-testid': 'sign-out-details' }, details(v).flatMap(([k, x]) => [h('dt', {}, k), h('dd', {}, x)])),
      h('div.row', {},
        h('button', { type: 'button', 'data-testid': 'sign-out-keep', onclick: closeModal }, ic('cross'), tr('不销号', 'Keep')),
        h('button.info', { type: 'button', 'data-testid': 'sign-out-ok', onclick: act(async () => {
          await api('POST', `/api/visitors/${encodeURIComponent(v.id)}/sign-out`);
          closeModal();
          toast(tr(`${v.name} 已销号`, `${v.name} signed out`));
          await loadInside();
        }) }, ic('check'), tr('确认销号', 'Sign out'))),
    ]);
  }
  async function loadInside() {
    const list = await api('GET', '/api/visitors/inside');
    insideBox.replaceChildren(
      h('h2', {}, tr(`在内访客（${list.length}）`, `Visitors inside (${list.length})`)),
      list.length
        ? h('ul.list', {}, list.map((v) => h(`li${v.overdue ? '.overdue' : ''}`, { 'data-visitor': v.id },
            v.overdue ? h('span.tag.warn', {}, ic('clock'), tr('超时', 'Overdue')) : null,
            v.admitted === false ? h('span.tag', {}, tr('未入门', 'Not in yet')) : null,
            h('span.grow', {}, h('b', {}, v.name), ' ', details(v).filter(([, x]) => x !== '—').map(([k, x]) => `${k} ${x}`).join(' · ')),
            h('button', { type: 'button', 'aria-label': tr('打印访客单', 'Print slip'), onclick: () => showSheet(`/print/visitor/${encodeURIComponent(v.id)}`, tr('访客单', 'Visitor slip')) }, ic('print')),
            h('button.info', { type: 'button', 'data-testid': 'sign-out', onclick: () => confirmSignOut(v) }, ic('out'), tr('销号', 'Sign out')))))
        : h('p', {}, tr('目前没有访客在内', 'No visitor is inside')),
    );
  }
  main.replaceChildren(wrap);
  void loadForm().catch((e) => toast(e.message, true));
  void loadInside().catch((e) => toast(e.message, true));
  return null;
}
