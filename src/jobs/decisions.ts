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
    // A failed attempt queues the next one itself (delivery.ts, retryAt); the queue's own
    // retries are for an attempt that could not even be recorded (the database away).
    retryLimit: 10,
    retryDelaySeconds: 10,
    handle: async (data) => {
      await attemptDelivery(ctx, data.deliveryId)
    },
  }
  return [decideJob, deliverJob] as JobDefinition[]
}
