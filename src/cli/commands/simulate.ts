import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseScenario, ScenarioError } from '../../gate/scenario/parse.js';
import { runScenario } from '../../gate/scenario/run.js';

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Replay a scenario file through the gate core; prints one JSON line per decided passage (exit 2 on a bad file)')
    .argument('<file>', 'Scenario YAML (see docs/scenarios.md)')
    .action((file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        console.error(`${file}: cannot read the scenario (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        process.exitCode = 2;
        return;
      }
      try {
        for (const line of runScenario(parseScenario(text)).lines) console.log(JSON.stringify(line));
      } catch (err) {
        if (err instanceof ScenarioError) for (const p of err.problems) console.error(`${file}: ${p}`);
        else console.error(`${file}: ${(err as Error).message}`);
        process.exitCode = 2;
      }
    });
}
