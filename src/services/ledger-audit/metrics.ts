/**
 * The auditor's metrics (dm_ledger_audit_*): counted by the process that runs it, and the
 * database's view (checkpoint, open violations, last success) refreshed after every attempt,
 * by every worker, also one that found another auditor holding the lock: whichever worker is
 * scraped shows the same state.
 *
 * The violations gauge counts the open rows of ledger_audit_violations, not only what the last
 * range found: a range is checked once, so a fault found by one run would otherwise vanish
 * from the gauge (and its alert resolve itself) at the next run.
 */
import { INVARIANTS } from '../../domain/ledger-audit.js'
import { LATENCY_BUCKETS, type Metrics } from '../../infra/metrics.js'
import type { AuditStatus } from './status.js'

export function ledgerAuditMetrics(metrics: Metrics) {
  const checkedSeq = metrics.gauge({
    name: 'dm_ledger_audit_checked_seq',
    help: 'Last ledger posting seq the auditor has checked',
  })
  const violations = metrics.gauge({
    name: 'dm_ledger_audit_violations',
    help: 'Open ledger audit violations, by invariant',
    labelNames: ['invariant'],
  })
  const lastSuccess = metrics.gauge({
    name: 'dm_ledger_audit_last_success_timestamp_seconds',
    help: 'When the last ledger audit run finished its checks (ok or violation), Unix seconds',
  })
  const runs = metrics.counter({
    name: 'dm_ledger_audit_runs_total',
    help: 'Ledger audit runs by result (ok, violation, error)',
    labelNames: ['result'],
  })
  const duration = metrics.histogram({
    name: 'dm_ledger_audit_duration_seconds',
    help: 'Duration of a ledger audit run',
    // A run may take its whole time budget (tens of seconds) when it catches up.
    buckets: [...LATENCY_BUCKETS, 30, 60],
  })
  for (const result of ['ok', 'violation', 'error']) runs.inc({ result }, 0)
  for (const invariant of INVARIANTS) violations.set({ invariant }, 0)

  return {
    run(result: 'ok' | 'violation' | 'error', seconds: number) {
      runs.inc({ result })
      duration.observe(seconds)
    },
    show(status: AuditStatus) {
      checkedSeq.set(Number(status.checkpoint.checked_seq))
      for (const invariant of INVARIANTS) violations.set({ invariant }, status.open[invariant])
      const at = status.checkpoint.last_success_at
      if (at) lastSuccess.set(at.getTime() / 1000)
    },
  }
}
