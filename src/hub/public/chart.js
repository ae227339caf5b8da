// The overview's 24-hour chart: passages per gate per hour, drawn with uPlot (npm, served by the hub
// from node_modules at /office/vendor/uplot/; no CDN, no bundler), hours in the villages' zone.
import { api, h, ic, tr, zone } from './core.js';

const COLOURS = ['#1f5fbf', '#c62828', '#1e7d3a', '#b76e00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457', '#455a64', '#827717'];
let loading = null;

function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  loading ??= new Promise((resolve, reject) => {
    document.head.append(h('link', { rel: 'stylesheet', href: '/office/vendor/uplot/uPlot.min.css' }));
    const s = h('script', {
      src: '/office/vendor/uplot/uPlot.iife.min.js',
      onload: () => resolve(window.uPlot),
      onerror: () => {
        loading = null;
        s.remove();
        reject(new Error(tr('图表组件加载失败', 'The chart could not be loaded')));
      },
    });
    document.head.append(s);
  });
  return loading;
}

/** A panel that fills itself once the data and uPlot are in: the cards never wait for the chart. */
export function hourlyChart() {
  const plot = h('div.chart-plot', { 'data-testid': 'chart-plot' });
  const panel = h('section.chart', { 'data-testid': 'chart', 'aria-label': tr('24小时各卡口通行量', 'Passages per gate, last 24 hours') }, h('h2', {}, ic('clock'), tr('24小时通行量（每小时，按卡口）', 'Passages per hour by gate, last 24 hours')), plot);
  void draw(panel, plot).catch((err) => plot.replaceChildren(h('p.muted', {}, err.message)));
  return panel;
}

// The overview is drawn again at every live change (each passage); the hourly counts are fetched at
// most every 30 s, which is fresh enough for a chart of hours.
const FRESH_MS = 30_000;
let cached = null;

async function hourly() {
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.data;
  const data = await api('GET', '/office/api/overview/hourly');
  cached = { at: Date.now(), data };
  return data;
}

async function draw(panel, plot) {
  const [c, uPlot] = await Promise.all([hourly(), loadUplot()]);
  const total = c.gates.reduce((a, g) => a + g.passages.reduce((x, y) => x + y, 0), 0);
  panel.dataset.total = String(total);
  panel.dataset.gates = String(c.gates.length);
  if (!c.gates.length) {
    plot.replaceChildren(h('p.muted', {}, tr('尚无卡口', 'No gates yet')));
    return;
  }
  const tz = zone();
  const width = () => Math.max(280, plot.clientWidth || panel.clientWidth - 24);
  const opts = {
    width: width(),
    height: window.innerWidth < 600 ? 220 : 260,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max * 1.1))] } },
    axes: [
      { values: (_u, ticks) => ticks.map((t) => { const d = uPlot.tzDate(new Date(t * 1000), tz); return `${String(d.getHours()).padStart(2, '0')}:00`; }) },
      { label: tr('通行（人次）', 'Passages'), size: 56 },
    ],
    series: [
      { label: tr('时间', 'Hour'), value: (_u, v) => (v === null ? '—' : (() => { const d = uPlot.tzDate(new Date(v * 1000), tz); return `${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:00`; })()) },
      ...c.gates.map((g, i) => ({ label: `${g.site}/${g.gate}`, stroke: COLOURS[i % COLOURS.length], width: 2, points: { size: 5 }, value: (_u, v) => (v === null ? '—' : String(v)) })),
    ],
  };
  const data = [c.hours.map((t) => t / 1000), ...c.gates.map((g) => g.passages)];
  plot.replaceChildren();
  const u = new uPlot(opts, data, plot);
  panel.dataset.drawn = 'true';
  const ro = new ResizeObserver(() => {
    if (!plot.isConnected) {
      ro.disconnect();
      u.destroy();
      return;
    }
    u.setSize({ width: width(), height: opts.height });
  });
  ro.observe(plot);
}
