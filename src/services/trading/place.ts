/**
 * POST /v1/markets/{id}/trades for one user: what can be refused without a lock is refused
 * here (a malformed body, an unknown market, branch or outcome, the operator's conflict of
 * interest; the same for every retry, so not stored under a key); the rest goes to the
 * process's batcher (group commit), which answers once the trade's batch has committed.
 */
import type { AppContext } from '../../context.js'
import { resolveOutcome } from '../markets/outcomes.js'
import { tradeBatcher } from './batcher.js'
import { type PlacedTrade, requestHash, validateIdempotencyKey } from './idempotency.js'
import { refusalCode, tradeMetrics } from './metrics.js'
import {
  assertNoConflictOfInterest,
  parseTerms,
  resolveBranch,
  type TradeBody,
  tradingMarket,
} from './orders.js'

export async function placeTrade(
  ctx: AppContext,
  userId: string,
  marketRef: string,
  body: TradeBody,
  idempotencyKey?: string,
): Promise<PlacedTrade> {
  const counted = tradeMetrics(ctx.metrics)
  const started = performance.now()
  try {
    const placed = await place(ctx, userId, marketRef, body, idempotencyKey)
    counted.accepted.inc()
    counted.duration.observe((performance.now() - started) / 1000)
    return placed
  } catch (error) {
    counted.refused(refusalCode(error)).inc()
    throw error
  }
}

async function place(
  ctx: AppContext,
  userId: string,
  marketRef: string,
  body: TradeBody,
  idempotencyKey: string | undefined,
): Promise<PlacedTrade> {
  const key = validateIdempotencyKey(idempotencyKey)
  const terms = parseTerms(body)
  const market = await tradingMarket(ctx, marketRef)
  await assertNoConflictOfInterest(ctx, market, userId)
  const branch = resolveBranch(market, body.branch)
  const outcome = resolveOutcome(market.outcomes, body.outcome)
  return tradeBatcher(ctx).submit({
    market,
    branchId: branch.id,
    userId,
    outcome: outcome.index,
    terms,
    ...(key === undefined
      ? {}
      : { idempotency: { userId, key, hash: requestHash('trade', market.id, body) } }),
  })
}
