/**
 * Scalar markets: a range lo..hi traded as a two-outcome LMSR branch, LONG and SHORT.
 * When the value v is reported, a LONG share pays f = clamp((v − lo)/(hi − lo), 0, 1) of a
 * credit and a SHORT share pays 1 − f.
 *
 * Exactness. v, lo and hi are integers on one scale of the caller's choosing (for example
 * micro-units from `parseAmount(s, { allowNegative: true })`), so f is an exact rational
 * num/den and payouts are exact integer divisions, each rounded down per holder:
 *
 *   long payout  = ⌊shares · num / den⌋
 *   short payout = ⌊shares · (den − num) / den⌋
 *
 * Why the escrow covers it. Rounding down per holder means the sum over LONG holders is
 * ≤ q_LONG · f and over SHORT holders ≤ q_SHORT · (1 − f). Their total is a convex
 * combination of q_LONG and q_SHORT, hence ≤ max(q_LONG, q_SHORT) = maxLiability(q), which
 * the LMSR's solvency invariant keeps ≤ escrow. SHORT does not take "the rest" of a LONG
 * holder's rounded-down remainder (that would need both sides of a share in one hand); the
 * few micro-credits rounding leaves behind stay in escrow and return to the creator with
 * the leftover subsidy.
 */

import { floorDiv, MICRO } from '../money.js'
import { MarketMakerError } from './lmsr.js'

/** Outcome index of LONG in a scalar branch. */
export const SCALAR_LONG = 0
/** Outcome index of SHORT in a scalar branch. */
export const SCALAR_SHORT = 1

export type ScalarOutcome = typeof SCALAR_LONG | typeof SCALAR_SHORT

/** An exact fraction in [0, 1]: 0 ≤ num ≤ den, den > 0. */
export interface Fraction {
  readonly num: bigint
  readonly den: bigint
}

/**
 * The share of a credit a LONG share pays: clamp((value − lo)/(hi − lo), 0, 1), exactly.
 * All three arguments must be on the same integer scale; hi must exceed lo.
 */
export function scalarLongFraction(value: bigint, lo: bigint, hi: bigint): Fraction {
  if (hi <= lo) throw new MarketMakerError('invalid_quantity', `scalar range needs lo < hi, got ${lo}..${hi}`)
  const den = hi - lo
  // Stryker disable next-line EqualityOperator: at value = lo the general case gives num = 0 too
  if (value <= lo) return { num: 0n, den }
  // Stryker disable next-line EqualityOperator: at value = hi the general case gives num = den too
  if (value >= hi) return { num: den, den }
  return { num: value - lo, den }
}

/** The fraction as a float, for display and for the decision rule's implied mean. */
export function fractionToNumber(f: Fraction): number {
  return Number(f.num) / Number(f.den)
}

function assertFraction(f: Fraction): void {
  if (f.den <= 0n || f.num < 0n || f.num > f.den) {
    throw new MarketMakerError('invalid_quantity', `fraction must lie in [0, 1], got ${f.num}/${f.den}`)
  }
}

/**
 * Micro-credits paid to one holder of `shares` micro-shares of `outcome` once the LONG
 * fraction is known. Rounded down per holder; see the module comment for why the escrow
 * always covers the total.
 */
export function scalarPayout(shares: bigint, outcome: ScalarOutcome, longFraction: Fraction): bigint {
  assertFraction(longFraction)
  if (shares < 0n) throw new MarketMakerError('invalid_quantity', `shares must be ≥ 0, got ${shares}`)
  const { num, den } = longFraction
  if (outcome === SCALAR_LONG) return floorDiv(shares * num, den)
  if (outcome === SCALAR_SHORT) return floorDiv(shares * (den - num), den)
  throw new MarketMakerError(
    'invalid_outcome',
    `scalar outcome must be LONG (0) or SHORT (1), got ${outcome}`,
  )
}

/** Micro-credits per whole share (MICRO micro-shares) of `outcome`, rounded down; for display. */
export function scalarPayoutPerShare(outcome: ScalarOutcome, longFraction: Fraction): bigint {
  return scalarPayout(MICRO, outcome, longFraction)
}
