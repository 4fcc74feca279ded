/**
 * Telling the operator's system what the market chose: a webhook per decision, with a stable
 * delivery id, signed (infra/webhooks.ts), retried from the job queue with exponential backoff
 * (retryAt) until the receiver answers 2xx or the attempts run out. Every attempt is logged where the
 * operator can read it (GET /v1/agents/{id}/decisions). Agents on `polling` get no webhook;
 * their operator reads the same decisions from the API.
 */
import type { AppContext } from '../../context.js'
import type { DecisionWebhookPayload } from '../../contracts/webhooks.js'
import { sql, type Transaction } from '../../db/database.js'
import { formatAmount } from '../../domain/money.js'
import type { TraceContext } from '../../infra/trace-context.js'
import { inSpan } from '../../infra/tracing.js'
import { deliverWebhook, type WebhookAttempt, webhookAttempts } from '../../infra/webhooks.js'
import { openSecrets } from '../agents/agents.js'
import { DELIVER_WEBHOOK_JOB } from '../jobs.js'
import type { BranchRow, MarketRow } from '../markets/repository.js'
import type { DecisionRecord } from './record.js'

export const DECISION_EVENT = 'decision.made'

const AgentDelivery = sql<{ owner_id: string; delivery: string; webhook_url: string | null; name: string }>(
  'AgentDeliverySettings',
  'select owner_id, delivery, webhook_url, name from public.agents where id = $1',
)

const PriorOfDecision = sql<{ prior_branch: number | null; prior_confidence: number | null }>(
  'WebhookDecisionPrior',
  'select prior_branch, prior_confidence from public.agent_decisions where market_id = $1',
)

const InsertDelivery = sql<{ id: string }>(
  'InsertWebhookDelivery',
  `insert into public.webhook_deliveries (agent_id, owner_id, market_id, event, payload, created_at)
   values ($1, $2, $3, $4, $5, $6)
   on conflict (market_id, event) do nothing
   returning id`,
)

interface DeliveryRow {
  id: string
  agent_id: string
  event: string
  payload: unknown
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  webhook_url: string | null
}

const DELIVERY_COLUMNS = `w.id, w.agent_id, w.event, w.payload, w.status, w.attempts, a.webhook_url
     from public.webhook_deliveries w join public.agents a on a.id = w.agent_id
    where w.id = $1`

const FindDelivery = sql<DeliveryRow>('FindWebhookDelivery', `select ${DELIVERY_COLUMNS}`)

const LockDelivery = sql<DeliveryRow>('LockWebhookDelivery', `select ${DELIVERY_COLUMNS} for update of w`)

const RecordAttempt = sql(
  'RecordWebhookAttempt',
  `with attempt as (
     insert into public.webhook_attempts (delivery_id, owner_id, attempt, status_code, error, duration_ms, attempted_at)
     select id, owner_id, $2, $3, $4, $5, $6 from public.webhook_deliveries where id = $1
   )
   update public.webhook_deliveries
      set attempts = $2, last_status = $3, last_error = $4, status = $7,
          delivered_at = case when $7 = 'delivered' then $6 else delivered_at end
    where id = $1`,
)

/** In the deciding transaction: the delivery row and its job commit with the decision, or neither. */
export async function queueDecisionDelivery(
  ctx: AppContext,
  tx: Transaction,
  agentId: string,
  market: MarketRow,
  record: DecisionRecord,
  branches: readonly BranchRow[],
  trace?: TraceContext,
): Promise<void> {
  const agent = await tx.maybeOne(AgentDelivery, [agentId])
  if (agent?.delivery !== 'webhook' || !agent.webhook_url) return
  const chosen = branches.find((b) => b.index === record.chosen_branch)
  const fallback = branches.find((b) => b.index === record.default_branch)
  const prior = await tx.maybeOne(PriorOfDecision, [market.id])
  const priorBranch = prior?.prior_branch ?? null
  // What decide.ts records with every decision: the rule's settings, its window and margin.
  const params = record.params as {
    threshold_bps: number
    margin: number
    window_start: string
    window_end: string
  }
  // delivery_id is the delivery row's id, added at each attempt.
  const payload: Omit<DecisionWebhookPayload, 'delivery_id'> = {
    event: DECISION_EVENT,
    agent: { id: agentId, name: agent.name },
    market: { id: market.id, slug: market.slug, question: market.question },
    action: { branch: record.chosen_branch, label: chosen?.label ?? null },
    default_action: { branch: record.default_branch, label: fallback?.label ?? null },
    overrode_default: record.chosen_branch !== record.default_branch,
    reason: record.reason,
    explanation: record.explanation,
    scores: record.scores.map((s) => ({ branch: s.index, label: s.label, score: s.score })),
    decided_at: record.decided_at.toISOString(),
    // Added after the first release (additive): what the market's choice rests on, and the
    // agent's own prior beside it, so the operator's system can weigh the choice.
    evidence: {
      distinct_traders: record.distinct_traders,
      total_volume: formatAmount(record.total_volume),
      threshold_bps: params.threshold_bps,
      margin: params.margin,
      window_start: params.window_start,
      window_end: params.window_end,
      branches: record.scores.map((s) => ({
        branch: s.index,
        label: s.label,
        score: s.score,
        spot: s.spot,
        traders: s.traders,
        volume: s.volume,
      })),
    },
    prior:
      priorBranch === null
        ? null
        : {
            branch: priorBranch,
            label: branches.find((b) => b.index === priorBranch)?.label ?? null,
            confidence: prior?.prior_confidence ?? null,
          },
    overrode_prior: priorBranch === null ? null : priorBranch !== record.chosen_branch,
  }
  const inserted = await tx.maybeOne(InsertDelivery, [
    agentId,
    agent.owner_id,
    market.id,
    DECISION_EVENT,
    JSON.stringify(payload),
    ctx.clock.now(),
  ])
  if (!inserted) return
  await ctx.queue.send(
    DELIVER_WEBHOOK_JOB,
    { deliveryId: inserted.id },
    { tx, singletonKey: `webhook:${inserted.id}:1`, trace },
  )
}

/**
 * When attempt `attempt + 1` is due after attempt `attempt` failed at `failedAtMs`: the first
 * retry WEBHOOK_RETRY_DELAY_SECONDS after the failure, each later one twice the one before.
 * Computed here rather than left to pg-boss's backoff, whose first retry waits a random
 * 1–2× the delay (measured: 4 s after the failure with a delay of 2 s); this is the schedule
 * the README and the OpenAPI document promise. No jitter: retries of one delivery are
 * sequential, and the worker spreads deliveries that fall due together over its slots.
 */
export function retryAt(ctx: Pick<AppContext, 'config'>, failedAtMs: number, attempt: number): Date {
  const delaySeconds = ctx.config.WEBHOOK_RETRY_DELAY_SECONDS * 2 ** Math.min(attempt - 1, 20)
  return new Date(failedAtMs + delaySeconds * 1000)
}

/**
 * One attempt (the job's body). A failed attempt with attempts left queues the next one (in the
 * transaction that records this one) and returns 'retry'; the last failed attempt marks the
 * delivery `failed`. Only an unexpected error (the database) throws, and the queue retries it.
 */
export async function attemptDelivery(
  ctx: AppContext,
  deliveryId: string,
  /** The trace of the decision (carried by the job); every attempt is a span of it. */
  trace?: TraceContext,
): Promise<'delivered' | 'retry' | 'failed' | 'skipped'> {
  const delivery = await ctx.db.maybeOne(FindDelivery, [deliveryId])
  if (delivery?.status !== 'pending') return 'skipped'
  const secrets = await openSecrets(ctx.db, ctx.secrets, delivery.agent_id)
  const attempt = delivery.attempts + 1
  const now = ctx.clock.now()
  const result: WebhookAttempt =
    delivery.webhook_url && secrets.webhookSecret
      ? await inSpan(
          ctx.tracer,
          'webhook.deliver',
          {
            parent: trace,
            kind: 'client',
            attributes: { 'dm.delivery_id': delivery.id, 'dm.attempt': attempt },
          },
          async (span) => {
            const sent = await deliverWebhook({
              url: delivery.webhook_url as string,
              secret: secrets.webhookSecret as string,
              deliveryId: delivery.id,
              event: delivery.event,
              body: JSON.stringify({ ...(delivery.payload as object), delivery_id: delivery.id }),
              nowSeconds: Math.floor(Date.now() / 1000),
              timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS,
              outbound: { allowHosts: ctx.config.OUTBOUND_ALLOW_HOSTS },
              trace: span.context,
            })
            span.setAttributes({ 'http.response.status_code': sent.status })
            if (!sent.ok) span.fail()
            return sent
          },
        )
      : {
          ok: false,
          outcome: 'unconfigured',
          error: 'the agent has no webhook URL or secret any more',
          durationMs: 0,
        }
  webhookAttempts(ctx.metrics)(result.outcome)
  const status = result.ok ? 'delivered' : attempt >= ctx.config.WEBHOOK_MAX_ATTEMPTS ? 'failed' : 'pending'
  // The delay runs from the failure (the attempt may have waited WEBHOOK_TIMEOUT_MS).
  const failedAtMs = now.getTime() + result.durationMs
  const recorded = await ctx.db.withTransaction(async (tx) => {
    // The row lock keeps two runs of the job (a retry racing a slow attempt) from writing the
    // same attempt number twice; the loser finds the delivery moved on and records nothing.
    const current = await tx.maybeOne(LockDelivery, [deliveryId])
    if (!current || current.attempts !== delivery.attempts) return false
    await tx.execute(RecordAttempt, [
      deliveryId,
      attempt,
      result.status ?? null,
      result.ok ? null : (result.error ?? 'failed'),
      result.durationMs,
      now,
      status,
    ])
    if (status === 'pending') {
      await ctx.queue.send(
        DELIVER_WEBHOOK_JOB,
        { deliveryId },
        {
          tx,
          startAfter: retryAt(ctx, failedAtMs, attempt),
          singletonKey: `webhook:${deliveryId}:${attempt + 1}`,
          trace,
        },
      )
    }
    return true
  })
  ctx.log.info({ deliveryId, attempt, ok: result.ok, status: result.status }, 'webhook attempt')
  if (!recorded) return 'skipped'
  return status === 'pending' ? 'retry' : status
}
