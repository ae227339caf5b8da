// A process that starts a pty simulator and waits to be killed (used by pty-device.test.ts).
import { startPtyDevice } from '../../hardware-mocks/pty-device.js';

const [dir, name] = process.argv.slice(2);
if (!dir || !name) throw new Error('usage: pty-child.ts DIR NAME');
const d = await startPtyDevice({ kind: 'scanner', dir, name });
console.log(`ready ${d.path}`);
setInterval(() => {}, 60_000);
