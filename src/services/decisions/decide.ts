/**
 * Deciding a decision market: at decide_at (the job), or earlier by its owner or an admin when
 * the market's rule allows it. One transaction:
 *   lock the market, then every branch (waits for trades in flight; later trades see the result)
 *   → score every branch (lagging TWAP) → apply the rule → record the decision with its scores,
 *   parameters and reason → queue the webhook delivery of the chosen action → void every
 *   branch not chosen and refund its traders at cost, its subsidy back to its funder (cash
 *   locks and ledger postings last, the lock order of money/transaction.ts).
 * The chosen branch trades on until close_at and then resolves like any market.
 * Deciding twice changes nothing: a decided market answers with the decision on record.
 */
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { decide } from '../../domain/decision-rule/index.js'
import { authorize } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { formatAmount } from '../../domain/money.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import type { TraceContext } from '../../infra/trace-context.js'
import { DECIDE_MARKET_JOB } from '../jobs.js'
import { voidInTransaction } from '../markets/lifecycle.js'
import { type BranchRow, lockMarketAndBranches, type MarketRow } from '../markets/repository.js'
import { settleVoidedBranchesNow } from '../markets/settlement.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'
import { queueDecisionDelivery } from './delivery.js'
import type { DecisionRecord } from './record.js'
import {
  computeScores,
  type DecisionFacts,
  findDecisionFacts,
  isDecisionMarket,
  minVolumeOf,
} from './scores.js'

const FindDecision = sql<DecisionRecord>(
  'FindMarketDecision',
  `select market_id, chosen_branch, best_branch, default_branch, reason, explanation, scores, params,
          distinct_traders, total_volume, decided_by, decided_at
     from public.market_decisions where market_id = $1`,
)

const InsertDecision = sql(
  'InsertMarketDecision',
  `insert into public.market_decisions (market_id, chosen_branch, best_branch, default_branch, reason, explanation,
     scores, params, distinct_traders, total_volume, decided_by, decided_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
)

const MarkDecided = sql(
  'MarkMarketDecided',
  `update public.markets set status = 'decided', decided_at = $2, decided_branch = $3, updated_at = $2 where id = $1`,
)

const VoidBranch = sql(
  'VoidDecisionBranch',
  `update public.market_branches set status = 'voided' where id = $1 and status in ('open', 'closed')`,
)

export function findDecision(db: Pick<Transaction, 'maybeOne'>, marketId: string) {
  return db.maybeOne(FindDecision, [marketId])
}

export type DecideTrigger = { kind: 'deadline' } | { kind: 'early'; principal: Principal }

/**
 * Decides the market now. Returns the decision on record (new or earlier), or null when the
 * deadline job ran for a market that can no longer be decided (voided) or ran too early (it is
 * then queued again for decide_at).
 */
export async function decideMarket(
  ctx: AppContext,
  marketId: string,
  trigger: DecideTrigger,
  /** The deciding request's (or job's) trace: the webhook delivery continues it. */
  trace?: TraceContext,
): Promise<DecisionRecord | null> {
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    // The lock order of money/transaction.ts: the market, all its branches (trades in flight on them
    // finish first, and the decision's time is read after them), then cash, the ledger last.
    const { market, branches } = await lockMarketAndBranches(m, marketId)
    const now = ctx.clock.now()
    const facts = await findDecisionFacts(tx, marketId)
    if (!facts || !isDecisionMarket(facts)) {
      if (trigger.kind === 'deadline') return null
      throw errors.unprocessable(
        ErrorCode.NotADecisionMarket,
        'Not a decision market',
        'This market has a single branch; there is nothing to decide',
      )
    }
    if (trigger.kind === 'early') assertMayDecideEarly(trigger.principal, facts)
    const existing = await tx.maybeOne(FindDecision, [marketId])
    if (existing) return existing
    if (
      (market.status === 'proposing' || market.status === 'preparing') &&
      trigger.kind === 'deadline' &&
      now >= facts.decide_at
    ) {
      // Never opened: nobody traded; the escrow goes back through the ordinary void.
      await voidInTransaction(
        ctx,
        m,
        market,
        `The decision never opened: decide_at came while ${market.status}`,
        now,
      )
      return null
    }
    if (!['open', 'closed'].includes(market.status)) {
      if (trigger.kind === 'deadline') return null
      throw errors.invalidMarketState(`A ${market.status} market cannot be decided`)
    }
    if (now.getTime() < facts.decide_at.getTime()) {
      if (trigger.kind === 'deadline') {
        // The queue ran the job early (clock skew between machines): try again at decide_at.
        await ctx.queue.send(
          DECIDE_MARKET_JOB,
          { marketId },
          {
            tx,
            startAfter: facts.decide_at,
            singletonKey: `decide:${marketId}:${facts.decide_at.getTime()}`,
          },
        )
        return null
      }
      if (!facts.decision_rule.allow_early_decision) {
        throw errors.unprocessable(
          ErrorCode.DecisionTooEarly,
          'Too early to decide',
          `This market decides at ${facts.decide_at.toISOString()}; its rule does not allow deciding earlier`,
        )
      }
    }
    const record = await recordDecision(tx, facts, branches, now, trigger)
    if (facts.agent_id) await queueDecisionDelivery(ctx, tx, facts.agent_id, market, record, branches, trace)
    // Last: refunds lock the traders' cash and post to the ledger.
    await voidOtherBranches(m, market, branches, record.chosen_branch, now)
    ctx.log.info(
      { marketId, chosen: record.chosen_branch, reason: record.reason, trigger: trigger.kind },
      'decision made',
    )
    return record
  })
}

function assertMayDecideEarly(principal: Principal, facts: DecisionFacts) {
  const decision = authorize(principal, 'market.decide_early', {
    ownerId: facts.operator_id ?? facts.creator_id,
  })
  if (!decision.allowed) {
    throw new AppError({
      code: ErrorCode.Forbidden,
      status: decision.status,
      title: 'Forbidden',
      detail: decision.detail,
      extensions: { reason: decision.reason },
    })
  }
}

async function recordDecision(
  tx: Transaction,
  facts: DecisionFacts & {
    decide_at: Date
    default_branch: number
    decision_rule: NonNullable<DecisionFacts['decision_rule']>
  },
  branches: readonly BranchRow[],
  now: Date,
  trigger: DecideTrigger,
): Promise<DecisionRecord> {
  const rule = facts.decision_rule
  const at = now.getTime() < facts.decide_at.getTime() ? now : facts.decide_at
  const scores = await computeScores(tx, facts, branches, at)
  const verdict = decide({
    branches: scores.branches.map((b) => ({
      id: String(b.index),
      score: b.score,
      traders: b.traders,
      volume: b.volume,
    })),
    defaultBranchId: String(facts.default_branch),
    thresholdBps: rule.threshold_bps,
    minTraders: rule.min_traders,
    minVolume: minVolumeOf(rule),
    distinctTraders: scores.distinctTraders,
  })
  const record: DecisionRecord = {
    market_id: facts.id,
    chosen_branch: Number(verdict.chosenBranchId),
    best_branch: Number(verdict.bestBranchId),
    default_branch: facts.default_branch,
    reason: verdict.reason,
    explanation: verdict.explanation,
    scores: scores.branches.map((b) => ({ ...b, volume: formatAmount(b.volume) })),
    params: {
      ...rule,
      window_start: scores.windowStart.toISOString(),
      window_end: scores.windowEnd.toISOString(),
      margin: verdict.margin,
    },
    distinct_traders: scores.distinctTraders,
    total_volume: scores.totalVolume,
    decided_by: trigger.kind === 'early' ? trigger.principal.userId : null,
    decided_at: now,
  }
  await tx.execute(InsertDecision, [
    record.market_id,
    record.chosen_branch,
    record.best_branch,
    record.default_branch,
    record.reason,
    record.explanation,
    JSON.stringify(record.scores),
    JSON.stringify(record.params),
    record.distinct_traders,
    record.total_volume,
    record.decided_by,
    now,
  ])
  await tx.execute(MarkDecided, [facts.id, now, record.chosen_branch])
  return record
}

async function voidOtherBranches(
  m: MoneyTransaction,
  market: MarketRow,
  branches: readonly BranchRow[],
  chosen: number,
  now: Date,
) {
  const { tx } = m
  const voided = branches.filter((b) => b.index !== chosen).map((b) => ({ ...b, status: 'voided' as const }))
  for (const branch of voided) await tx.execute(VoidBranch, [branch.id])
  // All of them at once: the cash of every trader is locked before the first refund is posted.
  await settleVoidedBranchesNow(m, market, voided, now)
}
