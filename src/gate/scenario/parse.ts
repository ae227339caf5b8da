// Parse and validate a scenario file's text. Every problem names the event row, the field and the
// YAML line, so a scenario author can fix the file without reading code.
import Value from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { type RulesConfig, RulesSchema } from '../config.js';
import { EVENT_KINDS, type EventKind, type Scenario, type ScenarioEventT, ScenarioSchema } from './schema.js';

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in the scenario:\n${problems.join('\n')}`);
    this.name = 'ScenarioError';
  }
}

export interface ParsedScenario {
  scenario: Scenario;
  rules: RulesConfig;
  /** Wall ms of the start. */
  start: number;
}

function dotted(pointer: string): string {
  return pointer.split('/').slice(1).reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
}

/** The one action an event carries. */
export function eventKind(e: ScenarioEventT): EventKind | undefined {
  return EVENT_KINDS.find((k) => e[k] !== undefined);
}

export function parseScenario(text: string): ParsedScenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) throw new ScenarioError(doc.errors.map((e) => `line ${lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));
  const raw: unknown = doc.toJS();
  const lineOf = (pointer: string): string => {
    const path = pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return ` (line ${lc.linePos(node.range[0]).line})`;
    }
    return '';
  };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(ScenarioSchema, raw)) {
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath;
    if (e.keyword === 'additionalProperties') path += `/${((params.additionalProperties as string[]) ?? [])[0] ?? ''}`;
    if (e.keyword === 'required') path += `/${((params.requiredProperties as string[]) ?? [])[0] ?? ''}`;
    const key = dotted(path);
    if (seen.has(key) || e.keyword === 'boolean') continue;
    seen.add(key);
    const what = e.keyword === 'additionalProperties' ? 'unknown field' : e.keyword === 'required' ? 'missing' : e.message;
    problems.push(`${key}${lineOf(path)}: ${what}`);
  }
  if (problems.length) throw new ScenarioError(problems);
  const scenario = raw as Scenario;
  const start = Date.parse(scenario.start);
  if (!Number.isFinite(start) || !/(Z|[+-]\d\d:?\d\d)$/.test(scenario.start)) problems.push(`start${lineOf('/start')}: expected an ISO 8601 time with an offset, e.g. 2026-11-23T08:00:00+08:00`);
  scenario.events.forEach((e, i) => {
    const kinds = EVENT_KINDS.filter((k) => e[k] !== undefined);
    if (kinds.length !== 1) problems.push(`events[${i}]${lineOf(`/events/${i}`)}: an event needs exactly one of ${EVENT_KINDS.join(', ')} (found ${kinds.join(', ') || 'none'})`);
    const s = e.scan;
    if (s && [s.card, s.id, s.visitor, s.text].filter((x) => x !== undefined).length !== 1) problems.push(`events[${i}].scan${lineOf(`/events/${i}/scan`)}: a scan needs exactly one of card, id, visitor, text`);
    if (s?.tamper && !s.card) problems.push(`events[${i}].scan.tamper${lineOf(`/events/${i}/scan/tamper`)}: tamper applies to a card scan only`);
  });
  const rulesIn = Value.Default(RulesSchema, Value.Clone(scenario.rules ?? {}));
  for (const e of Value.Errors(RulesSchema, rulesIn)) problems.push(`rules${dotted(e.instancePath) === '(root)' ? '' : `.${dotted(e.instancePath)}`}${lineOf(`/rules${e.instancePath}`)}: ${e.keyword === 'additionalProperties' ? `unknown rule ${((e.params as { additionalProperties?: string[] }).additionalProperties ?? []).join(', ')}` : e.message}`);
  if (problems.length) throw new ScenarioError(problems);
  return { scenario, rules: rulesIn as RulesConfig, start };
}
