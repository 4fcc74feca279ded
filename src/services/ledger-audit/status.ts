/**
 * What the auditor shows: its checkpoint against the ledger, its last run, and the violations
 * still open. Read by the admin route and, after every run, by the metrics (metrics.ts).
 */
import { type Queryable, sql } from '../../db/database.js'
import { INVARIANTS, type Invariant } from '../../domain/ledger-audit.js'

interface CheckpointRow {
  checked_seq: bigint
  checked_at: Date | null
  ledger_seq: bigint
  last_run_at: Date | null
  last_run_result: 'ok' | 'violation' | 'error' | null
  last_run_ms: number | null
  last_run_postings: bigint | null
  last_error: string | null
  last_success_at: Date | null
}

const ReadStatus = sql<CheckpointRow>(
  'LedgerAuditStatus',
  `select c.checked_seq, c.checked_at, (select last_seq from public.ledger_sequence) as ledger_seq,
          c.last_run_at, c.last_run_result, c.last_run_ms, c.last_run_postings, c.last_error, c.last_success_at
     from public.ledger_audit_checkpoint c`,
)

const OpenCounts = sql<{ invariant: Invariant; open: bigint }>(
  'LedgerAuditOpenCounts',
  `select invariant, count(*) as open from public.ledger_audit_violations
    where resolved_at is null group by invariant`,
)

export interface ViolationRow {
  id: bigint
  invariant: Invariant
  subject: string
  /** int8[] arrives as strings. */
  entry_ids: string[]
  account_id: bigint | null
  branch_id: string | null
  market_id: string | null
  user_id: string | null
  detail: Record<string, unknown>
  found_in_first_seq: bigint
  found_in_last_seq: bigint
  found_at: Date
  last_seen_at: Date
}

const OpenViolations = sql<ViolationRow>(
  'LedgerAuditOpenViolations',
  `select id, invariant, subject, entry_ids, account_id, branch_id, market_id, user_id, detail,
          found_in_first_seq, found_in_last_seq, found_at, last_seen_at
     from public.ledger_audit_violations
    where resolved_at is null
    order by found_at desc, id desc
    limit $1`,
)

export interface AuditStatus {
  checkpoint: CheckpointRow
  /** Open violations per invariant, every invariant present (0 when none). */
  open: Record<Invariant, number>
}

export async function ledgerAuditStatus(db: Queryable): Promise<AuditStatus> {
  const [checkpoint, counts] = await Promise.all([db.one(ReadStatus), db.many(OpenCounts)])
  const open = Object.fromEntries(INVARIANTS.map((i) => [i, 0])) as Record<Invariant, number>
  for (const c of counts) open[c.invariant] = Number(c.open)
  return { checkpoint, open }
}

export function openViolations(db: Queryable, limit: number): Promise<ViolationRow[]> {
  return db.many(OpenViolations, [limit])
}
