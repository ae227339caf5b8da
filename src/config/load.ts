// Load, merge, default and validate the configuration. A bad file never half-starts the daemon.
import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { parseDocument } from 'yaml';
import { type Config, ConfigSchema } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${problems.length} problem(s) in the configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvOverrides = Array<[string, string[], 'string' | 'int' | 'bool']>;

/** Secrets and deployment specifics that may come from the environment instead of the file. */
const ENV_OVERRIDES: EnvOverrides = [
  ['GATE_ADMIN_PIN', ['kiosk', 'adminPin'], 'string'],
  ['GATE_MQTT_URL', ['mqtt', 'url'], 'string'],
  ['GATE_MQTT_USERNAME', ['mqtt', 'username'], 'string'],
  ['GATE_MQTT_PASSWORD', ['mqtt', 'password'], 'string'],
  ['GATE_KIOSK_PORT', ['kiosk', 'port'], 'int'],
  ['GATE_KIOSK_HOST', ['kiosk', 'host'], 'string'],
  ['GATE_STORAGE_PATH', ['storage', 'path'], 'string'],
  ['GATE_KEY_DIR', ['cards', 'keyDir'], 'string'],
  ['GATE_LOG_LEVEL', ['logging', 'level'], 'string'],
];

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function at(obj: unknown, pointer: string): unknown {
  let cur: unknown = obj;
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function dotted(pointer: string): string {
  const parts = pointer.split('/').slice(1);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
}

/** One line per problem: the option's path, what was expected, what was found. */
export function validateConfig(input: unknown): { config?: Config; problems: string[] } {
  return validateAgainst<Config>(ConfigSchema, input);
}

/** The same for any configuration schema (the hub has its own). */
export function validateAgainst<T>(schema: TSchema, input: unknown): { config?: T; problems: string[] } {
  const withDefaults = Value.Default(schema, Value.Clone(input ?? {}));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, withDefaults)) {
    const params = e.params as Record<string, unknown>;
    let line: string;
    if (e.keyword === 'boolean') continue; // reported by its 'additionalProperties' twin
    if (e.keyword === 'additionalProperties') {
      const extra = (params.additionalProperties as string[] | undefined) ?? [];
      for (const name of extra) {
        const path = dotted(`${e.instancePath}/${name}`);
        line = `${path}: unknown option (expected one of: ${Object.keys(schemaAt(schema, e.schemaPath)?.properties ?? {}).join(', ') || 'none'}), found ${describe(at(withDefaults, `${e.instancePath}/${name}`))}`;
        if (!seen.has(path)) problems.push(line);
        seen.add(path);
      }
      continue;
    }
    const path = e.keyword === 'required' ? dotted(`${e.instancePath}/${(params.requiredProperties as string[] | undefined)?.[0] ?? ''}`) : dotted(e.instancePath);
    if (seen.has(path)) continue;
    seen.add(path);
    const found = e.keyword === 'required' ? 'nothing' : describe(at(withDefaults, e.instancePath));
    line = `${path}: expected ${expectation(e.keyword, params, e.message)}, found ${found}`;
    problems.push(line);
  }
  if (problems.length) return { problems };
  return { config: withDefaults as T, problems };
}

function schemaAt(schema: TSchema, schemaPath: string): { properties?: Record<string, unknown> } | undefined {
  return at(schema, schemaPath.replace(/^#/, '')) as { properties?: Record<string, unknown> } | undefined;
}

function expectation(keyword: string, params: Record<string, unknown>, message: string): string {
  switch (keyword) {
    case 'type':
      return `${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${params.type}`;
    case 'minimum':
      return `a number >= ${params.limit}`;
    case 'maximum':
      return `a number <= ${params.limit}`;
    case 'pattern':
      return `text matching ${params.pattern}`;
    case 'minItems':
      return `a list of at least ${params.limit} item(s)`;
    case 'minLength':
      return `text of at least ${params.limit} character(s)`;
    case 'required':
      return 'a value (required)';
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'anyOf':
    case 'oneOf':
      return 'one of the allowed values (see config/default.yaml)';
    default:
      return message.replace(/^must be /, '');
  }
}

export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, overrides: EnvOverrides = ENV_OVERRIDES): { raw: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const out = structuredClone(raw);
  for (const [name, path, kind] of overrides) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    let value: unknown = v;
    if (kind === 'int') {
      if (!/^\d+$/.test(v)) {
        problems.push(`env ${name}: expected a whole number, found ${JSON.stringify(v)}`);
        continue;
      }
      value = Number(v);
    } else if (kind === 'bool') value = v === '1' || v === 'true';
    let cur = out;
    for (const p of path.slice(0, -1)) {
      if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[path[path.length - 1] as string] = value;
  }
  return { raw: out, problems };
}

export function parseConfigText(text: string, file?: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`), file);
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`(root): expected a mapping of options, found ${describe(value)}`], file);
  return value as Record<string, unknown>;
}

/** Read a YAML file (or none), apply environment overrides, fill defaults and validate. Throws ConfigError. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env, base: Record<string, unknown> = {}): Config {
  return loadAgainst<Config>(ConfigSchema, ENV_OVERRIDES, file, env, base);
}

/** loadConfig for any configuration schema and its environment overrides. */
export function loadAgainst<T>(schema: TSchema, overrides: EnvOverrides, file: string | undefined, env: NodeJS.ProcessEnv = process.env, base: Record<string, unknown> = {}): T {
  let raw: Record<string, unknown> = base;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read the file: ${(err as Error).message}`], file);
    }
    raw = { ...base, ...parseConfigText(text, file) };
  }
  const envd = applyEnv(raw, env, overrides);
  const { config, problems } = validateAgainst<T>(schema, envd.raw);
  const all = [...envd.problems, ...problems];
  if (all.length || !config) throw new ConfigError(all, file);
  return config;
}
