/**
 * The randomized decision rule of Chen & Kash, "Decision markets with good incentives" (2011).
 * With the deterministic rule a trader's forecast for a branch that will not be taken is never
 * scored, so it pays to misreport (talk a branch down so it is not chosen, or up so it is).
 * Choosing every branch with positive probability and scaling the chosen branch's payouts by
 * 1/probability makes each branch's expected payout independent of the choice, which restores
 * proper-scoring incentives for every branch.
 *
 * Formula (a mixture that never falls below the floor):
 *
 *     p_k = ε/K + (1 - ε)·q_k
 *
 * K branches, ε in (0, 1] the exploration share, q the weights that follow the scores:
 *  - proportional (default): q_k = s_k / Σ s (uniform if every score is 0);
 *  - softmax:                q_k = exp(s_k/τ) / Σ exp(s_j/τ), τ > 0 (smaller τ follows the
 *    best branch more sharply).
 * ε = 1 is uniform; each p_k ≥ ε/K, so the payout multiplier never exceeds K/ε.
 *
 * Exactness: probabilities are integers of a common denominator D = K·10^9 (so ε/K is a whole
 * number ε·10^9 of units per branch), apportioned by largest remainder so they sum to D exactly.
 * The draw, the reported probability and the payout scale D/w_k all use those same integers,
 * so the multiplier really is 1/(the probability the branch was chosen with) — exactly, as a
 * rational, and as parts per million rounded down, so a scaled payout never exceeds the exact
 * one and never draws on more than the escrow the exact rule would need.
 */
import { DecisionRuleError, DecisionRuleErrorCode } from './errors.js'

export interface RandomizedBranch {
  id: string
  /** The branch's (TWAP) score in [0, 1]. */
  score: number
}

export type Weighting = { kind: 'proportional' } | { kind: 'softmax'; temperature: number }

export interface RandomizedInput {
  branches: readonly RandomizedBranch[]
  /** Exploration share in (0, 1]; the floor per branch is ε/K. */
  epsilon: number
  /** Defaults to proportional. */
  weighting?: Weighting
  /** A uniform draw in [0, 1), injected so the rule stays pure and the draw can be recorded. */
  random: number
}

/** A non-negative fraction in lowest terms. */
export interface Rational {
  numerator: bigint
  denominator: bigint
}

export interface BranchProbability {
  branchId: string
  /** units / denominator, as a float for display. */
  probability: number
  /** The exact probability is units / RandomizedDistribution.denominator. */
  units: bigint
}

export interface RandomizedDistribution {
  /** K · 10^9. */
  denominator: bigint
  /** In input order; units sum to `denominator` exactly. */
  branches: BranchProbability[]
  /** Units every branch is guaranteed: ceil(ε · 10^9), i.e. at least ε/K of the whole. */
  floorUnits: bigint
}

export interface RandomizedDecision {
  chosenBranchId: string
  chosenIndex: number
  /** The probability the chosen branch was drawn with, exactly, in lowest terms. */
  probability: Rational
  /** 1 / probability, exactly, in lowest terms. */
  payoutScale: Rational
  /** floor(10^6 / probability): the multiplier in parts per million, rounded down. */
  payoutScalePpm: bigint
  distribution: RandomizedDistribution
}

/** Units per branch: ε/K of K·UNITS is ε·UNITS, a whole number for ε with up to 9 decimals. */
const UNITS_PER_BRANCH = 1_000_000_000
/** Keeps K·UNITS_PER_BRANCH far inside Number.MAX_SAFE_INTEGER (≈ 9·10^15). */
export const MAX_RANDOMIZED_BRANCHES = 1_000

export function randomizedDistribution(
  branches: readonly RandomizedBranch[],
  epsilon: number,
  weighting: Weighting = { kind: 'proportional' },
): RandomizedDistribution {
  validateDistributionInput(branches, epsilon, weighting)
  const k = branches.length
  const total = k * UNITS_PER_BRANCH
  // ε·10^9 ≤ 10^9 for ε ≤ 1, so the floors alone never exceed the whole.
  const floorUnits = Math.ceil(epsilon * UNITS_PER_BRANCH)
  const rest = total - k * floorUnits
  const weights = scoreWeights(branches, weighting)
  const units = apportion(
    rest,
    weights,
    branches.map((b) => b.score),
  ).map((u) => u + floorUnits)
  const denominator = BigInt(total)
  return {
    denominator,
    branches: branches.map((b, i) => {
      const u = units[i] as number
      return { branchId: b.id, probability: u / total, units: BigInt(u) }
    }),
    floorUnits: BigInt(floorUnits),
  }
}

export function decideRandomized(input: RandomizedInput): RandomizedDecision {
  const { random } = input
  if (!Number.isFinite(random) || random < 0 || random >= 1) {
    invalid(`random must be a number in [0, 1) (got ${random})`, 'random')
  }
  const distribution = randomizedDistribution(input.branches, input.epsilon, input.weighting)
  const total = Number(distribution.denominator)
  // random·total can round up to total when random is within an ulp of 1.
  // Stryker disable next-line ArithmeticOperator: a draw of total would fall through the loop to the last branch, which is what total − 1 picks
  const draw = Math.min(Math.floor(random * total), total - 1)
  let cumulative = 0
  // Stryker disable next-line ArithmeticOperator: overwritten in the loop: the units sum to the denominator, so some branch always takes the draw
  let chosenIndex = distribution.branches.length - 1
  // Stryker disable next-line EqualityOperator: the loop breaks at the latest on the last branch (see above)
  for (let i = 0; i < distribution.branches.length; i++) {
    cumulative += Number((distribution.branches[i] as BranchProbability).units)
    if (draw < cumulative) {
      chosenIndex = i
      break
    }
  }
  const chosen = distribution.branches[chosenIndex] as BranchProbability
  const probability = reduce(chosen.units, distribution.denominator)
  return {
    chosenBranchId: chosen.branchId,
    chosenIndex,
    probability,
    payoutScale: { numerator: probability.denominator, denominator: probability.numerator },
    payoutScalePpm: (distribution.denominator * 1_000_000n) / chosen.units,
    distribution,
  }
}

/** amount · scale, rounded down: what a position in the chosen branch is paid, in micro-credits. */
export function applyPayoutScale(amount: bigint, scale: Rational): bigint {
  if (amount < 0n) invalid('amount must be non-negative', 'amount')
  if (scale.numerator < 0n || scale.denominator <= 0n)
    invalid('scale must be a non-negative fraction', 'scale')
  return (amount * scale.numerator) / scale.denominator
}

/** q: weights in [0, 1] that follow the scores and sum to 1 (up to rounding). */
function scoreWeights(branches: readonly RandomizedBranch[], weighting: Weighting): number[] {
  if (weighting.kind === 'proportional') {
    const sum = branches.reduce((acc, b) => acc + b.score, 0)
    // Every branch forecast to fail completely gives no preference: fall back to uniform.
    if (sum === 0) return branches.map(() => 1 / branches.length)
    return branches.map((b) => b.score / sum)
  }
  // Subtracting the maximum keeps exp() from overflowing for small temperatures.
  const max = Math.max(...branches.map((b) => b.score))
  const exps = branches.map((b) => Math.exp((b.score - max) / weighting.temperature))
  const sum = exps.reduce((acc, e) => acc + e, 0)
  return exps.map((e) => e / sum)
}

/**
 * Splits `total` integer units in proportion to `weights` by largest remainder, so the parts
 * are integers that sum to `total` exactly. Equal remainders go to the higher score, then the
 * lower index: different scores can map to the same float weight (softmax at a low temperature
 * rounds nearby scores together), and a higher score must never end up with fewer units.
 */
function apportion(total: number, weights: readonly number[], scores: readonly number[]): number[] {
  const ideal = weights.map((w) => total * w)
  const parts = ideal.map((x) => Math.floor(x))
  let leftover = total - parts.reduce((acc, p) => acc + p, 0)
  const byRemainder = ideal
    .map((x, i) => ({ i, remainder: x - (parts[i] as number) }))
    .sort(
      (a, b) => b.remainder - a.remainder || (scores[b.i] as number) - (scores[a.i] as number) || a.i - b.i,
    )
  // Weights sum to 1 only up to rounding, so the leftover can stray outside 0..K-1 by a unit;
  // walking the ranking round-robin handles either direction and always terminates.
  for (let n = 0; leftover > 0; n++) {
    const i = (byRemainder[n % byRemainder.length] as { i: number }).i
    parts[i] = (parts[i] as number) + 1
    leftover--
  }
  for (let n = byRemainder.length - 1; leftover < 0; n = n === 0 ? byRemainder.length - 1 : n - 1) {
    const i = (byRemainder[n] as { i: number }).i
    if ((parts[i] as number) > 0) {
      parts[i] = (parts[i] as number) - 1
      leftover++
    }
  }
  return parts
}

function validateDistributionInput(
  branches: readonly RandomizedBranch[],
  epsilon: number,
  weighting: Weighting,
): void {
  if (branches.length === 0 || branches.length > MAX_RANDOMIZED_BRANCHES) {
    invalid(`expected 1..${MAX_RANDOMIZED_BRANCHES} branches (got ${branches.length})`, 'branches')
  }
  const seen = new Set<string>()
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i] as RandomizedBranch
    if (typeof b.id !== 'string' || b.id.length === 0)
      invalid(`branches[${i}].id must be a non-empty string`, 'branches')
    if (seen.has(b.id)) invalid(`branch id ${b.id} appears twice`, 'branches')
    seen.add(b.id)
    if (!Number.isFinite(b.score) || b.score < 0 || b.score > 1) {
      invalid(`branches[${i}].score must be in [0, 1] (got ${b.score})`, 'branches')
    }
  }
  // ε = 0 would let a branch's probability reach 0 and its payout multiplier infinity.
  if (!Number.isFinite(epsilon) || epsilon <= 0 || epsilon > 1) {
    invalid(`epsilon must be in (0, 1] (got ${epsilon})`, 'epsilon')
  }
  if (weighting.kind === 'softmax') {
    if (!Number.isFinite(weighting.temperature) || weighting.temperature <= 0) {
      invalid(`softmax temperature must be a positive number (got ${weighting.temperature})`, 'weighting')
    }
  } else if (weighting.kind !== 'proportional') {
    invalid(`unknown weighting ${(weighting as { kind: unknown }).kind}`, 'weighting')
  }
}

function reduce(numerator: bigint, denominator: bigint): Rational {
  const g = gcd(numerator, denominator)
  return { numerator: numerator / g, denominator: denominator / g }
}

function gcd(a: bigint, b: bigint): bigint {
  // Stryker disable next-line all: units and the denominator are positive, so gcd never sees a negative
  let x = a < 0n ? -a : a
  // Stryker disable next-line all: units and the denominator are positive, so gcd never sees a negative
  let y = b < 0n ? -b : b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

function invalid(message: string, field: string): never {
  throw new DecisionRuleError(DecisionRuleErrorCode.InvalidRandomizedInput, message, { field })
}
