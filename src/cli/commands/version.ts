import type { Command } from 'commander';
import { VERSION } from '../../kernel/version.js';

export function register(program: Command): void {
  program
    .command('version')
    .description('Print the version, Node.js version and platform')
    .action(() => {
      console.log(`gate ${VERSION} (node ${process.version}, ${process.platform}-${process.arch})`);
    });
}
