/**
 * Market deadlines, run by the worker role. Both handlers are idempotent (a job can run twice
 * after a crash, or two workers can pick up duplicates): closing finds the market already
 * closed, settling finds its positions already settled.
 */
import type { AppContext } from '../context.js'
import type { JobDefinition } from '../infra/queue.js'
import { CLOSE_MARKET_JOB, closeMarketAtDeadline, SETTLE_MARKET_JOB } from '../services/markets/lifecycle.js'
import { settleMarket } from '../services/markets/settlement.js'

interface MarketJob {
  marketId: string
}

export function marketJobs(ctx: AppContext): JobDefinition<MarketJob>[] {
  return [
    {
      name: CLOSE_MARKET_JOB,
      retryLimit: 10,
      retryDelaySeconds: 5,
      handle: (data) => closeMarketAtDeadline(ctx, data.marketId),
    },
    {
      // Pays holders (or refunds a void) in resumable steps; 'waiting' means the dispute window
      // is still open (the step enqueued this job again for its end) or a dispute awaits an
      // admin, whose settlement enqueues this job again.
      name: SETTLE_MARKET_JOB,
      retryLimit: 10,
      retryDelaySeconds: 10,
      handle: async (data) => {
        await settleMarket(ctx, data.marketId)
      },
    },
  ]
}
