/**
 * The ledger auditor's loop on the worker role: every LEDGER_AUDIT_INTERVAL_SECONDS (0 = off) it
 * checks what the ledger committed since the checkpoint (services/ledger-audit), at most
 * LEDGER_AUDIT_BATCH_POSTINGS postings per transaction, range after range until caught up or
 * out of the run's time budget.
 *
 * A loop like the anchorer's rather than a pg-boss schedule: the next run is timed from the end
 * of the last, so a slow catch-up never stacks runs, and the advisory lock of the service lets
 * any number of workers run it (one audits, the others refresh their gauges).
 */
import type { AppContext } from '../context.js'
import { type AuditRun, runLedgerAudit } from '../services/ledger-audit/audit.js'
import { ledgerAuditMetrics } from '../services/ledger-audit/metrics.js'
import { ledgerAuditStatus } from '../services/ledger-audit/status.js'
import { serialLoop } from './loop.js'

/** A run's time budget: half the interval, and never more than 30 s (stopping a worker waits for it). */
const MAX_BUDGET_MS = 30_000

export interface LedgerAuditor {
  /** One run now (after the one in progress, if any). Null when another worker holds the lock. */
  tick(): Promise<AuditRun | null>
  stop(): Promise<void>
}

export function startLedgerAuditor(ctx: AppContext, options: { autoStart?: boolean } = {}): LedgerAuditor {
  const log = ctx.log.child({ component: 'ledger-audit' })
  const intervalMs = ctx.config.LEDGER_AUDIT_INTERVAL_SECONDS * 1000
  const metrics = ledgerAuditMetrics(ctx.metrics)
  async function tick(): Promise<AuditRun | null> {
    const started = performance.now()
    try {
      const run = await runLedgerAudit(ctx, {
        maxPostings: ctx.config.LEDGER_AUDIT_BATCH_POSTINGS,
        timeBudgetMs: Math.min(MAX_BUDGET_MS, Math.max(1000, intervalMs / 2)),
      })
      if (run) {
        metrics.run(run.result, run.durationMs / 1000)
        if (!run.caughtUp) {
          log.warn(
            { checkedSeq: String(run.toSeq), postings: run.postings },
            'ledger audit ran out of time before catching up; the next run goes on',
          )
        }
      }
      return run
    } catch (error) {
      metrics.run('error', (performance.now() - started) / 1000)
      throw error
    } finally {
      await ledgerAuditStatus(ctx.db)
        .then((status) => metrics.show(status))
        .catch((error) => log.warn({ err: error }, 'ledger audit status could not be read'))
    }
  }

  const loop = serialLoop(tick, {
    intervalMs,
    autoStart: options.autoStart,
    onError: (error) => log.error({ err: error }, 'ledger audit run failed'),
  })
  return { tick: loop.tick, stop: loop.stop }
}
