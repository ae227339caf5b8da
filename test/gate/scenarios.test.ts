// The example scenarios in scenarios/ replayed through the real gate code, against their expected output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/gate/scenario/parse.js';
import { runScenario } from '../../src/gate/scenario/run.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/gate', name), 'utf8');

describe('example scenarios', () => {
  it('cover the practice with ten or more files, each with its expected output', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
    for (const f of FILES) expect(readdirSync(DIR)).toContain(f.replace(/\.yaml$/, '.expected.jsonl'));
  });

  it.each(FILES)('%s gives its expected passages', (file) => {
    const lines = runScenario(parseScenario(readFileSync(join(DIR, file), 'utf8'))).lines.map((l) => JSON.stringify(l));
    const expected = readFileSync(join(DIR, file.replace(/\.yaml$/, '.expected.jsonl')), 'utf8').trim().split('\n');
    expect(lines).toEqual(expected);
  });

  it('replays the same file to the same output (deterministic ids, keys and clock)', () => {
    const text = readFileSync(join(DIR, FILES[0] as string), 'utf8');
    expect(runScenario(parseScenario(text)).lines).toEqual(runScenario(parseScenario(text)).lines);
  });

  it('ends every passage, even those left in progress at the end of the file', () => {
    const run = runScenario(parseScenario(fixture('unfinished.yaml')));
    expect(run.lines.map((l) => l.outcome)).toEqual(['abandoned']);
    expect(run.core.lanes().every((l) => l.stage === 'idle')).toBe(true);
  });
});

describe('scenario validation', () => {
  const problems = (text: string): string[] => {
    try {
      parseScenario(text);
    } catch (err) {
      if (err instanceof ScenarioError) return err.problems;
      throw err;
    }
    return [];
  };

  it('names the row, the field and the line of each problem', () => {
    const p = problems(fixture('bad-scenario.yaml'));
    expect(p).toContainEqual(expect.stringMatching(/^events\[1\]\.temperature \(line 8\): /));
    expect(p).toContainEqual(expect.stringMatching(/^events\[2\]\.scan\.cardd \(line 9\): unknown field/));
    expect(p).toContainEqual(expect.stringMatching(/^roster\.persons\[0\]\.idNumber \(line 4\): /));
  });

  it('needs exactly one action per event and one credential per scan', () => {
    const p = problems(fixture('ambiguous-events.yaml'));
    expect(p).toContainEqual(expect.stringMatching(/^events\[0\] \(line 4\): an event needs exactly one of .* \(found scan, temperature\)/));
    expect(p).toContainEqual(expect.stringMatching(/^events\[1\]\.scan \(line 5\): a scan needs exactly one of card, id, visitor, text/));
    expect(p).toContainEqual(expect.stringMatching(/^events\[2\] \(line 6\): an event needs exactly one .*found none/));
  });

  it('checks rule overrides against the rules schema and the start time', () => {
    const p = problems('name: x\nstart: the day before yesterday\nrules: { feverThreshold: 45, colour: red }\nevents: []\n');
    expect(p).toContainEqual(expect.stringMatching(/^start \(line 2\): expected an ISO 8601 time/));
    expect(p).toContainEqual(expect.stringMatching(/^rules\.feverThreshold \(line 3\)/));
    expect(p).toContainEqual(expect.stringMatching(/^rules \(line 3\): unknown rule colour/));
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('name: x\nevents: [\n  - {at: 1\n')).toContainEqual(expect.stringMatching(/^line \d+: /));
  });

  it('says which card a scan names when the roster lacks it', () => {
    expect(() => runScenario(parseScenario('name: x\nstart: 2026-11-23T08:00:00+08:00\nevents:\n  - { scan: { card: nope } }\n'))).toThrow(/card "nope", which is not in its roster.cards/);
  });
});
