// 广播通知: the notices a compound's gate loudspeakers play (小喇叭, 村村响; docs/voice.md). The office
// keeps one list per compound: the list sent last is shown, the duty officer adds or removes notices
// and sends the whole list as one versioned update (downlink kind `announcements`), previewed and
// confirmed as every word to the gates (word.js), with each gate's answer below. The gates play the
// office's notices beside their own admin's, at set times or looped while the lane is idle.
import { api, can, fmtTime, h, ic, toast, tr } from './core.js';
import { historyTable, previewPanel } from './word.js';

const DAYS = [['日', 'Sun'], ['一', 'Mon'], ['二', 'Tue'], ['三', 'Wed'], ['四', 'Thu'], ['五', 'Fri'], ['六', 'Sat']];

/** When a notice plays, in words. */
export function whenText(a) {
  const days = !a.days?.length || a.days.length === 7 ? tr('每天', 'every day') : tr(`每周${a.days.map((d) => DAYS[d][0]).join('、')}`, a.days.map((d) => DAYS[d][1]).join(', '));
  const parts = [];
  if (a.at?.length) parts.push(`${days} ${a.at.join(tr('、', ', '))}`);
  if (a.every) parts.push(tr(`空闲时每${a.every}分钟${a.from ? `（${a.from}–${a.to}）` : ''}`, `every ${a.every} min while idle${a.from ? ` (${a.from}–${a.to})` : ''}`) + (a.at?.length ? '' : ` · ${days}`));
  return parts.join(tr('；', '; '));
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The form for one notice; `add(notice)` takes it into the list being edited. */
function noticeForm(add) {
  const zh = h('textarea', { rows: 2, maxLength: 500, 'data-testid': 'notice-zh', 'aria-label': tr('中文内容', 'Chinese words'), placeholder: tr('通知内容（中文，必填），如：各位村民，今晚九点卡口关闭', 'The words in Chinese (required)') });
  const en = h('input', { maxLength: 500, 'data-testid': 'notice-en', 'aria-label': tr('英文内容', 'English words'), placeholder: tr('英文内容（可不填）', 'English words (optional)') });
  const clip = h('input', { maxLength: 64, 'data-testid': 'notice-clip', 'aria-label': tr('录音文件名', 'Recording name'), placeholder: tr('卡口上的录音文件名（可不填，不填则按文字合成语音）', 'Recording name at the gate (optional; else speech from the text)') });
  const mode = h('select', { 'data-testid': 'notice-mode', 'aria-label': tr('播放方式', 'How it plays') }, h('option', { value: 'at' }, tr('定时播放', 'At set times')), h('option', { value: 'every' }, tr('空闲时循环', 'Loop while idle')));
  const times = h('input', { 'data-testid': 'notice-times', 'aria-label': tr('播放时间', 'Times'), placeholder: tr('时间，如 20:50、21:30', 'Times, e.g. 20:50, 21:30') });
  const every = h('input', { type: 'number', min: 1, max: 1440, 'data-testid': 'notice-every', 'aria-label': tr('间隔分钟', 'Minutes between plays'), placeholder: tr('每隔几分钟', 'Every how many minutes') });
  const from = h('input', { 'data-testid': 'notice-from', 'aria-label': tr('从', 'From'), placeholder: tr('从 08:00（可不填）', 'From 08:00 (optional)') });
  const to = h('input', { 'data-testid': 'notice-to', 'aria-label': tr('到', 'Until'), placeholder: tr('到 18:00', 'Until 18:00') });
  const days = DAYS.map(([zhD, enD], i) => h('label.day', {}, h('input', { type: 'checkbox', value: String(i), 'data-day': i }), tr(zhD, enD)));
  const atRow = h('div.notice-row', {}, times);
  const everyRow = h('div.notice-row', { hidden: true }, every, from, to);
  mode.addEventListener('change', () => {
    atRow.hidden = mode.value !== 'at';
    everyRow.hidden = mode.value !== 'every';
  });
  const take = () => {
    const text = zh.value.trim();
    if (!text) return toast(tr('请填写中文内容', 'Type the words in Chinese'));
    const n = { id: `o${Date.now().toString(36)}`, text: { zh: text, ...(en.value.trim() ? { en: en.value.trim() } : {}) } };
    if (clip.value.trim()) n.clip = clip.value.trim();
    if (mode.value === 'at') {
      const list = times.value.split(/[\s,，、;；]+/).filter(Boolean).map((t) => (/^\d{3,4}$/.test(t) ? `${t.padStart(4, '0').slice(0, 2)}:${t.padStart(4, '0').slice(2)}` : t.padStart(5, '0')));
      if (!list.length || !list.every((t) => TIME.test(t))) return toast(tr('时间格式为 时:分，如 20:50', 'Times are HH:MM, e.g. 20:50'));
      n.at = [...new Set(list)].sort();
    } else {
      const m = Number(every.value);
      if (!Number.isInteger(m) || m < 1 || m > 1440) return toast(tr('间隔为 1–1440 分钟', 'The interval is 1–1440 minutes'));
      n.every = m;
      if (from.value.trim() || to.value.trim()) {
        if (!TIME.test(from.value.trim()) || !TIME.test(to.value.trim())) return toast(tr('时段请填 时:分，如 08:00 和 18:00', 'The window is HH:MM to HH:MM'));
        Object.assign(n, { from: from.value.trim(), to: to.value.trim() });
      }
    }
    const chosen = days.map((d) => d.firstChild).filter((c) => c.checked).map((c) => Number(c.value));
    if (chosen.length && chosen.length < 7) n.days = chosen;
    add(n);
    zh.value = '';
    en.value = '';
    clip.value = '';
  };
  return h('div.notice-form', { 'data-testid': 'notice-form' },
    zh, en, clip,
    h('div.notice-row', {}, h('label', {}, `${tr('播放方式', 'How it plays')} `, mode)),
    atRow, everyRow,
    h('div.notice-row.days', {}, h('span.muted', {}, tr('星期（不选 = 每天）', 'Days (none = every day)')), days),
    h('button', { type: 'button', 'data-testid': 'notice-add', style: 'align-self: start', onclick: take }, ic('check'), tr('加入列表', 'Add to the list')));
}

export async function announcementsScreen(main, { refresh }) {
  const [{ updates }, overview] = await Promise.all([api('GET', '/office/api/word/history?kind=announcements'), api('GET', '/office/api/overview')]);
  const sites = [...new Set(overview.gates.map((g) => g.site))];
  main.append(
    h('h2', {}, ic('horn'), tr('广播通知', 'Announcements')),
    h('p.muted', {}, tr('卡口喇叭在设定时间或通道空闲时播放这些通知，不会打断通行提示。下发的列表替换该小区卡口上由指挥部下发的通知；卡口管理员自己设置的通知不受影响。', 'The gates\' loudspeakers play these notices at set times or while the lane is idle, never over a passage. A list sent replaces the office\'s notices at that compound\'s gates; the notices the gate\'s own admin set stay.')),
  );
  if (sites.length === 0) {
    main.append(h('p.muted', {}, tr('尚未收到任何卡口的数据', 'No gate has reported yet')));
  } else {
    const site = h('select', { name: 'site', 'data-testid': 'notice-site', 'aria-label': tr('小区', 'Compound') }, sites.map((s) => h('option', { value: s }, s)));
    const box = h('section.word.notices', { 'data-testid': 'notices' });
    // Being edited (typed in, or the list changed): the live feed does not redraw it (office.js).
    const edited = () => box.setAttribute('data-dirty', '1');
    box.addEventListener('input', edited);
    let list = [];
    let last = null;
    const out = h('div');
    const draw = () => {
      const rows = list.length
        ? h('table.stack', { 'data-testid': 'notice-list' },
            h('thead', {}, h('tr', {}, [tr('内容', 'Words'), tr('播放', 'When'), tr('声音', 'Sound'), ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, list.map((a) => h('tr', { 'data-notice': a.id },
              h('td', {}, h('b', {}, a.text.zh), a.text.en ? h('div.muted', {}, a.text.en) : null),
              h('td', {}, whenText(a)),
              h('td', {}, a.clip ? `${tr('录音', 'Recording')} ${a.clip}` : tr('合成语音', 'Synthesised speech')),
              h('td', {}, can('downlink.send') ? h('button', { type: 'button', 'data-testid': 'notice-remove', onclick: () => { list = list.filter((x) => x !== a); edited(); out.replaceChildren(); draw(); } }, ic('cross'), tr('移除', 'Remove')) : null)))))
        : h('p.muted', { 'data-testid': 'notice-empty' }, tr('列表为空：下发空列表会清除卡口上由指挥部下发的通知', 'The list is empty: sending it clears the office\'s notices at the gates'));
      box.replaceChildren(
        h('label', {}, `${tr('小区', 'Compound')} `, site),
        h('p.muted', { 'data-testid': 'notice-last' }, last?.version ? tr(`上次下发：版本 ${last.version}，${last.sentBy}，${fmtTime(last.sentAt)}`, `Last sent: version ${last.version}, by ${last.sentBy}, ${fmtTime(last.sentAt)}`) : tr('尚未向该小区下发通知', 'No notices sent to this compound yet')),
        rows,
        can('downlink.send') ? h('h3', {}, tr('新增一条通知', 'Add a notice')) : null,
        can('downlink.send') ? noticeForm((n) => { list = [...list, n]; edited(); out.replaceChildren(); draw(); }) : null,
        can('downlink.send')
          ? h('button.primary', { type: 'button', 'data-testid': 'notices-preview', onclick: async () => {
              const draft = { kind: 'announcements', site: site.value, announcements: list };
              try {
                out.replaceChildren(previewPanel(await api('POST', '/office/api/word/preview', draft), draft, refresh));
              } catch (err) {
                toast(err.message);
              }
            } }, ic('send'), tr('预览下发', 'Preview'))
          : null,
        out,
      );
    };
    const load = async () => {
      last = await api('GET', `/office/api/word/announcements?site=${encodeURIComponent(site.value)}`);
      list = last.announcements;
      box.removeAttribute('data-dirty');
      out.replaceChildren();
      draw();
    };
    site.addEventListener('change', () => void load().catch((e) => toast(e.message)));
    await load();
    main.append(box);
  }
  main.append(h('h2', {}, ic('list'), tr('下发记录', 'History')), historyTable(updates));
}
