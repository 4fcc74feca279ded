/**
 * The ledger auditor's run: from the checkpoint, the next range of committed postings, checked
 * (checks.ts) and recorded in one transaction, range after range until caught up or out of time.
 *
 * Why REPEATABLE READ and where `to` comes from: the range ends at most at ledger_sequence's
 * last_seq as this transaction's snapshot sees it. The counter row and the postings it numbers
 * commit together (20261125020100_ledger.sql), so every posting up to it is committed and in the
 * snapshot, none will appear below it later, and the checks see each trade whole or not at all.
 * The same prefix argument as the anchoring closer's (services/anchoring/batches.ts).
 *
 * One auditor at a time, whichever worker runs it: a transaction-scoped advisory lock, tried,
 * never waited for. The checkpoint and the violations found in a range are written in the
 * range's transaction: a crash loses the range's work, never a finding, and the next run
 * repeats the range.
 */
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { checkRange, type Finding } from './checks.js'

/** 'dmaudit' in ASCII: the auditor's advisory lock. */
const AUDIT_LOCK_KEY = 0x646d6175646974n

const TryAuditLock = sql<{ locked: boolean }>(
  'LedgerAuditTryLock',
  'select pg_try_advisory_xact_lock($1) as locked',
)

const ReadCheckpoint = sql<{ checked_seq: bigint; ledger_seq: bigint }>(
  'LedgerAuditReadCheckpoint',
  `select c.checked_seq, (select last_seq from public.ledger_sequence) as ledger_seq
     from public.ledger_audit_checkpoint c
      for update of c`,
)

const AdvanceCheckpoint = sql(
  'LedgerAuditAdvanceCheckpoint',
  'update public.ledger_audit_checkpoint set checked_seq = $1, checked_at = $2',
)

const RecordRun = sql(
  'LedgerAuditRecordRun',
  `update public.ledger_audit_checkpoint
      set last_run_at = $1, last_run_result = $2, last_run_ms = $3, last_run_postings = $4, last_error = $5,
          last_success_at = case when $2 = 'error' then last_success_at else $1 end`,
)

// A fault found again (its account traded again, say) refreshes its open row instead of adding one.
const RecordFindings = sql(
  'LedgerAuditRecordFindings',
  `insert into public.ledger_audit_violations as v
     (invariant, subject, entry_ids, account_id, branch_id, market_id, user_id, detail,
      found_in_first_seq, found_in_last_seq, found_at, last_seen_at)
   select f.invariant, f.subject, f.entry_ids, f.account_id, f.branch_id, f.market_id, f.user_id, f.detail,
          $2, $3, $1, $1
     from json_to_recordset($4::json) as f(invariant text, subject text, entry_ids bigint[], account_id bigint,
          branch_id uuid, market_id uuid, user_id uuid, detail jsonb)
   on conflict (invariant, subject) where resolved_at is null do update
      set last_seen_at = excluded.last_seen_at, detail = excluded.detail, entry_ids = excluded.entry_ids,
          found_in_last_seq = excluded.found_in_last_seq
`,
)

export interface AuditOptions {
  /** Most postings checked in one range (one transaction). */
  maxPostings: number
  /** A run starts no new range after this long; the next run goes on from the checkpoint. */
  timeBudgetMs: number
}

export interface AuditRun {
  result: 'ok' | 'violation'
  /** The checkpoint before and after the run: postings (fromSeq, toSeq] were checked. */
  fromSeq: bigint
  toSeq: bigint
  /** Postings read, over all the run's ranges. */
  postings: number
  ranges: number
  /** Whether the checkpoint reached the ledger's last committed posting. */
  caughtUp: boolean
  findings: Finding[]
  durationMs: number
}

type RangeOutcome =
  | { kind: 'busy' }
  | { kind: 'caught_up'; at: bigint }
  | { kind: 'checked'; from: bigint; to: bigint; postings: number; findings: Finding[]; caughtUp: boolean }

/**
 * One run: ranges until caught up or out of time. Null when another auditor holds the lock.
 * A failure is recorded on the checkpoint row (last_run_result = error) and thrown.
 */
export async function runLedgerAudit(ctx: AppContext, options: AuditOptions): Promise<AuditRun | null> {
  const log = ctx.log.child({ component: 'ledger-audit' })
  const started = performance.now()
  const run: AuditRun = {
    result: 'ok',
    fromSeq: -1n,
    toSeq: -1n,
    postings: 0,
    ranges: 0,
    caughtUp: false,
    findings: [],
    durationMs: 0,
  }
  try {
    while (!run.caughtUp && (run.ranges === 0 || performance.now() - started < options.timeBudgetMs)) {
      const outcome = await ctx.db.withTransaction((tx) => checkNextRange(ctx, tx, options.maxPostings), {
        isolation: 'repeatable read',
      })
      if (outcome.kind === 'busy') {
        if (run.ranges === 0) return null
        break
      }
      if (outcome.kind === 'caught_up') {
        if (run.fromSeq < 0n) run.fromSeq = outcome.at
        run.toSeq = outcome.at
        run.caughtUp = true
        break
      }
      if (run.fromSeq < 0n) run.fromSeq = outcome.from
      run.toSeq = outcome.to
      run.postings += outcome.postings
      run.ranges++
      run.caughtUp = outcome.caughtUp
      run.findings.push(...outcome.findings)
      for (const f of outcome.findings) {
        log.error(
          { ...findingRow(f), range: { from: String(outcome.from), to: String(outcome.to) } },
          `ledger audit violation: ${f.invariant} (${f.subject}) in journal entries ${f.entryIds.join(', ')}`,
        )
      }
    }
    run.result = run.findings.length > 0 ? 'violation' : 'ok'
    run.durationMs = performance.now() - started
    await ctx.db.execute(RecordRun, [
      ctx.clock.now(),
      run.result,
      Math.round(run.durationMs),
      run.postings,
      null,
    ])
    return run
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    await ctx.db
      .execute(RecordRun, [
        ctx.clock.now(),
        'error',
        Math.round(performance.now() - started),
        run.postings,
        message.slice(0, 2000),
      ])
      .catch((recordError) =>
        log.warn({ err: recordError }, 'ledger audit: the failure could not be recorded'),
      )
    throw error
  }
}

async function checkNextRange(ctx: AppContext, tx: Transaction, maxPostings: number): Promise<RangeOutcome> {
  const { locked } = await tx.one(TryAuditLock, [AUDIT_LOCK_KEY.toString()])
  if (!locked) return { kind: 'busy' }
  const { checked_seq: from, ledger_seq: last } = await tx.one(ReadCheckpoint)
  if (last <= from) return { kind: 'caught_up', at: from }
  const to = last - from > BigInt(maxPostings) ? from + BigInt(maxPostings) : last
  const { postings, findings } = await checkRange(tx, from, to)
  const now = ctx.clock.now()
  if (findings.length > 0) {
    await tx.execute(RecordFindings, [now, from + 1n, to, JSON.stringify(findings.map(findingRow))])
  }
  await tx.execute(AdvanceCheckpoint, [to, now])
  return { kind: 'checked', from, to, postings, findings, caughtUp: to === last }
}

/** A finding as it is stored (ledger_audit_violations) and logged: ids as strings, absent as null. */
function findingRow(f: Finding) {
  return {
    invariant: f.invariant,
    subject: f.subject,
    entry_ids: f.entryIds.map(String),
    account_id: f.accountId === undefined || f.accountId === null ? null : String(f.accountId),
    branch_id: f.branchId ?? null,
    market_id: f.marketId ?? null,
    user_id: f.userId ?? null,
    detail: f.detail,
  }
}
