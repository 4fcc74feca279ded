/**
 * Market deadlines and upkeep, run by the worker role. Every handler is idempotent (a job can run
 * twice after a crash, or two workers can pick up duplicates): closing finds the market already
 * closed, settling finds its positions already settled, purging finds the old keys already gone.
 */
import type { AppContext } from '../context.js'
import type { JobDefinition } from '../infra/queue.js'
import { CLOSE_MARKET_JOB, PURGE_IDEMPOTENCY_KEYS_JOB, SETTLE_MARKET_JOB } from '../services/jobs.js'
import { PURGE_IDEMPOTENCY_KEYS_CRON, purgeIdempotencyKeys } from '../services/markets/idempotency.js'
import { closeMarketAtDeadline } from '../services/markets/lifecycle.js'
import { settleMarket } from '../services/markets/settlement.js'

interface MarketJob {
  marketId: string
}

export function marketJobs(ctx: AppContext): JobDefinition[] {
  const closeJob: JobDefinition<MarketJob> = {
    name: CLOSE_MARKET_JOB,
    retryLimit: 10,
    retryDelaySeconds: 5,
    handle: (data) => closeMarketAtDeadline(ctx, data.marketId),
  }
  const settleJob: JobDefinition<MarketJob> = {
    // Pays holders (or refunds a void) in resumable steps; 'waiting' means the dispute window
    // is still open (the step enqueued this job again for its end) or a dispute awaits an
    // admin, whose settlement enqueues this job again.
    name: SETTLE_MARKET_JOB,
    retryLimit: 10,
    retryDelaySeconds: 10,
    handle: async (data) => {
      await settleMarket(ctx, data.marketId)
    },
  }
  const purgeJob: JobDefinition = {
    // Idempotency-Keys past IDEMPOTENCY_KEY_TTL_HOURS, once a day.
    name: PURGE_IDEMPOTENCY_KEYS_JOB,
    schedule: PURGE_IDEMPOTENCY_KEYS_CRON,
    retryLimit: 3,
    retryDelaySeconds: 60,
    handle: async () => {
      const deleted = await purgeIdempotencyKeys(ctx)
      ctx.log.info({ job: PURGE_IDEMPOTENCY_KEYS_JOB, deleted }, 'expired idempotency keys deleted')
    },
  }
  return [closeJob, settleJob, purgeJob] as JobDefinition[]
}
