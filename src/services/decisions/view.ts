/**
 * The decision part of GET /v1/markets/{id}: the rule, each branch's current decision score
 * (the lagging TWAP the rule will compare, beside the spot value it lags), and, once decided,
 * the record: what was chosen and why, and the agent's prior next to it.
 */
import type { AppContext } from '../../context.js'
import { type Queryable, sql } from '../../db/database.js'
import { formatAmount } from '../../domain/money.js'
import { getMarket } from '../markets/queries.js'
import { listBranches } from '../markets/repository.js'
import { findDecision } from './decide.js'
import { computeScores, findDecisionFacts, isDecisionMarket } from './scores.js'

const PriorOf = sql<{
  prior_branch: number | null
  prior_confidence: number | null
  prior_rationale: string | null
  prior_model: string | null
}>(
  'DecisionPrior',
  'select prior_branch, prior_confidence, prior_rationale, prior_model from public.agent_decisions where market_id = $1',
)

/**
 * A market with its decision part, read in one snapshot. Read as separate statements, a GET
 * racing the deciding transaction showed the market `open` beside the decision's result (the
 * market row read before the commit, the record after): the end-to-end story met it under load.
 */
export function marketWithDecision(ctx: Pick<AppContext, 'db' | 'clock'>, idOrSlug: string) {
  return ctx.db.withTransaction(
    async (tx) => {
      const market = await getMarket(tx, idOrSlug)
      return { ...market, decision: await decisionView(ctx, market.id, tx) }
    },
    { isolation: 'repeatable read' },
  )
}

export async function decisionView(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  marketId: string,
  db: Queryable = ctx.db,
) {
  const facts = await findDecisionFacts(db, marketId)
  if (!facts || !isDecisionMarket(facts)) return null
  const [branches, record] = await Promise.all([listBranches(db, marketId), findDecision(db, marketId)])
  const labels = new Map(branches.map((b) => [b.index, b.label]))
  const live = record ? null : await computeScores(db, facts, branches, ctx.clock.now())
  const prior = record && facts.agent_id ? await db.maybeOne(PriorOf, [marketId]) : undefined
  return {
    agent_id: facts.agent_id,
    decide_at: facts.decide_at.toISOString(),
    default_branch: facts.default_branch,
    rule: facts.decision_rule,
    utilities: facts.utilities,
    scores: record
      ? record.scores.map((s) => ({ ...s, branch: s.index }))
      : (live?.branches ?? []).map((s) => ({ ...s, branch: s.index, volume: formatAmount(s.volume) })),
    distinct_traders: record ? record.distinct_traders : (live?.distinctTraders ?? 0),
    total_volume: formatAmount(record ? BigInt(record.total_volume) : (live?.totalVolume ?? 0n)),
    result: record
      ? {
          chosen: { branch: record.chosen_branch, label: labels.get(record.chosen_branch) ?? null },
          best: { branch: record.best_branch, label: labels.get(record.best_branch) ?? null },
          reason: record.reason,
          explanation: record.explanation,
          decided_at: record.decided_at.toISOString(),
          decided_by: record.decided_by,
        }
      : null,
    prior:
      prior && prior.prior_branch !== null
        ? {
            branch: prior.prior_branch,
            action: labels.get(prior.prior_branch) ?? null,
            confidence: prior.prior_confidence,
            rationale: prior.prior_rationale,
            model: prior.prior_model,
          }
        : null,
  }
}
