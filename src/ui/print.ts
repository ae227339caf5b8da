// Printable pages made on the server: the visitor slip and a sheet of pass cards. Plain HTML with
// print CSS, the QR codes as inline SVG (src/cards/qr-svg.ts, @zxing/library). Names are masked.
// The QR encoder (1.3 MB of @zxing/library) is loaded on the first print, not at start.
const qrEncoder = async () => (await import('../cards/qr-svg.js')).qrSvg;

const esc = (s: string | number | undefined) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<link rel="stylesheet" href="/vendor/noto-sans-sc/400.css"><link rel="stylesheet" href="/assets/print.css"></head>
<body>${body}<p class="no-print"><button type="button" id="print">打印 Print</button></p><script src="/assets/print.js"></script></body></html>`;
}

export interface SlipData {
  site: string;
  gate: string;
  id: string;
  token: string;
  name: string;
  host?: string;
  escort?: string;
  plate?: string;
  registeredAt: string;
  validUntil?: string;
}

export async function visitorSlip(d: SlipData): Promise<string> {
  const qrSvg = await qrEncoder();
  return page(
    `访客单 ${d.id}`,
    `<section class="slip"><h1>${esc(d.site)} · 访客通行单</h1><p class="en">Visitor slip · ${esc(d.gate)}</p>
<div class="qr">${qrSvg(d.token, undefined, 6)}</div><p class="id">${esc(d.id)}</p>
<dl><dt>访客 Visitor</dt><dd>${esc(d.name)}</dd>
<dt>被访户 Visiting</dt><dd>${esc(d.host ?? '—')}</dd>
<dt>陪同人 Escort</dt><dd>${esc(d.escort ?? '—')}</dd>
<dt>车牌 Plate</dt><dd>${esc(d.plate ?? '—')}</dd>
<dt>登记时间 Registered</dt><dd>${esc(d.registeredAt)}</dd></dl>
<p class="note">离开时请在卡口出示本单销号。Show this slip at the gate when you leave.</p></section>`,
  );
}

export interface CardPrint {
  id: string;
  token: string;
  type: string;
  holder: string;
  household?: string;
  plate?: string;
}

const TYPE_ZH: Record<string, string> = { household: '户卡 一户一卡', person: '人卡 一人一卡', vehicle: '车证 一车一证', staff: '工作证', visitor: '访客卡' };

export async function cardSheet(site: string, cards: CardPrint[]): Promise<string> {
  const qrSvg = await qrEncoder();
  const items = cards
    .map(
      (c) => `<article class="card"><header>${esc(site)} 出入证</header><div class="qr">${qrSvg(c.token, undefined, 3)}</div>
<p class="type">${esc(TYPE_ZH[c.type] ?? c.type)}</p><p class="holder">${esc(c.holder)}</p>${c.household ? `<p>户 ${esc(c.household)}</p>` : ''}${c.plate ? `<p>车牌 ${esc(c.plate)}</p>` : ''}<p class="id">${esc(c.id)}</p></article>`,
    )
    .join('\n');
  return page('出入证 Pass cards', `<section class="sheet">${items || '<p>没有有效的出入证 No active cards</p>'}</section>`);
}
