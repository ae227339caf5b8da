// The practice's dialogs on the live screen (issue 18): the fever-handling card, who of a household is
// going out, the test day of a negative test, and no-contact deliveries with their pickup list.
import { act, api, closeModal, h, hhmm, ic, modal, numberPad, S, toast, tr, view } from '../core/index.js';
import { refreshLive } from '../stream.js';

/** 核酸阴性: the test's day, as "how many days ago" on the number pad (gloves, no typing). */
export async function testDialog(lane) {
  const v = await numberPad({ title: tr('核酸检测是几天前？（0 = 今天）', 'Test taken how many days ago? (0 = today)'), decimal: false, max: 2 });
  if (v === null || v === undefined || v === '') return;
  const d = new Date(Date.now() - Number(v) * 86_400_000);
  const testDay = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  await api('POST', `/api/lanes/${encodeURIComponent(lane)}/verified`, { check: 'test', ok: true, testDay });
}

// Fever held at the gate (seed 002): who was called, handed over to whom, the outcome — filled in with taps (issue 18).
const FEVER_CALLED = [['村医', 'Village doctor'], ['卫生院', 'Township clinic'], ['120', '120']];
const FEVER_HANDED = [['医疗机构上门接走', 'Medical team collected'], ['120急救车', '120 ambulance']];
const FEVER_OUTCOME = [['collected', '已接走', 'Collected'], ['escorted-to-clinic', '专人送发热门诊', 'Escorted to the fever clinic'], ['recheck-normal', '复测正常', 'Normal on re-check'], ['other', '其他', 'Other']];
export function feverDialog() {
  return act(async () => {
    const open = await api('GET', '/api/fever');
    const c = open[0];
    if (!c) {
      S.live.feverOpen = 0;
      view.main();
      return;
    }
    const post = (body) => act(async () => {
      await api('POST', `/api/fever/${encodeURIComponent(c.passageId)}`, body);
      closeModal();
      await refreshLive();
      if (S.live.feverOpen) await feverDialog();
    });
    const at = (ms) => (ms ? hhmm(ms) : '—');
    const chips = (list, make) => h('div.chips', {}, list.map((x) => h('button', { type: 'button', onclick: post(make(x)) }, tr(x.at(-2), x.at(-1)))));
    modal([
      h('h2', {}, tr(`发热处置：${c.passage?.subject?.name ?? ''} ${at(c.at)} 起在卡口等候`, `Fever: ${c.passage?.subject?.name ?? ''} waiting since ${at(c.at)}`)),
      h('p', {}, tr(`已联系：${c.called ?? '—'}（${at(c.calledAt)}）· 交接给：${c.handedTo ?? '—'}（${at(c.handedAt)}）`, `Called: ${c.called ?? '—'} (${at(c.calledAt)}) · Handed to: ${c.handedTo ?? '—'} (${at(c.handedAt)})`)),
      h('label', {}, tr('联系了谁', 'Who was called')),
      chips(FEVER_CALLED, (x) => ({ called: x[0] })),
      h('label', {}, tr('交接给谁', 'Handed over to')),
      chips(FEVER_HANDED, (x) => ({ handedTo: x[0] })),
      h('label', {}, tr('处置结果（结束本条）', 'Outcome (closes the card)')),
      chips(FEVER_OUTCOME, (x) => ({ outcome: x[0] })),
      h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('关闭', 'Close'))),
    ]);
  })();
}

// 一户一卡 with a member in quarantine or health monitoring: who is going out (issue 18).
const TIER_TEXT = { home: ['居家隔离', 'Home quarantine'], central: ['集中隔离', 'Central quarantine'], monitoring: ['居家健康监测', 'Health monitoring'], daily: ['日常健康监测', 'Daily monitoring'] };
export function memberDialog(lane) {
  return act(async () => {
    const members = await api('GET', `/api/lanes/${encodeURIComponent(lane)}/members`);
    modal([
      h('h2', {}, tr('本次出行的家庭成员', 'Who is going out')),
      h('div.row.wide', {}, members.map((m) => h(`button${m.tier === 'home' || m.tier === 'central' ? '.bad' : ''}`, { type: 'button', 'data-person': m.personId, onclick: act(async () => {
        closeModal();
        await api('POST', `/api/lanes/${encodeURIComponent(lane)}/member`, { personId: m.personId });
      }) }, `${m.name}${m.age !== undefined ? ` · ${m.age}${tr('岁', 'y')}` : ''}${m.tier ? ` · ${tr(...TIER_TEXT[m.tier])}` : ''}`))),
      h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel'))),
    ]);
  })();
}


// 无接触配送: the courier's company and parcel count (the household, when known, through the API), then the pickup list.
const COMPANIES = [['顺丰', 'SF'], ['中通', 'ZTO'], ['圆通', 'YTO'], ['韵达', 'Yunda'], ['京东', 'JD'], ['邮政', 'Post'], ['美团外卖', 'Meituan'], ['饿了么', 'Ele.me'], ['其他', 'Other']];
export function deliveryDialog(lane) {
  return act(async () => {
    const waiting = await api('GET', '/api/deliveries');
    const record = (company) => act(async () => {
      const n = await numberPad({ title: tr(`${company}：几件？`, `${company}: how many parcels?`), max: 3, okText: tr('登记', 'Record') });
      if (n === null || n === undefined) return;
      await api('POST', `/api/lanes/${encodeURIComponent(lane)}/courier`, { company, parcels: Number(n) > 0 ? Number(n) : 1 });
      closeModal();
      toast(tr('已登记无接触配送', 'Delivery recorded'));
      await refreshLive();
    });
    const collected = (d) => act(async () => {
      await api('POST', `/api/deliveries/${encodeURIComponent(d.id)}/collected`);
      closeModal();
      await deliveryDialog(lane);
    });
    modal([
      h('h2', {}, tr('快递外卖：无接触配送，不得进入', 'Courier: no-contact handover, no entry')),
      h('div.chips', {}, COMPANIES.map(([zh, en]) => h('button', { type: 'button', 'data-company': zh, onclick: record(zh) }, tr(zh, en)))),
      h('h2', {}, tr(`待取（${waiting.length}）`, `Waiting for pickup (${waiting.length})`)),
      h('div.row.wide', { 'data-testid': 'pickup-list' }, waiting.slice(0, 12).map((d) => h('button', { type: 'button', 'data-delivery': d.id, onclick: collected(d) }, ic('check'), `${hhmm(d.at)} ${d.company ?? ''} ×${d.parcels}${d.householdId ? ` · ${d.householdId}` : ''} · ${tr('已取', 'collected')}`))),
      h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('关闭', 'Close'))),
    ]);
  })();
}

const dayAgo = (n) => {
  const d = new Date(Date.now() - n * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const daysPad = async (zh, en) => {
  const v = await numberPad({ title: tr(`${zh}是几天前？（0 = 今天）`, `${en}: how many days ago? (0 = today)`), max: 2 });
  return v === null || v === undefined || v === '' ? undefined : dayAgo(Number(v));
};

/** 报备: a resident back from elsewhere — where from (the risk-area list or elsewhere), when, the test, the code. */
export function reportDialog(person, after) {
  return act(async () => {
    const { riskAreas } = await api('GET', '/api/visitors/form');
    const send = (from) => act(async () => {
      const arrivedDay = (await daysPad('到村', 'Arrived')) ?? dayAgo(0);
      const testDay = await daysPad('最近一次核酸阴性（没有就点取消）', 'Last negative test (cancel if none)');
      modal([
        h('h2', {}, tr('健康码颜色', 'Health code')),
        h('div.row', {}, ...[[true, '绿码', 'Green', 'ok'], [false, '非绿码', 'Not green', 'bad']].map(([green, zh, en, cls]) => h(`button.${cls}`, { type: 'button', 'data-green': String(green), onclick: act(async () => {
          const r = await api('POST', `/api/persons/${encodeURIComponent(person.id)}/report`, { from, arrivedDay, ...(testDay ? { testDay } : {}), greenCode: green });
          closeModal();
          toast(tr(r.text.zh, r.text.en));
          await after();
        }) }, tr(zh, en)))),
      ]);
    });
    modal([
      h('h2', {}, tr(`报备：${person.name} 从哪里回来？`, `Report: where is ${person.name} back from?`)),
      h('div.chips', {}, [...riskAreas, '其他地区'].map((a) => h('button', { type: 'button', 'data-from': a, onclick: send(a) }, a === '其他地区' ? tr('其他地区（非中高风险）', 'Elsewhere (not a risk area)') : a))),
      h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel'))),
    ]);
  })();
}

/** 解除隔离 (admin): who signed (共同签字) and the two negative tests (days 5 and 11). */
export function releaseDialog(person, after) {
  const signers = new Set();
  const names = ['村医', '村支书', '网格员', S.status?.session?.operatorId].filter(Boolean);
  modal([
    h('h2', {}, tr(`解除隔离：${person.name}（共同签字确认）`, `Release ${person.name} (signed jointly)`)),
    h('label', {}, tr('签字人', 'Signed by')),
    h('div.chips', {}, names.map((n) => h('button', { type: 'button', 'aria-pressed': 'false', 'data-signer': n, onclick: (e) => {
      if (signers.has(n)) signers.delete(n);
      else signers.add(n);
      e.currentTarget.setAttribute('aria-pressed', String(signers.has(n)));
    } }, n))),
    h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel')), h('button.ok', { type: 'button', 'data-testid': 'release-ok', onclick: act(async () => {
      const first = await daysPad('第一次核酸阴性', 'First negative test');
      const second = first && (await daysPad('第二次核酸阴性', 'Second negative test'));
      if (!first || !second) return;
      await api('POST', `/api/persons/${encodeURIComponent(person.id)}/release`, { signedBy: [...signers], testDays: [first, second] });
      closeModal();
      toast(tr('已解除隔离（已记入审计并上报）', 'Released (audited and reported)'));
      await after();
    }) }, ic('check'), tr('录入两次核酸并解除', 'Enter the two tests and release'))),
  ]);
}

/** The admin sets or changes a person's tier (居家隔离医学观察 / 居家健康监测 / 日常健康监测 / 集中隔离) and its last day. */
export function tierDialog(person, after) {
  const tiers = [['home', '居家隔离医学观察', 'Home quarantine'], ['monitoring', '居家健康监测', 'Home health monitoring'], ['daily', '日常健康监测', 'Daily monitoring'], ['central', '集中隔离', 'Central quarantine']];
  modal([
    h('h2', {}, tr(`设置健康管理：${person.name}`, `Health tier: ${person.name}`)),
    h('div.chips', {}, tiers.map(([kind, zh, en]) => h('button', { type: 'button', 'data-tier': kind, onclick: act(async () => {
      const n = await numberPad({ title: tr('从今天起共几天（含今天）？', 'How many days from today (today included)?'), max: 2 });
      if (!n || Number(n) < 1) return;
      const lastDay = dayAgo(-(Number(n) - 1));
      await api('POST', `/api/persons/${encodeURIComponent(person.id)}/quarantine`, { kind, lastDay });
      closeModal();
      toast(tr(`已设置：${zh}至 ${lastDay}（已记入审计并上报）`, `Set: ${en} through ${lastDay} (audited and reported)`));
      await after();
    }) }, tr(zh, en)))),
    h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel'))),
  ]);
}

/**
 * Settings (admin) when there is no hub: the risk-area list, the authorised list and the closing hours,
 * stored on top of the hub's version (its next version replaces them).
 */
export function localPolicyCards(s, reload) {
  const source = (kind) => (s.policies.find((p) => p.kind === kind)?.source === 'local' ? tr('（本机设置）', ' (set here)') : '');
  const list = (v) => v.split(/[,，、;；\n]/).map((x) => x.trim()).filter(Boolean);
  const areas = h('input', { type: 'text', 'data-testid': 'risk-areas-input', maxLength: 2000, value: s.riskAreas.join('、'), placeholder: tr('如 某市某区、某县（用顿号分隔）', 'e.g. City District, County (separated by 、)') });
  const cards = h('input', { type: 'text', 'data-testid': 'authorised-input', maxLength: 2000, value: s.authorised.join('、'), placeholder: tr('出入证号或人员编号', 'Card or person ids') });
  const hours = s.outsiderHours?.length ? s.outsiderHours.map((w) => `${w.from}–${w.to}`).join('、') : tr('不限', 'any time');
  const hhmmPad = async (zh, en) => {
    const v = await numberPad({ title: tr(`${zh}（4位，如 0600）`, `${en} (4 digits, e.g. 0600)`), max: 4 });
    return v && /^\d{4}$/.test(v) ? `${v.slice(0, 2)}:${v.slice(2)}` : undefined;
  };
  return [
    h('section.card', {}, h('h2', {}, tr(`中高风险地区${source('risk-areas')}`, `Risk areas${source('risk-areas')}`)),
      h('p', { 'data-testid': 'risk-list' }, s.riskAreas.length ? s.riskAreas.join('、') : tr('暂无', 'None')),
      areas,
      h('button', { type: 'button', 'data-testid': 'risk-areas-save', onclick: act(async () => { await api('POST', '/api/settings/risk-areas', { areas: list(areas.value) }); toast(tr('已保存（上级新版本下发后以上级为准）', 'Saved (a newer list from the hub replaces it)')); await reload(); }) }, ic('check'), tr('保存风险地区', 'Save risk areas'))),
    h('section.card', {}, h('h2', {}, tr(`封控/管控区放行名单${source('authorised')}`, `Authorised in sealed zones${source('authorised')}`)),
      cards,
      h('button', { type: 'button', onclick: act(async () => { await api('POST', '/api/settings/authorised', { cards: list(cards.value) }); toast(tr('已保存', 'Saved')); await reload(); }) }, ic('check'), tr('保存放行名单', 'Save the list'))),
    h('section.card', {}, h('h2', {}, tr(`外来人员开放时段${source('hours')}`, `Opening hours for outsiders${source('hours')}`)),
      h('p', { 'data-testid': 'hours-now' }, hours),
      h('div.row', {},
        h('button', { type: 'button', 'data-testid': 'hours-set', onclick: act(async () => {
          const from = await hhmmPad('开放时间', 'Opens at');
          const to = from && (await hhmmPad('关闭时间', 'Closes at'));
          if (!from || !to) return;
          await api('POST', '/api/settings/hours', { outsiderHours: [{ from, to }] });
          await reload();
        }) }, ic('clock'), tr('设置时段', 'Set hours')),
        h('button', { type: 'button', onclick: act(async () => { await api('POST', '/api/settings/hours', { outsiderHours: [] }); await reload(); }) }, ic('cross'), tr('不限时段', 'Any time')))),
  ];
}
