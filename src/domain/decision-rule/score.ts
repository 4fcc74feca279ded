/**
 * A branch's score: the expected value of the agent's objective if that branch's action is
 * taken, read off the branch's prices and normalised to [0, 1] so that scores of every outcome
 * space compare on one scale and a threshold in basis points means the same thing everywhere.
 *
 * Prices are floats here on purpose: they are probabilities, not money. Money stays bigint.
 */
import { DecisionRuleError, DecisionRuleErrorCode } from './errors.js'

/**
 * How far the prices may sum from 1. LMSR prices sum to 1 within ~1e-15, but prices that went
 * through the API are rounded to 6 decimals, so 32 outcomes can be off by 32 × 5e-7 = 1.6e-5.
 * 1e-4 tolerates that while still rejecting a vector that is not a distribution at all (shares,
 * or a branch's prices with one outcome missing).
 */
const PRICE_SUM_TOLERANCE = 1e-4

/** What the agent maximises, per outcome space; the index fields default as documented. */
export type Objective =
  | {
      kind: 'binary'
      /** Outcome index of YES; 0 unless the market lists NO first. */
      yesIndex?: number
    }
  | {
      kind: 'scalar'
      /** Outcome index of LONG; 0 unless the market lists SHORT first. */
      longIndex?: number
    }
  | {
      kind: 'categorical'
      /** The objective's value if each outcome happens, one per outcome, any finite scale. */
      utilities: readonly number[]
    }

/** Score of one branch under the given objective. */
export function branchScore(objective: Objective, prices: readonly number[]): number {
  switch (objective.kind) {
    case 'binary':
      return binaryScore(prices, objective.yesIndex ?? 0)
    case 'scalar':
      return scalarScore(prices, objective.longIndex ?? 0)
    case 'categorical':
      return categoricalScore(prices, objective.utilities)
  }
}

/** P(YES). */
export function binaryScore(prices: readonly number[], yesIndex = 0): number {
  const normalised = validatePrices(prices, 2, 2)
  return clampUnit(at(normalised, checkIndex(yesIndex, normalised.length, 'yesIndex')))
}

/**
 * The LONG price. LONG pays clamp((v - lo) / (hi - lo), 0, 1), so its price is the market's
 * expected value of v as a fraction of the range: exactly the normalised score we want.
 */
export function scalarScore(prices: readonly number[], longIndex = 0): number {
  const normalised = validatePrices(prices, 2, 2)
  return clampUnit(at(normalised, checkIndex(longIndex, normalised.length, 'longIndex')))
}

/** Maps a scalar score back to the implied mean in lo..hi, for display and for the record. */
export function scalarValueFromScore(score: number, lo: number, hi: number): number {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi) || !Number.isFinite(hi - lo)) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidScalarRange,
      `scalar range must be finite with lo < hi (got ${lo}..${hi})`,
      { lo, hi },
    )
  }
  if (!Number.isFinite(score) || score < 0 || score > 1) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidScalarRange,
      `score must be in [0, 1] (got ${score})`,
      { score },
    )
  }
  // lo + s·(hi - lo) can land a rounding step outside the range at s = 1.
  return Math.min(hi, Math.max(lo, lo + score * (hi - lo)))
}

/**
 * Σ p_i · û_i with û_i = (u_i - min u) / (max u - min u). The min-max normalisation keeps the
 * score in [0, 1] whatever scale the operator wrote utilities in; it is an affine map, so it
 * preserves the ranking of branches and (up to the constant factor) their margins.
 */
export function categoricalScore(prices: readonly number[], utilities: readonly number[]): number {
  const normalised = validatePrices(prices, 2, Number.POSITIVE_INFINITY)
  if (utilities.length !== normalised.length) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidUtilities,
      `expected ${normalised.length} utilities, one per outcome (got ${utilities.length})`,
      { expected: normalised.length, got: utilities.length },
    )
  }
  const scaled = normaliseUtilities(utilities)
  let score = 0
  for (let i = 0; i < normalised.length; i++) score += at(normalised, i) * at(scaled, i)
  return clampUnit(score)
}

/** (u - min) / (max - min) per outcome; throws when utilities cannot tell outcomes apart. */
export function normaliseUtilities(utilities: readonly number[]): number[] {
  if (utilities.length === 0) {
    throw new DecisionRuleError(DecisionRuleErrorCode.InvalidUtilities, 'utilities must not be empty')
  }
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < utilities.length; i++) {
    const u = at(utilities, i)
    if (!Number.isFinite(u)) {
      throw new DecisionRuleError(
        DecisionRuleErrorCode.InvalidUtilities,
        `utility ${i} must be a finite number (got ${u})`,
        { index: i },
      )
    }
    // Stryker disable next-line EqualityOperator: ties change nothing
    if (u < min) min = u
    // Stryker disable next-line EqualityOperator: ties change nothing
    if (u > max) max = u
  }
  if (min === max) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.DegenerateUtilities,
      'all utilities are equal, so every branch would score the same',
    )
  }
  const range = max - min
  // Two finite utilities near ±Number.MAX_VALUE overflow the range to Infinity, which would make
  // every normalised utility 0 and hide the problem.
  if (!Number.isFinite(range)) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidUtilities,
      'utilities span a range too large to represent; rescale them',
    )
  }
  return utilities.map((u) => Math.min(1, Math.max(0, (u - min) / range)))
}

/** Checks that prices form a distribution and divides out the rounding in their sum. */
function validatePrices(prices: readonly number[], minCount: number, maxCount: number): number[] {
  if (prices.length < minCount || prices.length > maxCount) {
    const expected = minCount === maxCount ? `${minCount}` : `at least ${minCount}`
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidPrices,
      `expected ${expected} prices (got ${prices.length})`,
      { count: prices.length },
    )
  }
  let sum = 0
  for (let i = 0; i < prices.length; i++) {
    const p = at(prices, i)
    if (!Number.isFinite(p) || p < 0 || p > 1) {
      throw new DecisionRuleError(
        DecisionRuleErrorCode.InvalidPrices,
        `price ${i} must be a probability in [0, 1] (got ${p})`,
        { index: i },
      )
    }
    sum += p
  }
  // Stryker disable next-line EqualityOperator: |sum − 1| is a multiple of 2^-53 near 1 and the double 1e-4 is not, so they are never equal
  if (Math.abs(sum - 1) > PRICE_SUM_TOLERANCE) {
    throw new DecisionRuleError(DecisionRuleErrorCode.InvalidPrices, `prices must sum to 1 (got ${sum})`, {
      sum,
    })
  }
  return prices.map((p) => p / sum)
}

function checkIndex(index: number, count: number, name: string): number {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.InvalidOutcomeIndex,
      `${name} must be an outcome index in 0..${count - 1} (got ${index})`,
      { [name]: index },
    )
  }
  return index
}

function clampUnit(x: number): number {
  return Math.min(1, Math.max(0, x))
}

/** Indexing that satisfies noUncheckedIndexedAccess where the bound was already checked. */
function at(values: readonly number[], i: number): number {
  return values[i] as number
}
