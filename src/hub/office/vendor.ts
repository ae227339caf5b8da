// Where the npm packages the office page ships are (the CJK font, uPlot for the 24-hour chart),
// found without a CDN: served from node_modules, so the packed release and the offline bundle carry them.
import { createRequire } from 'node:module';
import { sep } from 'node:path';

const require = createRequire(import.meta.url);

function packageDirOf(name: string): string {
  const entry = require.resolve(name);
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`Cannot locate the ${name} package directory`);
  return entry.slice(0, at + marker.length);
}

export const fontDir = () => packageDirOf('@fontsource/noto-sans-sc');

/** uPlot's built files (dist/): the page loads uPlot.iife.min.js and uPlot.min.css only. */
export const uplotDir = () => `${packageDirOf('uplot')}dist`;
