// Who may publish and subscribe where on the topic tree. One source for the Mosquitto ACL file a
// hub installs (docs/mqtt.md) and for the embedded broker: a gate writes only under its own
// <root>/v1/<site>/<gate>/, reads only the site's and its own commands and Home Assistant's birth
// message; the hub user reads and writes the whole tree.
import { timingSafeEqual } from 'node:crypto';
import { TOPIC_VERSION, UPLINK_LEAVES } from './topics.js';

export interface AccessUser {
  password: string;
  /**
   * 'hub' = the village hub's account: reads every gate's uplink topics, writes only commands;
   * 'admin' = the IT person's diagnostics account (everything under the root); otherwise the gate id.
   */
  role: 'hub' | 'admin' | { gate: string };
}

export interface AccessPolicy {
  root: string;
  site: string;
  users: Record<string, AccessUser>;
  /** Home Assistant discovery prefix gates may announce under. */
  haPrefix?: string;
}

/** MQTT topic filter match (+ one level, # the rest); `$` topics never match a wildcard first level. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '+' || f[0] === '#') && t[0]?.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return true;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `sub` can match is also matched by `allowed` (a subscription inside the allowed tree). */
export function filterWithin(allowed: string, sub: string): boolean {
  const a = allowed.split('/');
  const s = sub.split('/');
  for (let i = 0; i < a.length; i++) {
    const part = a[i];
    if (part === '#') return true;
    const sp = s[i];
    if (sp === undefined) return false;
    if (sp === '#') return false;
    if (part === '+') {
      continue;
    }
    if (sp === '+' || sp !== part) return false;
  }
  return a.length === s.length;
}

export interface Rules {
  write: string[];
  read: string[];
}

export function rulesFor(policy: AccessPolicy, user: AccessUser): Rules {
  const base = `${policy.root}/${TOPIC_VERSION}/${policy.site}`;
  const ha = policy.haPrefix ?? 'homeassistant';
  if (user.role === 'admin') return { write: [`${policy.root}/#`, `${ha}/#`], read: [`${policy.root}/#`, `${ha}/#`] };
  if (user.role === 'hub') {
    // Any site: one hub (or a county's workers) may serve several.
    const tree = `${policy.root}/${TOPIC_VERSION}/+`;
    return { write: [`${tree}/cmd/#`, `${tree}/+/cmd/#`], read: [...UPLINK_LEAVES.map((leaf) => `${tree}/+/${leaf}`), `${tree}/+/door/+`] };
  }
  const g = user.role.gate;
  return {
    write: [`${base}/${g}/#`, `${ha}/+/+/+/config`, `${ha}/+/+/config`],
    read: [`${base}/cmd/#`, `${base}/${g}/cmd/#`, `${ha}/status`],
  };
}

export function checkPassword(policy: AccessPolicy, username: string | undefined, password: Buffer | string | undefined): AccessUser | undefined {
  if (username === undefined || password === undefined) return undefined;
  const user = policy.users[username];
  if (!user) return undefined;
  const a = Buffer.from(user.password);
  const b = Buffer.isBuffer(password) ? password : Buffer.from(password);
  return a.length === b.length && timingSafeEqual(a, b) ? user : undefined;
}

export const mayPublish = (rules: Rules, topic: string) => rules.write.some((f) => topicMatches(f, topic));
export const maySubscribe = (rules: Rules, filter: string) => rules.read.some((f) => filterWithin(f, filter));

/** The same rules as a Mosquitto `acl_file` (the hub installs it; see docs/mqtt.md). */
export function mosquittoAcl(policy: AccessPolicy): string {
  const lines: string[] = [];
  for (const [name, user] of Object.entries(policy.users)) {
    const r = rulesFor(policy, user);
    const both = r.write.filter((w) => r.read.includes(w));
    lines.push(`user ${name}`);
    for (const t of both) lines.push(`topic readwrite ${t}`);
    for (const t of r.write.filter((w) => !both.includes(w))) lines.push(`topic write ${t}`);
    for (const t of r.read.filter((w) => !both.includes(w))) lines.push(`topic read ${t}`);
    lines.push('');
  }
  return lines.join('\n');
}
