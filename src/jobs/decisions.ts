/**
 * Decision deadlines, deliveries and the agent's LLM before a decision opens, run by the worker
 * role. Deciding is idempotent (a decided
 * market answers with its record); a delivery attempt finds a delivered webhook and stops.
 */
import type { AppContext } from '../context.js'
import type { JobDefinition } from '../infra/queue.js'
import { type PrepareDecisionJob, prepareAgentDecision } from '../services/decisions/agent-decisions.js'
import { decideMarket } from '../services/decisions/decide.js'
import { attemptDelivery } from '../services/decisions/delivery.js'
import { DECIDE_MARKET_JOB, DELIVER_WEBHOOK_JOB, PREPARE_DECISION_JOB } from '../services/jobs.js'

export function decisionJobs(ctx: AppContext): JobDefinition[] {
  const decideJob: JobDefinition<{ marketId: string }> = {
    name: DECIDE_MARKET_JOB,
    // A decision that failed (database restarting, a lock timeout) is tried again; it is
    // idempotent, and a decided market answers with its record.
    retryLimit: 20,
    retryDelaySeconds: 5,
    handle: async (data, meta) => {
      await decideMarket(ctx, data.marketId, { kind: 'deadline' }, meta.trace)
    },
  }
  const deliverJob: JobDefinition<{ deliveryId: string }> = {
    name: DELIVER_WEBHOOK_JOB,
    // A failed attempt queues the next one itself (delivery.ts, retryAt); the queue's own
    // retries are for an attempt that could not even be recorded (the database away).
    retryLimit: 10,
    retryDelaySeconds: 10,
    handle: async (data, meta) => {
      await attemptDelivery(ctx, data.deliveryId, meta.trace)
    },
  }
  const prepareJob: JobDefinition<PrepareDecisionJob> = {
    name: PREPARE_DECISION_JOB,
    // An LLM failure is recorded and the market opens; only the database failing throws. A run
    // cut short asks the LLM again: a preparing market is prepared once (the row lock decides).
    retryLimit: 10,
    retryDelaySeconds: 5,
    handle: async (data, meta) => {
      await prepareAgentDecision(ctx, data, meta.trace)
    },
  }
  return [decideJob, deliverJob, prepareJob] as JobDefinition[]
}
