/**
 * Positions and settlement, pure: how a fill changes what a trader holds and paid, what a
 * resolution pays each holder, and how a void refunds each trader at cost. The services lock
 * the rows, call these, and write what they return as positions and journal entries; every
 * amount is bigint micro-units and every journal entry these plans produce sums to zero.
 */
import {
  payoutForShares,
  SCALAR_LONG,
  SCALAR_SHORT,
  type ScalarOutcome,
  scalarLongFraction,
  scalarPayout,
} from './market-maker/index.js'
import { floorDiv } from './money.js'
import type { TradeFill } from './trading/index.js'

/** What one trader holds of one outcome of one branch, and the running totals that explain it. */
export interface PositionTotals {
  /** Micro-shares held: Σ bought − Σ sold. */
  readonly shares: bigint
  /** Average-cost basis of the shares held, fees included. */
  readonly costBasis: bigint
  /** Realised profit: what sells (and settlement) returned minus the basis they used up. */
  readonly realizedPnl: bigint
  readonly sharesBought: bigint
  readonly sharesSold: bigint
  /** Σ cost paid to the market maker on buys (fees excluded). */
  readonly costTotal: bigint
  /** Σ proceeds paid by the market maker on sells (before fees). */
  readonly proceedsTotal: bigint
  /** Σ fees on buys and sells. */
  readonly feesTotal: bigint
  readonly tradeCount: number
}

export const EMPTY_POSITION: PositionTotals = {
  shares: 0n,
  costBasis: 0n,
  realizedPnl: 0n,
  sharesBought: 0n,
  sharesSold: 0n,
  costTotal: 0n,
  proceedsTotal: 0n,
  feesTotal: 0n,
  tradeCount: 0,
}

/**
 * The position after a fill. A sell uses up the basis in proportion to the shares sold
 * (average cost), rounded down, and all of it when the position is emptied, so the basis never
 * outlives the shares.
 */
export function applyFill(position: PositionTotals, fill: TradeFill): PositionTotals {
  if (fill.side === 'buy') {
    return {
      ...position,
      shares: position.shares + fill.shares,
      costBasis: position.costBasis + fill.cost + fill.fee,
      sharesBought: position.sharesBought + fill.shares,
      costTotal: position.costTotal + fill.cost,
      feesTotal: position.feesTotal + fill.fee,
      tradeCount: position.tradeCount + 1,
    }
  }
  const held = position.shares
  // Stryker disable next-line EqualityOperator: at fill.shares = held the pro-rata share ⌊basis·held/held⌋ is the whole basis too
  const used = fill.shares >= held ? position.costBasis : floorDiv(position.costBasis * fill.shares, held)
  return {
    ...position,
    shares: held - fill.shares,
    costBasis: position.costBasis - used,
    realizedPnl: position.realizedPnl + (fill.proceeds - fill.fee) - used,
    sharesSold: position.sharesSold + fill.shares,
    proceedsTotal: position.proceedsTotal + fill.proceeds,
    feesTotal: position.feesTotal + fill.fee,
    tradeCount: position.tradeCount + 1,
  }
}

// ---------------------------------------------------------------------------------------
// Resolution payouts
// ---------------------------------------------------------------------------------------

/** What a resolution says: the winning outcome, or for a scalar market the reported value. */
export type Resolution =
  | { readonly kind: 'outcome'; readonly winner: number }
  | { readonly kind: 'scalar'; readonly value: bigint; readonly lo: bigint; readonly hi: bigint }

/**
 * Micro-credits paid for `shares` micro-shares of `outcome`. Exact for binary and categorical
 * (one per winning micro-share); rounded down per holder for scalar, which keeps the total
 * within the escrow (see market-maker/scalar.ts).
 */
export function payoutFor(resolution: Resolution, outcome: number, shares: bigint): bigint {
  // Stryker disable next-line EqualityOperator: zero shares are paid 0 by every payout rule anyway
  if (shares <= 0n) return 0n
  if (resolution.kind === 'outcome') return payoutForShares(shares, outcome, resolution.winner)
  if (outcome !== SCALAR_LONG && outcome !== SCALAR_SHORT) {
    throw new RangeError(`scalar outcome must be LONG (0) or SHORT (1), got ${outcome}`)
  }
  const fraction = scalarLongFraction(resolution.value, resolution.lo, resolution.hi)
  return scalarPayout(shares, outcome as ScalarOutcome, fraction)
}

// ---------------------------------------------------------------------------------------
// Void: refunds at cost
// ---------------------------------------------------------------------------------------

/** A trader's totals over every outcome of one branch. */
export interface TraderTotals {
  readonly costTotal: bigint
  readonly proceedsTotal: bigint
  readonly feesTotal: bigint
}

/**
 * What a void gives back to a trader: everything paid minus everything received in the
 * branch, Σ(cost + fee) − Σ(proceeds − fee). Negative when the trader sold at a profit: then
 * the trader owes that profit back.
 */
export function netPaid(t: TraderTotals): bigint {
  return t.costTotal + t.feesTotal - t.proceedsTotal
}

/** A refund ratio num/den in (0, 1]: 1/1 unless clawbacks fell short (see `refundRatio`). */
export interface Ratio {
  readonly num: bigint
  readonly den: bigint
}

export const FULL_REFUND: Ratio = { num: 1n, den: 1n }

/** One trader's refund as three postings that sum to zero. */
export interface RefundPlan {
  /** To the trader's cash: the refund, or minus what is clawed back. */
  readonly toTrader: bigint
  /** Out of the fee account: the fees the trader paid in this branch, all returned. */
  readonly fromFees: bigint
  /** Into (positive) or out of (negative) the branch escrow: what balances the other two. */
  readonly toEscrow: bigint
  /** What the trader should have got (netPaid) and did not: clawback shortfall or ratio cut. */
  readonly shortfall: bigint
}

/**
 * Refund of one trader at a void.
 * - net ≥ 0: the trader receives ⌊net · ratio⌋ (the whole net unless clawbacks fell short);
 * - net < 0: the trader pays back their profit, as much as their cash allows (cash is never
 *   overdrawn); what cannot be collected is a shortfall the escrow absorbs.
 * The fee account returns every fee of the branch; the escrow pays or receives the rest.
 */
export function planRefund(totals: TraderTotals, cash: bigint, ratio: Ratio = FULL_REFUND): RefundPlan {
  const net = netPaid(totals)
  const fees = totals.feesTotal
  // Stryker disable next-line EqualityOperator: net = 0 gives the same postings on both paths (nothing paid, nothing collected)
  if (net >= 0n) {
    // Stryker disable next-line ConditionalExpression: a shortcut: when num = den, ⌊net·num/den⌋ = net
    const paid = ratio.num === ratio.den ? net : floorDiv(net * ratio.num, ratio.den)
    return { toTrader: paid, fromFees: fees, toEscrow: fees - paid, shortfall: net - paid }
  }
  const owed = -net
  // Stryker disable next-line EqualityOperator: at cash = owed both arms collect owed; at cash = 0 both collect 0
  const collected = cash < owed ? (cash > 0n ? cash : 0n) : owed
  return { toTrader: -collected, fromFees: fees, toEscrow: collected + fees, shortfall: owed - collected }
}

/**
 * The ratio at which the remaining (positive) refunds are paid once every clawback is done:
 * full when the escrow covers them, else the fraction it covers. `escrow` is the branch
 * escrow's balance at that point.
 *
 * The fees those traders get back flow through the escrow too, but they are left out of what
 * is "available": then every prefix of the refunds, in any order and any chunking, takes at
 * most Σ refunds ≤ escrow out of it, so the escrow's CHECK (≥ 0) can never fire midway.
 */
export function refundRatio(escrow: bigint, positives: readonly TraderTotals[]): Ratio {
  let owed = 0n
  for (const t of positives) {
    const net = netPaid(t)
    // Stryker disable next-line EqualityOperator: adding a net of 0 changes nothing
    if (net > 0n) owed += net
  }
  if (owed <= escrow) return FULL_REFUND
  // Stryker disable next-line EqualityOperator: an escrow of 0 gives num = 0 either way
  return { num: escrow > 0n ? escrow : 0n, den: owed }
}
