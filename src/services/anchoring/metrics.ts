/**
 * The anchoring backlog as Prometheus gauges: how many committed entries are in no batch, how
 * many batches are not final on the chain, conflicts, and the lag. Read from the database once
 * per scrape (the gauges share one read), in any process that serves metrics: the state is the
 * database's, not the worker's.
 */
import type { AppContext } from '../../context.js'
import type { Metrics } from '../../infra/metrics.js'
import { type AnchoringStatus, anchoringStatus } from './queries.js'

export function registerAnchoringMetrics(ctx: AppContext, metrics: Metrics): void {
  let pending: { at: number; status: Promise<AnchoringStatus> } | undefined
  // One read serves all the gauges of one scrape (they are collected within milliseconds).
  const status = () => {
    const now = Date.now()
    if (!pending || now - pending.at > 500)
      pending = { at: now, status: anchoringStatus(ctx.db, ctx.clock.now()) }
    return pending.status
  }
  const gauges: Array<[string, string, (s: AnchoringStatus) => number]> = [
    [
      'dm_anchoring_unbatched_postings',
      'Committed ledger postings in no anchoring batch yet',
      (s) => Number(s.unbatched_postings),
    ],
    [
      'dm_anchoring_unbatched_records',
      'Committed decision and resolution records in no batch yet',
      (s) => Number(s.unbatched_records),
    ],
    [
      'dm_anchoring_pending_batches',
      'Anchoring batches not yet final on the chain',
      (s) => s.pending_batches,
    ],
    [
      'dm_anchoring_conflicts',
      'Batches for which the chain holds another root (the submitter stops)',
      (s) => s.conflicts,
    ],
    [
      'dm_anchoring_lag_seconds',
      'Age of the oldest committed entry not yet in an anchored batch',
      (s) => s.lag_seconds,
    ],
    [
      'dm_anchoring_last_anchored_batch',
      'Id of the last batch final on the chain (0 when none)',
      (s) => Number(s.last_anchored_batch ?? 0),
    ],
  ]
  for (const [name, help, pick] of gauges) {
    metrics.gaugeFromDatabase(name, help, async () => pick(await status()), ctx.log)
  }
  // Without a chain nothing is ever anchored and the lag only grows: the lag alert asks this
  // first, so an installation that does not anchor is not paged for it.
  metrics
    .gauge({
      name: 'dm_anchoring_chain_configured',
      help: '1 when this process has a Starknet chain to anchor on (STARKNET_* set), else 0',
    })
    .set(ctx.config.STARKNET_RPC_URL === undefined ? 0 : 1)
}
