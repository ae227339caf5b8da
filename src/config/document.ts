// Writes config/default.yaml from the schema, so the documented defaults can never drift from it.
import { ConfigSchema } from './schema.js';

interface Schema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

function yamlScalar(v: unknown): string {
  if (typeof v === 'string') return /^[A-Za-z0-9_./-]+(:[A-Za-z0-9_./-]+)*$/.test(v) && !/^(true|false|null|yes|no|on|off|\d.*)$/i.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(yamlScalar).join(', ')}]`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function typeHint(s: Schema): string {
  if (s.anyOf) return s.anyOf.map((a) => (a.const !== undefined ? String(a.const) : (a.type ?? '?'))).join(' | ');
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ''}..${s.maximum ?? ''}` : '';
  return `${s.type ?? 'value'}${range}`;
}

function render(schema: Schema, indent: string, lines: string[]): void {
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.description) for (const d of prop.description.split('\n')) lines.push(`${indent}# ${d}`);
    const isObject = prop.type === 'object' && prop.properties;
    if (isObject && (required.has(key) || prop.default !== undefined)) {
      lines.push(`${indent}${key}:`);
      render(prop, `${indent}  `, lines);
      continue;
    }
    if (isObject) {
      lines.push(`${indent}# ${key}:            (optional block)`);
      const sub: string[] = [];
      render(prop, '  ', sub);
      for (const l of sub) lines.push(`${indent}# ${l}`);
      continue;
    }
    if (prop.default !== undefined) {
      const hint = prop.anyOf ? `  # ${typeHint(prop)}` : '';
      lines.push(`${indent}${key}: ${yamlScalar(prop.default)}${hint}`);
    } else lines.push(`${indent}# ${key}:             (${typeHint(prop)}; unset by default)`);
  }
}

/** Every option of `schema` as commented YAML, after the header lines. */
export function documentSchema(schema: unknown, header: string[]): string {
  const lines = [...header, ''];
  render(schema as Schema, '', lines);
  return `${lines.join('\n')}\n`;
}

export function documentedDefaultConfig(): string {
  const lines = [
    '# Checkpoint gate configuration — every option, with its default.',
    '# Generated from the schema (src/config/schema.ts) by `gate config-doc`; a test keeps it in step.',
    '# Copy it to /etc/checkpoint-gate/config.yaml and change what you need; see config/examples/ for hardware.',
    '# Secrets may come from the environment instead: GATE_ADMIN_PIN, GATE_MQTT_USERNAME, GATE_MQTT_PASSWORD,',
    '# GATE_MQTT_URL, GATE_KIOSK_HOST, GATE_KIOSK_PORT, GATE_STORAGE_PATH, GATE_KEY_DIR, GATE_LOG_LEVEL.',
    '',
  ];
  render(ConfigSchema as unknown as Schema, '', lines);
  return `${lines.join('\n')}\n`;
}
