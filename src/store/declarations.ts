// Health declarations (健康申报) the hub sent down, and which member was admitted on which
// (docs/declare.md). A member is used once: the primary key of declaration_uses refuses a second use.
// The types are in ./declaration-types.ts.
import type { VisitorForm, VisitorRecord } from './visitors.js';
import { json, type StoreCtx } from './db.js';
import type { DeclarationLedger, DeclaredPerson } from './declaration-types.js';
import { defaultPriority, type Outbox } from './outbox.js';
import type { Visitors } from './visitors.js';

export class DeclarationUsedError extends Error {
  constructor(id: string, index: number) {
    super(`Declaration ${id.slice(0, 6)}… member ${index + 1} was already used`);
    this.name = 'DeclarationUsedError';
  }
}

type Row = { id: string; kind: string; issued_at: number; expires_at: number; members: string };

export function createDeclarations(
  ctx: StoreCtx,
  o: { write: <T>(fn: () => T) => T; outbox: Outbox; visitors: Visitors; changed: (what: 'visitors' | 'outbox') => void },
): DeclarationLedger<VisitorForm, VisitorRecord> {
  const { db } = ctx;
  const getVersion = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'declarations_version'");
  const setVersion = db.prepare("INSERT INTO meta (key, value) VALUES ('declarations_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  const upsert = db.prepare(`INSERT INTO declarations (id, kind, issued_at, expires_at, members, received_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, issued_at = excluded.issued_at, expires_at = excluded.expires_at, members = excluded.members`);
  const get = db.prepare<[string], Row>('SELECT id, kind, issued_at, expires_at, members FROM declarations WHERE id = ?');
  const uses = db.prepare<[string], { member_index: number; visitor_id: string | null; person_id: string | null; used_at: number }>(
    'SELECT member_index, visitor_id, person_id, used_at FROM declaration_uses WHERE declaration_id = ? ORDER BY member_index',
  );
  const use = db.prepare('INSERT INTO declaration_uses (declaration_id, member_index, visitor_id, person_id, used_at, used_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const version = () => Number(getVersion.get()?.value ?? 0);

  function markUsed(id: string, index: number, who: { visitorId?: string; personId?: string; operatorId?: string }): void {
    const r = use.run(id, index, who.visitorId ?? null, who.personId ?? null, ctx.now(), who.operatorId ?? null);
    if (r.changes === 0) throw new DeclarationUsedError(id, index);
  }

  return {
    version,
    apply(list, v) {
      return o.write(() => {
        if (v <= version()) return 'stale';
        const now = ctx.now();
        for (const d of list) upsert.run(d.id, d.kind, d.issuedAt, d.expiresAt, JSON.stringify(d.members), now);
        setVersion.run(String(v));
        return 'applied';
      });
    },
    get(id) {
      const r = get.get(id);
      return r ? { id: r.id, kind: r.kind === 'return' ? 'return' : 'visit', issuedAt: r.issued_at, expiresAt: r.expires_at, members: json<DeclaredPerson[]>(r.members, []) } : undefined;
    },
    uses: (id) =>
      uses.all(id).map((u) => ({ index: u.member_index, usedAt: u.used_at, ...(u.visitor_id ? { visitorId: u.visitor_id } : {}), ...(u.person_id ? { personId: u.person_id } : {}) })),
    admitVisitor(id, index, form) {
      const v = o.write(() => {
        const visitor = o.visitors.register(form);
        markUsed(id, index, { visitorId: visitor.id, ...(form.operatorId ? { operatorId: form.operatorId } : {}) });
        o.outbox.insert('state', { type: 'visitor.declared', visitorId: visitor.id, declaration: id, member: index }, defaultPriority('state'));
        return visitor;
      });
      o.changed('visitors');
      o.changed('outbox');
      return v;
    },
    confirmReturn(id, index, who) {
      o.write(() => {
        markUsed(id, index, who);
        o.outbox.insert('state', { type: 'quarantine.declared-return', declaration: id, member: index, ...(who.personId ? { personId: who.personId } : {}) }, defaultPriority('state'));
      });
      o.changed('outbox');
    },
  };
}
