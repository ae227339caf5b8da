// The `gate` command-line tool. Each subcommand lives in src/cli/commands/<name>.ts and exports
// `register(program)`; they are discovered here so a capability adds a file, not an edit.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../kernel/version.js';

export interface CommandModule {
  register(program: Command): void;
}

/** Exit codes: 0 ok, 1 failure, 2 bad configuration or usage. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('gate')
    .description('检查站卡口设备 — checkpoint gate appliance: daemon and operator tools')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const all = readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map')).sort();
  // A command lives in the file of its name: load just that one (a CLI call over SSH stays quick);
  // everything for --help, an unknown command or no command at all.
  const wanted = argv[0] && !argv[0].startsWith('-') ? all.filter((f) => f.replace(/\.(js|ts)$/, '') === argv[0]) : [];
  const files = wanted.length ? wanted : all;
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<CommandModule>;
    if (typeof mod.register === 'function') mod.register(program);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return err.exitCode === 1 ? 2 : err.exitCode;
    }
    console.error(`gate: ${(err as Error).message}`);
    return 1;
  }
}
