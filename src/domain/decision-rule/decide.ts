/**
 * The deterministic decision rule: take the best-scoring branch if it beats the default action
 * by a threshold and the market was busy enough to be believed; otherwise take the default.
 * The result says which branch won on the numbers, which one was taken and why, so the record
 * can show where the market overrode the agent's default and where it was not allowed to.
 */
import { DecisionRuleError, DecisionRuleErrorCode } from './errors.js'

export interface DecisionBranch {
  id: string
  /** The branch's lagging TWAP score, in [0, 1]. */
  score: number
  /** Distinct traders in this branch. */
  traders: number
  /** Traded volume in this branch, in micro-credits. */
  volume: bigint
}

export interface DecideInput {
  branches: readonly DecisionBranch[]
  defaultBranchId: string
  /** How far the best branch must score above the default, in basis points of the [0, 1] score. */
  thresholdBps: number
  /** Minimum distinct traders across the whole market. */
  minTraders: number
  /** Minimum total volume across the whole market, in micro-credits. */
  minVolume: bigint
  /**
   * Distinct traders across all branches. Per-branch counts cannot give this (someone trading
   * in two branches is one trader), so the store should count it. When omitted the largest
   * per-branch count is used: the only figure per-branch counts prove, so it never overstates.
   */
  distinctTraders?: number
}

export const DecisionReason = {
  /** The best branch beat the default by the threshold and the market met its minimums. */
  BestBeatsDefault: 'best_beats_default',
  /** The default action scored highest (ties go to the default). */
  DefaultIsBest: 'default_is_best',
  /** Another branch scored higher, but by less than the threshold. */
  BelowThreshold: 'below_threshold',
  /** Too few distinct traders across the market for its prices to overrule the default. */
  InsufficientTraders: 'insufficient_traders',
  /** Too little volume across the market for its prices to overrule the default. */
  InsufficientVolume: 'insufficient_volume',
} as const

export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason]

export interface BranchScore {
  branchId: string
  score: number
}

export interface Decision {
  chosenBranchId: string
  /** Highest score (ties → default, then lowest index), whether or not it was taken. */
  bestBranchId: string
  defaultBranchId: string
  /** In input order. */
  scores: BranchScore[]
  /** best score - default score; 0 when the default is best. */
  margin: number
  thresholdBps: number
  distinctTraders: number
  totalVolume: bigint
  reason: DecisionReason
  /** One sentence for the decision record and the operator's webhook. */
  explanation: string
}

/**
 * Scores are floats, so a margin a person reads as exactly the threshold (0.6 - 0.5 against
 * 1000 bps) computes as 0.09999999999999998. The tolerance lets such margins pass; it is far
 * below one basis point (1e-4), so it never lets a margin that is really short through.
 */
const THRESHOLD_TOLERANCE = 1e-12

const BPS = 10_000

export function decide(input: DecideInput): Decision {
  const { branches, defaultBranchId, thresholdBps, minTraders, minVolume } = input
  validate(input)

  const defaultIndex = branches.findIndex((b) => b.id === defaultBranchId)
  const defaultBranch = branches[defaultIndex] as DecisionBranch
  // Ties go to the default (the status quo needs no market to justify it), then to the lowest
  // index, so the outcome never depends on anything but the input.
  let best = defaultBranch
  for (const branch of branches) {
    if (branch.score > best.score) best = branch
  }

  let totalVolume = 0n
  let largestBranchTraders = 0
  for (const branch of branches) {
    totalVolume += branch.volume
    // Stryker disable next-line EqualityOperator: ties change nothing
    if (branch.traders > largestBranchTraders) largestBranchTraders = branch.traders
  }
  const distinctTraders = input.distinctTraders ?? largestBranchTraders
  const margin = best.score - defaultBranch.score

  // The minimums are checked first: they decide whether the market is consulted at all, so when
  // they fail that is the reason, even if the default also happened to score best.
  let reason: DecisionReason
  if (distinctTraders < minTraders) reason = DecisionReason.InsufficientTraders
  else if (totalVolume < minVolume) reason = DecisionReason.InsufficientVolume
  else if (best === defaultBranch) reason = DecisionReason.DefaultIsBest
  else if (margin < thresholdBps / BPS - THRESHOLD_TOLERANCE) reason = DecisionReason.BelowThreshold
  else reason = DecisionReason.BestBeatsDefault

  const chosen = reason === DecisionReason.BestBeatsDefault ? best : defaultBranch
  return {
    chosenBranchId: chosen.id,
    bestBranchId: best.id,
    defaultBranchId,
    scores: branches.map((b) => ({ branchId: b.id, score: b.score })),
    margin,
    thresholdBps,
    distinctTraders,
    totalVolume,
    reason,
    explanation: explain(reason, {
      best,
      defaultBranch,
      margin,
      thresholdBps,
      distinctTraders,
      minTraders,
      totalVolume,
      minVolume,
    }),
  }
}

interface ExplainContext {
  best: DecisionBranch
  defaultBranch: DecisionBranch
  margin: number
  thresholdBps: number
  distinctTraders: number
  minTraders: number
  totalVolume: bigint
  minVolume: bigint
}

function explain(reason: DecisionReason, c: ExplainContext): string {
  const best = `branch ${c.best.id} (score ${formatScore(c.best.score)})`
  const dflt = `default branch ${c.defaultBranch.id} (score ${formatScore(c.defaultBranch.score)})`
  const marginText = `${formatBps(c.margin)} bps`
  switch (reason) {
    case DecisionReason.BestBeatsDefault:
      return (
        `Took ${best}: it beat the ${dflt} by ${marginText}, at least the ${c.thresholdBps} bps threshold, ` +
        `with ${c.distinctTraders} traders and ${formatCredits(c.totalVolume)} credits traded.`
      )
    case DecisionReason.DefaultIsBest:
      return `Took the ${dflt}: no other branch scored higher.`
    case DecisionReason.BelowThreshold:
      return (
        `Took the ${dflt}: the best, ${best}, led it by ${marginText}, ` +
        `less than the ${c.thresholdBps} bps threshold.`
      )
    case DecisionReason.InsufficientTraders:
      return (
        `Took the ${dflt}: the market had ${c.distinctTraders} distinct traders, ` +
        `fewer than the minimum of ${c.minTraders}.`
      )
    case DecisionReason.InsufficientVolume:
      return (
        `Took the ${dflt}: the market traded ${formatCredits(c.totalVolume)} credits, ` +
        `less than the minimum of ${formatCredits(c.minVolume)} credits.`
      )
  }
}

function validate(input: DecideInput): void {
  const { branches, defaultBranchId, thresholdBps, minTraders, minVolume, distinctTraders } = input
  if (branches.length === 0) invalid('a decision needs at least one branch', 'branches')
  const seen = new Set<string>()
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i] as DecisionBranch
    if (typeof b.id !== 'string' || b.id.length === 0)
      invalid(`branches[${i}].id must be a non-empty string`, 'branches', i)
    if (seen.has(b.id)) invalid(`branch id ${b.id} appears twice`, 'branches', i)
    seen.add(b.id)
    if (!Number.isFinite(b.score) || b.score < 0 || b.score > 1) {
      invalid(`branches[${i}].score must be in [0, 1] (got ${b.score})`, 'branches', i)
    }
    if (!isCount(b.traders)) invalid(`branches[${i}].traders must be a non-negative integer`, 'branches', i)
    if (typeof b.volume !== 'bigint' || b.volume < 0n) {
      invalid(`branches[${i}].volume must be a non-negative bigint`, 'branches', i)
    }
  }
  if (!seen.has(defaultBranchId)) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.UnknownDefaultBranch,
      `default branch ${defaultBranchId} is not one of the branches`,
      { defaultBranchId },
    )
  }
  if (!Number.isInteger(thresholdBps) || thresholdBps < 0 || thresholdBps > BPS) {
    invalid(`thresholdBps must be an integer in 0..${BPS} (got ${thresholdBps})`, 'thresholdBps')
  }
  if (!isCount(minTraders))
    invalid(`minTraders must be a non-negative integer (got ${minTraders})`, 'minTraders')
  if (typeof minVolume !== 'bigint' || minVolume < 0n)
    invalid('minVolume must be a non-negative bigint', 'minVolume')
  if (distinctTraders !== undefined && !isCount(distinctTraders)) {
    invalid(`distinctTraders must be a non-negative integer (got ${distinctTraders})`, 'distinctTraders')
  }
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

function invalid(message: string, field: string, index?: number): never {
  throw new DecisionRuleError(
    DecisionRuleErrorCode.InvalidDecisionInput,
    message,
    index === undefined ? { field } : { field, index },
  )
}

function formatScore(score: number): string {
  return score.toFixed(4)
}

function formatBps(margin: number): string {
  return (margin * BPS).toFixed(1)
}

/** Micro-credits as a decimal string with trailing zeros dropped, as the API writes amounts. */
function formatCredits(micro: bigint): string {
  // Stryker disable next-line all: volumes are validated non-negative, so this branch of the shared formatter is never taken here
  const sign = micro < 0n ? '-' : ''
  // Stryker disable next-line all: volumes are validated non-negative (see above)
  const abs = micro < 0n ? -micro : micro
  const whole = abs / 1_000_000n
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
  return fraction.length > 0 ? `${sign}${whole}.${fraction}` : `${sign}${whole}`
}
