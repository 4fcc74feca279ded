/**
 * A decision market's scores: for each branch, the lagging TWAP of the expected objective
 * (domain/decision-rule) over the price path its trades left, plus the facts the rule weighs
 * (traders, volume). Read by the decision itself and by GET /v1/markets/{id}, so traders see
 * the score that will decide, not just the spot price.
 */
import { type Queryable, sql } from '../../db/database.js'
import type { DecisionRuleSettings } from '../../domain/agents/settings.js'
import {
  branchScore,
  laggingTwap,
  type Objective,
  type ScoreChange,
} from '../../domain/decision-rule/index.js'
import { parseAmount } from '../../domain/money.js'
import { branchPrices } from '../markets/present.js'
import type { BranchRow, MarketKind } from '../markets/repository.js'

/** What makes a market a decision market; null columns for plain markets. */
export interface DecisionFacts {
  id: string
  kind: MarketKind
  status: string
  /** When trading opened: creation, or the end of the proposing phase. */
  created_at: Date
  close_at: Date
  decide_at: Date | null
  default_branch: number | null
  decision_rule: DecisionRuleSettings | null
  utilities: number[] | null
  agent_id: string | null
  operator_id: string | null
  creator_id: string
  decided_at: Date | null
  decided_branch: number | null
}

const FindDecisionFacts = sql<DecisionFacts>(
  'FindDecisionFacts',
  `select m.id, m.kind, m.status, coalesce(m.opened_at, m.created_at) as created_at, m.close_at, m.decide_at, m.default_branch, m.decision_rule, m.utilities,
          m.agent_id, a.owner_id as operator_id, m.creator_id, m.decided_at, m.decided_branch
     from public.markets m left join public.agents a on a.id = m.agent_id
    where m.id = $1`,
)

export function findDecisionFacts(db: Queryable, marketId: string): Promise<DecisionFacts | undefined> {
  return db.maybeOne(FindDecisionFacts, [marketId])
}

export function isDecisionMarket(facts: DecisionFacts): facts is DecisionFacts & {
  decide_at: Date
  default_branch: number
  decision_rule: DecisionRuleSettings
} {
  return facts.default_branch !== null && facts.decide_at !== null && facts.decision_rule !== null
}

interface PathRow {
  branch_index: number
  at_ms: number
  prices_after: number[]
}

// The price path of every branch up to the decision time, in trade order. One row per trade;
// decision markets are small (≤ 16 branches, a trading window of hours or days), and this runs
// once per decision and per page view of a decision market.
const PricePaths = sql<PathRow>(
  'DecisionPricePaths',
  `select b.index as branch_index, (extract(epoch from t.created_at) * 1000)::float8 as at_ms, t.prices_after
     from public.trades t join public.market_branches b on b.id = t.branch_id
    where t.market_id = $1 and t.created_at <= $2
    order by b.index, t.branch_seq`,
)

const DistinctTraders = sql<{ n: number }>(
  'DecisionDistinctTraders',
  'select count(distinct trader_id)::int as n from public.trades where market_id = $1 and created_at <= $2',
)

export function objectiveOf(facts: Pick<DecisionFacts, 'kind' | 'utilities'>): Objective {
  if (facts.kind === 'categorical') return { kind: 'categorical', utilities: facts.utilities ?? [] }
  return { kind: facts.kind }
}

export interface BranchDecisionScore {
  index: number
  label: string
  /** The lagging TWAP of the objective: what the rule compares. */
  score: number
  /** The objective at the current prices (moves at once; the score follows with a lag). */
  spot: number
  observations: number
  last_observation: number
  traders: number
  volume: bigint
}

export interface MarketScores {
  branches: BranchDecisionScore[]
  distinctTraders: number
  totalVolume: bigint
  /** The window the TWAP averaged. */
  windowStart: Date
  windowEnd: Date
}

export function minVolumeOf(rule: DecisionRuleSettings): bigint {
  // Settings stored before amounts had one canonical form may carry leading zeros ("010"),
  // which the parser now refuses at the edge; a stored rule must still decide.
  return parseAmount(rule.min_volume.replace(/^0+(?=\d)/, ''))
}

/** Scores as of `at` (decide_at for the decision, now for a live view), never past decide_at. */
export async function computeScores(
  db: Queryable,
  facts: DecisionFacts & { decide_at: Date; decision_rule: DecisionRuleSettings },
  branches: readonly BranchRow[],
  at: Date,
): Promise<MarketScores> {
  const rule = facts.decision_rule
  const openedAtMs = facts.created_at.getTime()
  const endMs = Math.max(openedAtMs, Math.min(at.getTime(), facts.decide_at.getTime()))
  const windowStartMs =
    rule.twap_window_seconds === null
      ? openedAtMs
      : Math.max(openedAtMs, endMs - rule.twap_window_seconds * 1000)
  const objective = objectiveOf(facts)
  const [paths, traders] = await Promise.all([
    db.many(PricePaths, [facts.id, new Date(endMs)]),
    db.one(DistinctTraders, [facts.id, new Date(endMs)]),
  ])
  const changesByBranch = new Map<number, ScoreChange[]>()
  for (const row of paths) {
    const list = changesByBranch.get(row.branch_index) ?? []
    list.push({ atMs: Math.max(row.at_ms, openedAtMs), score: branchScore(objective, row.prices_after) })
    changesByBranch.set(row.branch_index, list)
  }
  const scored = branches.map((branch) => {
    const n = branch.q.length
    // The market sets the first observation: the LMSR's opening prices (uniform), not the
    // first trader's price.
    const openingScore = branchScore(
      objective,
      Array.from({ length: n }, () => 1 / n),
    )
    const twap = laggingTwap({
      changes: changesByBranch.get(branch.index) ?? [],
      openingScore,
      openedAtMs,
      intervalMs: rule.twap_interval_seconds * 1000,
      maxStep: rule.twap_max_step_bps / 10_000,
      windowStartMs,
      windowEndMs: endMs,
    })
    const spot = branchScore(objective, branchPrices(branch))
    return {
      index: branch.index,
      label: branch.label,
      score: twap.twap,
      spot,
      observations: twap.observationCount,
      last_observation: twap.lastObservation,
      traders: branch.trader_count,
      volume: branch.volume,
    }
  })
  return {
    branches: scored,
    distinctTraders: traders.n,
    totalVolume: branches.reduce((sum, b) => sum + b.volume, 0n),
    windowStart: new Date(windowStartMs),
    windowEnd: new Date(endMs),
  }
}
