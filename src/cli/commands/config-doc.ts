import type { Command } from 'commander';
import { documentedDefaultConfig } from '../../config/document.js';

export function register(program: Command): void {
  program
    .command('config-doc')
    .description('Print the documented default configuration (every option with its default and meaning)')
    .action(() => {
      process.stdout.write(documentedDefaultConfig());
    });
}
