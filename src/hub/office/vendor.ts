// Where the npm packages the office page ships are (the CJK font), found without a CDN.
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
