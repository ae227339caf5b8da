// `gate devices`: the serial ports and input devices this machine has, with the paths to put in the config.
import type { Command } from 'commander';
import { listGpioChipsAt, listInputDevices, listSerialPorts } from '../../devices/inventory.js';

export function register(program: Command): void {
  program
    .command('devices')
    .description('List serial ports and input devices (works without udevadm); use the /dev/serial/by-id/… and /dev/input/by-id/… paths in the config')
    .option('--json', 'print JSON instead of text')
    .option('--root <dir>', 'look under this directory instead of / (e.g. a mounted SD card image)', '/')
    .action((opts: { json?: boolean; root: string }) => {
      const serial = listSerialPorts(opts.root);
      const input = listInputDevices(opts.root);
      const gpio = listGpioChipsAt(opts.root);
      if (opts.json) {
        console.log(JSON.stringify({ serial, input, gpio }, null, 2));
        return;
      }
      console.log(`Serial ports (${serial.length}):`);
      if (!serial.length) console.log('  none found (a USB serial adapter shows up as /dev/ttyUSB* or /dev/ttyACM*)');
      for (const p of serial) {
        const usb = p.usb ? ` USB ${p.usb.vendorId}:${p.usb.productId ?? '?'} ${[p.usb.manufacturer, p.usb.product].filter(Boolean).join(' ')}` : '';
        console.log(`  ${p.byId[0] ?? p.path}${p.byId[0] ? ` → ${p.path}` : ''}${p.driver ? ` [${p.driver}]` : ''}${usb}`);
      }
      console.log(`Input devices (${input.length}):`);
      if (!input.length) console.log('  none found');
      for (const d of input) {
        const where = d.byId[0] ?? d.path ?? '(no event device)';
        console.log(`  ${where}${d.byId[0] && d.path ? ` → ${d.path}` : ''}  "${d.name}"${d.keyboard ? '  keyboard: a keyboard-wedge scanner? use driver "hid"' : ''}`);
      }
      console.log(`GPIO chips (${gpio.sysfs.length || gpio.dev.length}):`);
      if (gpio.sysfs.length) for (const c of gpio.sysfs) console.log(`  ${c.name}  label "${c.label}"  sysfs base ${c.base}, ${c.ngpio} lines`);
      else if (gpio.dev.length) console.log(`  ${gpio.dev.join(' ')} (no sysfs GPIO: use driver "gpiod"; gpiodetect shows the labels)`);
      else console.log('  none found');
    });
}
