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
  type TwapInput,
  twapObservations,
} from '../../domain/decision-rule/index.js'
import { parseAmount } from '../../domain/money.js'
import { branchPrices } from '../markets/present.js'
import type { BranchRow, MarketKind } from '../markets/repository.js'

/** What makes a market a decision market; null columns for plain markets. */
export interface DecisionFacts {
  id: string
  kind: MarketKind
  status: string
  /** When trading opened: creation, or the end of the proposing phase (opened_at). */
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
  /** When the observations' grid starts (trading opened). */
  openedAt: Date
  /** The window the TWAP averaged. */
  windowStart: Date
  windowEnd: Date
}

export function minVolumeOf(rule: DecisionRuleSettings): bigint {
  // Settings stored before amounts had one canonical form may carry leading zeros ("010"),
  // which the parser now refuses at the edge; a stored rule must still decide.
  return parseAmount(rule.min_volume.replace(/^0+(?=\d)/, ''))
}

/**
 * What a branch's score is computed from, public so anyone can recompute it: the grid starts at
 * the opening (the end of the proposing phase, if there was one, not the market's creation),
 * observations every interval, each moving at most max_step toward the score of the last trade
 * at or before it, and the mean of those in [window_start, window_end] is the score.
 */
export interface ScoreWindow {
  openedAt: Date
  windowStart: Date
  windowEnd: Date
  intervalMs: number
  maxStep: number
}

/** The window as of `at` (decide_at for the decision, now for a live view), never past decide_at. */
export function scoreWindow(
  facts: DecisionFacts & { decide_at: Date; decision_rule: DecisionRuleSettings },
  at: Date,
): ScoreWindow {
  const rule = facts.decision_rule
  const openedAtMs = facts.created_at.getTime()
  const endMs = Math.max(openedAtMs, Math.min(at.getTime(), facts.decide_at.getTime()))
  const windowStartMs =
    rule.twap_window_seconds === null
      ? openedAtMs
      : Math.max(openedAtMs, endMs - rule.twap_window_seconds * 1000)
  return {
    openedAt: new Date(openedAtMs),
    windowStart: new Date(windowStartMs),
    windowEnd: new Date(endMs),
    intervalMs: rule.twap_interval_seconds * 1000,
    maxStep: rule.twap_max_step_bps / 10_000,
  }
}

/**
 * The market sets the first observation: the LMSR's opening prices (uniform), not the first
 * trader's price.
 */
export function openingScoreOf(objective: Objective, outcomes: number): number {
  return branchScore(
    objective,
    Array.from({ length: outcomes }, () => 1 / outcomes),
  )
}

async function scoreChanges(db: Queryable, facts: DecisionFacts, objective: Objective, window: ScoreWindow) {
  const openedAtMs = window.openedAt.getTime()
  const paths = await db.many(PricePaths, [facts.id, window.windowEnd])
  const changesByBranch = new Map<number, ScoreChange[]>()
  for (const row of paths) {
    const list = changesByBranch.get(row.branch_index) ?? []
    list.push({ atMs: Math.max(row.at_ms, openedAtMs), score: branchScore(objective, row.prices_after) })
    changesByBranch.set(row.branch_index, list)
  }
  return changesByBranch
}

function twapInput(window: ScoreWindow, openingScore: number, changes: readonly ScoreChange[]): TwapInput {
  return {
    changes,
    openingScore,
    openedAtMs: window.openedAt.getTime(),
    intervalMs: window.intervalMs,
    maxStep: window.maxStep,
    windowStartMs: window.windowStart.getTime(),
    windowEndMs: window.windowEnd.getTime(),
  }
}

/**
 * One branch's every observation from the opening to the window's end (those before the window
 * carry the lag into it), and the score they average to: what GET …/decision/observations shows.
 */
export async function branchObservations(
  db: Queryable,
  facts: DecisionFacts & { decide_at: Date; decision_rule: DecisionRuleSettings },
  branch: Pick<BranchRow, 'index' | 'q'>,
  at: Date,
  range: { after?: number; limit?: number } = {},
) {
  const objective = objectiveOf(facts)
  const window = scoreWindow(facts, at)
  const changes = (await scoreChanges(db, facts, objective, window)).get(branch.index) ?? []
  const openingScore = openingScoreOf(objective, branch.q.length)
  const input = twapInput(window, openingScore, changes)
  return { window, openingScore, observations: twapObservations(input, range), twap: laggingTwap(input) }
}

/** Scores as of `at` (decide_at for the decision, now for a live view), never past decide_at. */
export async function computeScores(
  db: Queryable,
  facts: DecisionFacts & { decide_at: Date; decision_rule: DecisionRuleSettings },
  branches: readonly BranchRow[],
  at: Date,
): Promise<MarketScores> {
  const window = scoreWindow(facts, at)
  const objective = objectiveOf(facts)
  const [changesByBranch, traders] = await Promise.all([
    scoreChanges(db, facts, objective, window),
    db.one(DistinctTraders, [facts.id, window.windowEnd]),
  ])
  const scored = branches.map((branch) => {
    const openingScore = openingScoreOf(objective, branch.q.length)
    const twap = laggingTwap(twapInput(window, openingScore, changesByBranch.get(branch.index) ?? []))
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
    openedAt: window.openedAt,
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
  }
}
