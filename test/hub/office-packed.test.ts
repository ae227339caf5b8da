// The shipped program (`gate hub run`, packed by scripts/pack.mjs) serves the office's page files and
// the npm packages they load from node_modules (uPlot for the 24-hour chart, the CJK font): the
// release carries them, with no CDN. Only the named files are served, not the packages' other files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { SITE } from './harness.js';
import { type HubProcess, startHubProcess, writeHubConfig } from './process.js';

let broker: TestBroker;
let hub: HubProcess;

beforeAll(async () => {
  broker = await startMosquitto({ site: SITE, gates: ['g1'] });
  hub = await startHubProcess(writeHubConfig(tempDir('office-packed-'), broker));
}, 60_000);

afterAll(async () => {
  await hub?.kill('SIGTERM');
  await broker?.close();
});

describe('the packed hub serves the office', () => {
  it('the page, its chart module, uPlot and the font from node_modules', async () => {
    const office = hub.apiUrl.replace(/\/api\/v1$/, '');
    const get = (path: string) => fetch(`${office}${path}`);
    expect(await (await get('/office/')).text()).toContain('/office/assets/office.js');
    const chart = await get('/office/assets/chart.js');
    expect(await chart.text()).toContain('/office/vendor/uplot/uPlot.iife.min.js');
    const uplot = await get('/office/vendor/uplot/uPlot.iife.min.js');
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toContain('javascript');
    expect(await uplot.text()).toContain('uPlot');
    expect((await get('/office/vendor/uplot/uPlot.min.css')).status).toBe(200);
    expect((await get('/office/vendor/uplot/uPlot.esm.js')).status).toBe(404);
    expect((await get('/office/vendor/uplot/../package.json')).status).toBe(404);
    expect((await get('/office/vendor/noto-sans-sc/400.css')).status).toBe(200);
  });
});
