// The rows of each exported ledger (台账), with Chinese/English headers. Masked unless `full`.
import type { Alert, Passage } from '../gate/model.js';
import { json, type StoreCtx } from './db.js';
import { maskName, maskPhone, maskResidentId } from './mask.js';
import { localDateTime } from './time.js';
import type { VisitorRow } from './visitors.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

export type ExportKind = 'passages' | 'visitors' | 'refusals' | 'alerts' | 'duty';

export interface ExportTable {
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** The ledgers (台账) as rows for export. */
export interface ExportLedger {
  /**
   * The rows of a ledger for export, wall ms range [from, to). ID numbers, phones and names are
   * masked unless `full`, which needs an active admin operator and is audited ('export-full').
   * Formatting (CSV/XLSX) is in ./export.ts.
   */
  exportRows(what: ExportKind, q: { from: number; to: number; full?: boolean; operatorId?: string; format?: string }): ExportTable;
}

const DIRECTION: Record<string, string> = { in: '进 in', out: '出 out' };
const OUTCOME: Record<string, string> = { admitted: '通过 admitted', refused: '劝返 refused', overridden: '人工放行 overridden', abandoned: '未完成 abandoned' };

export function exportRows(ctx: StoreCtx, what: ExportKind, from: number, to: number, full: boolean): ExportTable {
  const { db } = ctx;
  const t = (ms: number | null | undefined) => (ms == null ? '' : localDateTime(ms, ctx.timeZone));
  const name = (n: string | null | undefined) => (n ? (full ? n : maskName(n)) : '');
  switch (what) {
    case 'passages':
    case 'refusals': {
      const rows = db
        .prepare<[number, number], { seq: number; data: string }>(
          `SELECT seq, data FROM passages WHERE decided_at >= ? AND decided_at < ? ${what === 'refusals' ? "AND outcome = 'refused'" : ''} ORDER BY decided_at, seq`,
        )
        .all(from, to);
      return {
        columns: ['时间 Time', '序号 Seq', '通道 Lane', '方向 Direction', '对象 Subject', '卡号/编号 Card/ID', '户号 Household', '姓名 Name', '身份证尾号 ID tail', '车牌 Plate', '体温 °C', '健康码 Code', '口罩 Mask', '结果 Outcome', '原因 Reasons', '操作员 Operator', '放行理由 Override reason', '时钟已同步 Clock synced'],
        rows: rows.map((r) => {
          const p = json<Passage>(r.data, {} as Passage);
          const s = p.subject;
          return [
            t(p.decidedAt),
            r.seq,
            p.lane,
            DIRECTION[p.direction] ?? p.direction,
            s?.kind ?? '',
            s?.id ?? '',
            s?.householdId ?? '',
            name(s?.name),
            s?.idTail ?? '',
            s?.vehiclePlate ?? '',
            p.temperatures?.at(-1)?.celsius ?? '',
            p.colour ?? '',
            p.mask == null ? '' : p.mask ? '是 yes' : '否 no',
            OUTCOME[p.outcome] ?? p.outcome,
            (p.reasons ?? []).map((x) => `${x.zh} (${x.code})`).join('; '),
            p.operatorId ?? '',
            p.overrideReason ?? '',
            p.clockSynced ? '是 yes' : '否 no',
          ];
        }),
      };
    }
    case 'visitors': {
      const rows = db.prepare<[number, number], VisitorRow>('SELECT * FROM visitors WHERE registered_at >= ? AND registered_at < ? ORDER BY registered_at').all(from, to);
      return {
        columns: ['登记时间 Registered', '编号 ID', '姓名 Name', '身份证号 ID number', '电话 Phone', '来自 From', '14天行程 Travel (14 days)', '被访户 Host household', '事由 Reason', '陪同人 Escort', '车牌 Plate', '体温 °C', '登记人 Registered by', '销号时间 Signed out', '销号人 Signed out by'],
        rows: rows.map((v) => [
          t(v.registered_at),
          v.id,
          name(v.name),
          v.id_number ? (full ? v.id_number : maskResidentId(v.id_number)) : '',
          v.phone ? (full ? v.phone : maskPhone(v.phone)) : '',
          v.origin ?? '',
          json<string[]>(v.travel, []).join('、'),
          v.host_household_id ?? '',
          v.reason ?? '',
          v.escort ? name(v.escort) : '',
          v.plate ?? '',
          v.temperature ?? '',
          v.registered_by ?? '',
          t(v.signed_out_at),
          v.signed_out_by ?? '',
        ]),
      };
    }
    case 'alerts': {
      const rows = db
        .prepare<[number, number], { data: string; ack_at: number | null; ack_by: string | null }>('SELECT data, ack_at, ack_by FROM alerts WHERE at >= ? AND at < ? ORDER BY at')
        .all(from, to);
      return {
        columns: ['时间 Time', '类型 Kind', '级别 Severity', '通道 Lane', '内容 Text', '对象 Subject', '姓名 Name', '通行记录 Passage', '确认时间 Acknowledged', '确认人 By'],
        rows: rows.map((r) => {
          const a = json<Alert>(r.data, {} as Alert);
          return [t(a.at), a.kind, a.severity, a.lane ?? '', `${a.text?.zh ?? ''} / ${a.text?.en ?? ''}`, a.subject?.id ?? '', name(a.subject?.name), a.passageId ?? '', t(r.ack_at), r.ack_by ?? ''];
        }),
      };
    }
    case 'duty': {
      const rows = db
        .prepare<[number, number], { operator_id: string; name: string | null; role: string | null; signed_in_at: number; signed_out_at: number | null; note: string | null }>(
          'SELECT d.operator_id, o.name, o.role, d.signed_in_at, d.signed_out_at, d.note FROM duty d LEFT JOIN operators o ON o.id = d.operator_id WHERE d.signed_in_at < ? AND (d.signed_out_at IS NULL OR d.signed_out_at >= ?) ORDER BY d.signed_in_at',
        )
        .all(to, from);
      return {
        columns: ['操作员 Operator', '姓名 Name', '角色 Role', '上岗 On duty', '下岗 Off duty', '备注 Note'],
        rows: rows.map((r) => [r.operator_id, name(r.name), r.role ?? '', t(r.signed_in_at), t(r.signed_out_at), r.note ?? '']),
      };
    }
    default:
      throw new Error(`Unknown ledger "${String(what)}": choose passages, visitors, refusals, alerts or duty`);
  }
}
