// 广播 (issue 23): the notices the gate's loudspeaker plays (小喇叭, 村村响) — each one's words, its
// sound (the site's recording or speech rendered from the text), when it plays (set times, or looped
// while the lane is idle) and where it came from (the office's downlink, or set here). Every operator
// sees the list, the mute switch and the quiet hours; the admin adds, changes and deletes the gate's
// own notices (each save is audited by the ledger) and plays one now (试听) on the idle loudspeakers.
// Text is typed on the page's keyboard, times on the number pad.
import { act, api, closeModal, h, ic, modal, numberPad, S, toast, tr } from '../core/index.js';

const DAYS = [['日', 'Sun'], ['一', 'Mon'], ['二', 'Tue'], ['三', 'Wed'], ['四', 'Thu'], ['五', 'Fri'], ['六', 'Sat']];
const isAdmin = () => S.status?.session?.role === 'admin';

/** The rail's loudspeaker button (voice.js) and this screen show the same switch: each tells the other. */
const announce = (voice) => document.dispatchEvent(new CustomEvent('kiosk-voice', { detail: voice }));

function daysText(days) {
  if (!days?.length || days.length === 7) return tr('每天', 'every day');
  return tr(`每周${days.map((d) => DAYS[d][0]).join('、')}`, days.map((d) => DAYS[d][1]).join(', '));
}

/** When it plays, in words: "每天 20:50、21:30" / "空闲时每30分钟（08:00–18:00）". */
export function whenText(a) {
  const parts = [];
  if (a.at?.length) parts.push(tr(`${daysText(a.days)} ${a.at.join('、')}`, `${daysText(a.days)} at ${a.at.join(', ')}`));
  if (a.every) {
    const win = a.from && a.to ? `${a.from}–${a.to}` : '';
    parts.push(tr(`空闲时每${a.every}分钟${win ? `（${win}）` : ''}${a.at?.length ? '' : `，${daysText(a.days)}`}`, `every ${a.every} min while idle${win ? ` (${win})` : ''}${a.at?.length ? '' : `, ${daysText(a.days)}`}`));
  }
  return parts.join(tr('；', '; '));
}

function quietText(q) {
  if (!q) return tr('未设夜间时段', 'No quiet hours set');
  return q.mode === 'tones' ? tr(`夜间 ${q.from}–${q.to}：不说话，只响提示音`, `Quiet hours ${q.from}–${q.to}: no speech, tones only`) : tr(`夜间 ${q.from}–${q.to}：音量降到 ${q.volume}%`, `Quiet hours ${q.from}–${q.to}: volume down to ${q.volume}%`);
}

/** The loudspeaker's card: the mute switch (big, colour + icon + words), the quiet hours, each lane. */
function speakerCard(voice) {
  const muted = voice.muted;
  return h('section.card.speaker-card', { 'data-testid': 'speaker-card' },
    h('div.row.speaker-row', {},
      h(`button.${muted ? 'bad' : 'ok'}.speaker-switch`, { type: 'button', 'data-testid': 'speaker-switch', 'aria-pressed': String(muted), onclick: act(async () => {
        // The screen draws itself again on the event, as the rail's button does.
        announce(await api('POST', '/api/voice/mute', { muted: !muted }));
      }) }, ic(muted ? 'mute' : 'speaker'), muted ? tr('已静音 · 点按打开', 'Muted · tap to switch on') : tr('喇叭开 · 点按静音', 'Speaker on · tap to mute')),
      h(`span.tag.${voice.quiet ? 'warn' : 'quiet-off'}`, { 'data-testid': 'quiet-hours' }, ic('clock'), quietText(voice.quietHours), voice.quiet ? tr('（现在是夜间）', ' (now)') : '')),
    h('ul.list.lanes-voice', {}, voice.lanes.map((l) => h('li', {}, ic('speaker'), h('span.grow', {}, S.live?.lanes?.find((x) => x.id === l.lane)?.name ?? l.lane, tr(` · 音量 ${l.volume}%`, ` · volume ${l.volume}%`), l.speaking ? [tr(' · 正在说：', ' · saying: '), h('span.data', {}, l.speaking)] : '')))),
    h('p.aside-note', {}, tr('通知只在通道空闲时播放，不会打断通行提示。', 'Notices play only while the lane is idle, never over a passage\'s prompts.')),
  );
}

/** One notice: source, readiness, the words, when, the sound; the admin's buttons. */
function item(a, status, { edit, remove, play }) {
  const hub = a.source === 'hub';
  const ready = status?.ready ? ['ok', 'check', tr('可播放', 'Ready')] : status?.problem ? ['bad', 'cross', tr('无法播放', 'Cannot play')] : ['warn', 'clock', tr('正在生成语音', 'Making the sound')];
  const admin = isAdmin();
  return h('li.notice', { 'data-notice': a.id, 'data-source': a.source },
    h('div.notice-head', {},
      hub ? h('span.tag.info', {}, ic('cloud'), tr('上级下发', 'From the office')) : h('span.tag.local', {}, ic('home'), tr('本机设置', 'Set here')),
      h(`span.tag.${ready[0]}`, { 'data-testid': 'notice-ready' }, ic(ready[1]), ready[2]),
      h('span.tag.sound', {}, ic(a.clip ? 'horn' : 'speaker'), a.clip ? [tr('录音 ', 'recording '), h('span.data', {}, a.clip)] : tr('合成语音', 'Synthesised speech'))),
    h('div.notice-text', {}, a.text.zh),
    a.text.en ? h('div.notice-en.data', { lang: 'en' }, a.text.en) : null,
    h('div.notice-when', {}, ic(a.every && !a.at?.length ? 'repeat' : 'clock'), whenText(a), a.until ? tr(`，${new Date(a.until).toLocaleDateString('zh-CN')}止`, `, until ${new Date(a.until).toLocaleDateString('en-GB')}`) : '', a.lanes?.length ? tr(`，通道 ${a.lanes.join('、')}`, `, lanes ${a.lanes.join(', ')}`) : ''),
    status?.problem ? h('div.err.data', {}, status.problem) : null,
    admin
      ? h('div.row.notice-actions', {},
          h('button.info', { type: 'button', 'data-testid': 'notice-play', onclick: act(() => play(a)) }, ic('play'), tr('试听', 'Play now')),
          hub ? h('span.aside-note', {}, tr('在指挥部修改', 'Changed at the office')) : h('button', { type: 'button', 'data-testid': 'notice-edit', onclick: () => edit(a) }, ic('edit'), tr('修改', 'Edit')),
          hub ? null : h('button.bad', { type: 'button', 'data-testid': 'notice-delete', onclick: () => remove(a) }, ic('trash'), tr('删除', 'Delete')))
      : null,
  );
}

const hhmmPad = async (zh, en) => {
  const v = await numberPad({ title: tr(`${zh}（4位，如 2050）`, `${en} (4 digits, e.g. 2050)`), max: 4, format: (x) => (x.length > 2 ? `${x.slice(0, 2)}:${x.slice(2)}` : x) });
  if (!v) return undefined;
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(v)) {
    toast(tr('时间不对，请输入4位，如 2050', 'Not a time: type 4 digits, e.g. 2050'), true);
    return undefined;
  }
  return `${v.slice(0, 2)}:${v.slice(2)}`;
};

/** The editor, in the screen (the number pad opens over it): the words, the recording, when, the days. */
function editor(main, original, list, done) {
  const d = structuredClone(original ?? { id: `n${Date.now().toString(36)}`, text: { zh: '' }, at: [] });
  let mode = d.every && !d.at?.length ? 'every' : 'at';
  const zh = h('input', { type: 'text', maxLength: 500, value: d.text.zh, 'data-kbd': 'zh', 'data-testid': 'notice-zh', placeholder: tr('如：各位村民，卡口晚上九点关闭', 'e.g. The gate closes at nine tonight') });
  const en = h('input', { type: 'text', maxLength: 500, value: d.text.en ?? '', 'data-kbd': 'abc', 'data-case': 'lower', 'data-testid': 'notice-en', placeholder: tr('可不填', 'Optional') });
  const clip = h('input', { type: 'text', maxLength: 64, value: d.clip ?? '', 'data-kbd': 'abc', 'data-case': 'lower', 'data-testid': 'notice-clip', placeholder: tr('不填则按文字合成语音', 'Empty: speech made from the text') });
  const when = h('div');
  const draft = () => {
    const out = { ...d, text: { zh: zh.value.trim(), ...(en.value.trim() ? { en: en.value.trim() } : {}) } };
    delete out.clip;
    if (clip.value.trim()) out.clip = clip.value.trim();
    if (mode === 'at') {
      delete out.every;
      delete out.from;
      delete out.to;
      if (!out.at?.length) delete out.at;
    } else delete out.at;
    if (!out.days?.length || out.days.length === 7) delete out.days;
    return out;
  };
  const drawWhen = () => {
    const modeButton = (m, icon, zhW, enW) => h(`button${mode === m ? '.info' : ''}`, { type: 'button', 'aria-pressed': String(mode === m), 'data-mode': m, onclick: () => { mode = m; drawWhen(); } }, ic(icon), tr(zhW, enW));
    const day = (i) => h('button', { type: 'button', 'aria-pressed': String(d.days?.includes(i) ?? false), 'data-day': i, onclick: () => {
      const set = new Set(d.days ?? []);
      if (set.has(i)) set.delete(i);
      else set.add(i);
      d.days = [...set].sort();
      drawWhen();
    } }, tr(DAYS[i][0], DAYS[i][1]));
    when.replaceChildren(
      h('div.row', {}, modeButton('at', 'clock', '定时播放', 'At set times'), modeButton('every', 'repeat', '空闲时循环', 'Loop while idle')),
      mode === 'at'
        ? h('div.chips.times', { 'data-testid': 'notice-times' },
            (d.at ?? []).map((t) => h('button', { type: 'button', 'data-time': t, 'aria-label': tr(`删除 ${t}`, `Remove ${t}`), onclick: () => { d.at = d.at.filter((x) => x !== t); drawWhen(); } }, t, ic('cross'))),
            h('button.ok', { type: 'button', 'data-testid': 'notice-add-time', onclick: act(async () => {
              const t = await hhmmPad('播放时间', 'Time');
              if (t && !(d.at ?? []).includes(t)) d.at = [...(d.at ?? []), t].sort();
              drawWhen();
            }) }, ic('plus'), tr('添加时间', 'Add a time')))
        : h('div.row',
            {},
            h('button', { type: 'button', 'data-testid': 'notice-every', onclick: act(async () => {
              const v = await numberPad({ title: tr('每隔几分钟播放一次？', 'Every how many minutes?'), max: 4 });
              if (v && Number(v) >= 1 && Number(v) <= 1440) d.every = Number(v);
              drawWhen();
            }) }, ic('repeat'), d.every ? tr(`每${d.every}分钟`, `Every ${d.every} min`) : tr('设置间隔', 'Set the interval')),
            h('button', { type: 'button', 'data-testid': 'notice-window', onclick: act(async () => {
              const from = await hhmmPad('从几点起', 'From');
              const to = from && (await hhmmPad('到几点止', 'Until'));
              if (from && to) Object.assign(d, { from, to });
              drawWhen();
            }) }, ic('clock'), d.from ? `${d.from}–${d.to}` : tr('全天', 'All day')),
            d.from ? h('button', { type: 'button', onclick: () => { delete d.from; delete d.to; drawWhen(); } }, ic('cross'), tr('不限时段', 'All day')) : null),
      h('label', {}, tr('星期（都不选 = 每天）', 'Days (none chosen = every day)')),
      h('div.chips.days', {}, DAYS.map((_, i) => day(i))),
    );
  };
  drawWhen();
  const save = act(async () => {
    const a = draft();
    if (!a.text.zh) return toast(tr('请填写中文内容', 'Type the words in Chinese'), true);
    if (!a.at?.length && !a.every) return toast(tr('请添加播放时间或设置循环间隔', 'Add a time or set the loop interval'), true);
    const next = original ? list.map((x) => (x.id === original.id ? a : x)) : [...list, a];
    await api('PUT', '/api/voice/announcements', { announcements: next });
    toast(tr('已保存（已记入审计）', 'Saved (audited)'));
    await done();
  });
  main.replaceChildren(h('section.card.notice-editor', { 'data-testid': 'notice-editor' },
    h('h2', {}, ic(original ? 'edit' : 'plus'), original ? tr('修改通知', 'Edit the notice') : tr('新增通知', 'New notice')),
    h('label', {}, tr('中文内容（必填）', 'Chinese words (required)')), zh,
    h('label', {}, tr('英文内容', 'English words')), en,
    h('label', {}, tr('录音文件名（可不填）：放在 ', 'Recording name (optional): a WAV file in '), h('span.data', {}, 'voice/announcements/'), tr(' 下', '')), clip,
    h('label', {}, tr('什么时候播放', 'When it plays')), when,
    h('div.row.editor-actions', {},
      h('button', { type: 'button', 'data-testid': 'notice-cancel', onclick: () => void done() }, ic('left'), tr('返回', 'Back')),
      h('button.info', { type: 'button', 'data-testid': 'notice-try', onclick: act(async () => {
        const a = draft();
        if (!a.text.zh) return toast(tr('请填写中文内容', 'Type the words in Chinese'), true);
        await playNow(a);
      }) }, ic('play'), tr('试听', 'Play now')),
      h('button.ok', { type: 'button', 'data-testid': 'notice-save', onclick: save }, ic('check'), tr('保存', 'Save'))),
  ));
}

async function playNow(a) {
  toast(tr('正在准备播放…', 'Getting it ready…'));
  const r = await api('POST', '/api/voice/announcements/play', { id: a.id, text: a.text, ...(a.clip ? { clip: a.clip } : {}) });
  const n = r.lanes.filter((l) => l.result === 'playing').length;
  toast(tr(`正在喇叭播放（${n}个通道）`, `Playing on ${n} loudspeaker${n === 1 ? '' : 's'}`));
}

let shown = null;
const editing = (main) => main.querySelector('.notice-editor') !== null;
// The rail's switch was tapped: this screen's switch follows (never under the editor).
document.addEventListener('kiosk-voice', () => {
  if (shown && S.screen === 'announcements' && shown.main.isConnected && !editing(shown.main)) void shown.load().catch(() => undefined);
});

export function announcementsScreen(main) {
  let timer = null;
  async function load() {
    clearTimeout(timer);
    const [voice, lists] = await Promise.all([api('GET', '/api/voice'), api('GET', '/api/voice/announcements')]);
    if (!main.isConnected || S.screen !== 'announcements') return;
    const all = [...lists.hub.announcements.map((a) => ({ ...a, source: 'hub' })), ...lists.announcements.map((a) => ({ ...a, source: 'local' }))];
    const statusOf = (a) => voice.announcements.find((s) => s.id === a.id && (s.source ?? 'local') === a.source);
    const handlers = {
      play: playNow,
      edit: (a) => editor(main, lists.announcements.find((x) => x.id === a.id), lists.announcements, load),
      remove: (a) => modal([
        h('h2', {}, ic('warn'), tr(`删除这条通知？「${a.text.zh.slice(0, 40)}」`, `Delete this notice? "${a.text.zh.slice(0, 40)}"`)),
        h('div.row', {},
          h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('不删除', 'Keep')),
          h('button.bad', { type: 'button', 'data-testid': 'notice-delete-ok', onclick: act(async () => {
            await api('PUT', '/api/voice/announcements', { announcements: lists.announcements.filter((x) => x.id !== a.id) });
            closeModal();
            toast(tr('已删除（已记入审计）', 'Deleted (audited)'));
            await load();
          }) }, ic('trash'), tr('删除', 'Delete'))),
      ]),
    };
    main.replaceChildren(h('div.cols.notices', {},
      h('section.card', { 'data-testid': 'notices' },
        h('div.row.notices-head', {},
          h('h2', {}, ic('horn'), tr(`广播通知（${all.length}）`, `Announcements (${all.length})`)),
          isAdmin() ? h('button.ok', { type: 'button', 'data-testid': 'notice-add', onclick: () => editor(main, null, lists.announcements, load) }, ic('plus'), tr('新增通知', 'New notice')) : null),
        all.length
          ? h('ul.list.notice-list', {}, all.map((a) => item(a, statusOf(a), handlers)))
          : h('p.aside-note', {}, tr('还没有通知。管理员可以新增，指挥部也可以下发。', 'No notices yet. The admin can add one; the office can send them.'))),
      speakerCard(voice),
    ));
    // A text just saved is rendered in the background: look again until every notice is ready or failed.
    if (voice.announcements.some((s) => !s.ready && !s.problem)) timer = setTimeout(() => {
      if (main.isConnected && S.screen === 'announcements' && !editing(main)) void load().catch(() => undefined);
    }, 1500);
  }
  shown = { main, load };
  void load().catch((e) => toast(e.message, true));
  return null;
}

/** The rail's entry for this screen, for every operator when a lane has a loudspeaker. */
export const announcementsAvailable = () => S.status?.loudspeaker === true;
