/**
 * The decision part of GET /v1/markets/{id}: the rule, each branch's current decision score
 * (the lagging TWAP the rule will compare, beside the spot value it lags), and, once decided,
 * the record: what was chosen and why, and the agent's prior next to it.
 */
import type { AppContext } from '../../context.js'
import { type Queryable, sql } from '../../db/database.js'
import { formatAmount } from '../../domain/money.js'
import { errors } from '../../errors/codes.js'
import { getMarket } from '../markets/queries.js'
import { findMarket, listBranches } from '../markets/repository.js'
import { findDecision } from './decide.js'
import {
  branchObservations,
  computeScores,
  findDecisionFacts,
  isDecisionMarket,
  scoreWindow,
} from './scores.js'

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
  ctx: Pick<AppContext, 'clock'> & { db: Queryable },
  marketId: string,
  db: Queryable = ctx.db,
) {
  const facts = await findDecisionFacts(db, marketId)
  if (!facts || !isDecisionMarket(facts)) return null
  const [branches, record] = await Promise.all([listBranches(db, marketId), findDecision(db, marketId)])
  const labels = new Map(branches.map((b) => [b.index, b.label]))
  const live = record ? null : await computeScores(db, facts, branches, ctx.clock.now())
  const prior = record && facts.agent_id ? await db.maybeOne(PriorOf, [marketId]) : undefined
  const window = record ? recordedWindow(record.params) : live
  return {
    agent_id: facts.agent_id,
    decide_at: facts.decide_at.toISOString(),
    default_branch: facts.default_branch,
    rule: facts.decision_rule,
    utilities: facts.utilities,
    scoring: {
      opened_at: facts.created_at.toISOString(),
      window_start: window?.windowStart.toISOString() ?? null,
      window_end: window?.windowEnd.toISOString() ?? null,
    },
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

/** The window a recorded decision averaged (stored with its parameters). */
function recordedWindow(params: Record<string, unknown>) {
  return typeof params.window_start === 'string' && typeof params.window_end === 'string'
    ? { windowStart: new Date(params.window_start), windowEnd: new Date(params.window_end) }
    : null
}

/**
 * GET /v1/markets/{id}/decision/observations: one branch's lagging-TWAP observations, paged by
 * index, with everything needed to recompute them from public data (the prices come from
 * GET …/history: the opening point and each trade's prices, in trade order). For a decided
 * market, the observations the decision read; for a live one, as of now.
 */
export async function decisionObservations(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  idOrSlug: string,
  query: { branch: number; after?: number; limit: number },
) {
  return ctx.db.withTransaction(
    async (tx) => {
      const market = await findMarket(tx, idOrSlug)
      const facts = await findDecisionFacts(tx, market.id)
      if (!facts || !isDecisionMarket(facts)) {
        throw errors.notFound('Decision', 'This market is not a decision market')
      }
      const branch = (await listBranches(tx, market.id)).find((b) => b.index === query.branch)
      if (!branch) throw errors.notFound('Branch', `This market has no branch ${query.branch}`)
      const record = await findDecision(tx, market.id)
      const recorded = record ? recordedWindow(record.params) : null
      const at = recorded?.windowEnd ?? ctx.clock.now()
      const after = query.after ?? -1
      // One more than the page, to know whether another follows.
      const trace = await branchObservations(tx, facts, branch, at, { after, limit: query.limit + 1 })
      const window = scoreWindow(facts, at)
      const firstWindowAt = window.windowStart.getTime()
      const page = trace.observations.slice(0, query.limit)
      const last = page.at(-1)
      const more = trace.observations.length > query.limit
      return {
        market_id: market.id,
        branch: branch.index,
        label: branch.label,
        decided: record !== undefined,
        opened_at: window.openedAt.toISOString(),
        window_start: window.windowStart.toISOString(),
        window_end: window.windowEnd.toISOString(),
        interval_seconds: facts.decision_rule.twap_interval_seconds,
        max_step_bps: facts.decision_rule.twap_max_step_bps,
        threshold_bps: facts.decision_rule.threshold_bps,
        opening_score: trace.openingScore,
        score: trace.twap.twap,
        observation_count: trace.twap.observationCount,
        observations: page.map((o) => ({
          index: o.index,
          at: new Date(o.atMs).toISOString(),
          value: o.value,
          in_window: o.atMs >= firstWindowAt,
        })),
        next_cursor: more && last ? String(last.index) : null,
      }
    },
    { isolation: 'repeatable read' },
  )
}
