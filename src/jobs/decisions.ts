/**
 * Decision deadlines and deliveries, run by the worker role. Deciding is idempotent (a decided
 * market answers with its record); a delivery attempt finds a delivered webhook and stops.
 */
import type { AppContext } from '../context.js'
import type { JobDefinition } from '../infra/queue.js'
import { DECIDE_MARKET_JOB, decideMarket } from '../services/decisions/decide.js'
import { attemptDelivery, DELIVER_WEBHOOK_JOB } from '../services/decisions/delivery.js'

export function decisionJobs(ctx: AppContext): JobDefinition[] {
  const decideJob: JobDefinition<{ marketId: string }> = {
    name: DECIDE_MARKET_JOB,
    // A decision that failed (database restarting, a lock timeout) is tried again; it is
    // idempotent, and a decided market answers with its record.
    retryLimit: 20,
    retryDelaySeconds: 5,
    handle: async (data) => {
      await decideMarket(ctx, data.marketId, { kind: 'deadline' })
    },
  }
  const deliverJob: JobDefinition<{ deliveryId: string }> = {
    name: DELIVER_WEBHOOK_JOB,
    // Throws while attempts remain: the queue retries with the backoff given when it was sent.
    handle: async (data) => {
      await attemptDelivery(ctx, data.deliveryId)
    },
  }
  return [decideJob, deliverJob] as JobDefinition[]
}
