// Validates messages captured from a broker against the payload schemas of docs/asyncapi.yaml
// (the file as committed, not the TypeBox source), with ajv.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

interface Doc {
  channels: Record<string, { subscribe?: { message: { $ref: string } }; publish?: { message: { $ref: string } } }>;
  components: { messages: Record<string, { payload: { $ref?: string } & Record<string, unknown> }>; schemas: Record<string, Record<string, unknown>> };
}

export function loadAsyncApi(): Doc {
  return parse(readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8')) as Doc;
}

export async function validateCaptured(messages: Array<{ topic: string; payload: Buffer }>): Promise<{ checked: Record<string, number>; unmatched: string[]; errors: string[] }> {
  const doc = loadAsyncApi();
  const ajv = new Ajv({ strict: false, allErrors: true });
  const channels: Array<{ re: RegExp; name: string; validate: ValidateFunction; text: boolean }> = [];
  for (const [name, ch] of Object.entries(doc.channels)) {
    const op = ch.subscribe ?? ch.publish;
    if (!op) continue;
    const msgName = op.message.$ref.split('/').pop() as string;
    const msg = doc.components.messages[msgName];
    if (!msg) throw new Error(`docs/asyncapi.yaml: channel ${name} names a missing message ${msgName}`);
    const ref = msg.payload.$ref;
    const schema = ref ? doc.components.schemas[ref.split('/').pop() as string] : msg.payload;
    if (!schema) throw new Error(`docs/asyncapi.yaml: message ${msgName} names a missing schema ${ref}`);
    const re = new RegExp(`^${name.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const key = msgName === 'Outbox' ? (name.split('/').pop() as string) : msgName === 'HaDiscovery' ? 'haDiscovery' : name.split('/').slice(-1)[0] === 'status' ? 'haStatus' : (name.split('/').pop() as string);
    channels.push({ re, name: key, validate: ajv.compile(schema), text: msgName === 'HaStatus' });
  }
  const checked: Record<string, number> = {};
  const unmatched: string[] = [];
  const errors: string[] = [];
  for (const m of messages) {
    // An empty retained message only clears the topic.
    if (m.payload.length === 0) continue;
    const ch = channels.find((c) => c.re.test(m.topic));
    if (!ch) {
      if (unmatched.length < 20) unmatched.push(m.topic);
      continue;
    }
    let body: unknown;
    if (ch.text) body = m.payload.toString();
    else {
      try {
        body = JSON.parse(m.payload.toString());
      } catch {
        if (errors.length < 20) errors.push(`${m.topic}: not JSON`);
        continue;
      }
    }
    checked[ch.name] = (checked[ch.name] ?? 0) + 1;
    if (!ch.validate(body) && errors.length < 20) errors.push(`${m.topic}: ${ajv.errorsText(ch.validate.errors)} in ${m.payload.toString().slice(0, 200)}`);
  }
  return { checked, unmatched, errors };
}
