/**
 * Positions, payouts and void refunds with exact numbers: each case is worked out by hand
 * from the rules in src/domain/settlement.ts (average-cost basis, one micro-credit per winning
 * micro-share, refunds at cost with clawbacks bounded by cash).
 */
import { describe, expect, it } from 'vitest'
import {
  applyFill,
  EMPTY_POSITION,
  FULL_REFUND,
  netPaid,
  type PositionTotals,
  payoutFor,
  planRefund,
  refundRatio,
} from '../../src/domain/settlement.js'
import type { TradeFill } from '../../src/domain/trading/index.js'

function fill(side: 'buy' | 'sell', shares: bigint, money: bigint, fee: bigint): TradeFill {
  return {
    ok: true,
    outcome: 0,
    side,
    shares,
    cost: side === 'buy' ? money : 0n,
    proceeds: side === 'sell' ? money : 0n,
    fee,
    cashDelta: side === 'buy' ? -(money + fee) : money - fee,
    sharesDelta: side === 'buy' ? shares : -shares,
    escrowDelta: side === 'buy' ? money : -money,
    size: money,
    newQ: [],
    pricesBefore: [],
    pricesAfter: [],
    avgPrice: 0,
  }
}

describe('applyFill', () => {
  it('a buy adds shares, cost, fee and one trade', () => {
    const p = applyFill(EMPTY_POSITION, fill('buy', 300n, 1_000n, 7n))
    expect(p).toEqual({
      shares: 300n,
      costBasis: 1_007n,
      realizedPnl: 0n,
      sharesBought: 300n,
      sharesSold: 0n,
      costTotal: 1_000n,
      proceedsTotal: 0n,
      feesTotal: 7n,
      tradeCount: 1,
    })
    expect(applyFill(p, fill('buy', 1n, 2n, 1n)).tradeCount).toBe(2)
  })

  it('a partial sell uses up the basis pro rata, rounded down, and counts one trade', () => {
    const held: PositionTotals = { ...EMPTY_POSITION, shares: 300n, costBasis: 1_000n, tradeCount: 4 }
    // Selling 100 of 300 uses ⌊1000 · 100 / 300⌋ = 333 of the basis.
    const p = applyFill(held, fill('sell', 100n, 500n, 3n))
    expect(p).toEqual({
      ...held,
      shares: 200n,
      costBasis: 667n,
      realizedPnl: 500n - 3n - 333n,
      sharesSold: 100n,
      proceedsTotal: 500n,
      feesTotal: 3n,
      tradeCount: 5,
    })
  })

  it('a sell that empties the position uses up all the basis', () => {
    const held: PositionTotals = { ...EMPTY_POSITION, shares: 3n, costBasis: 10n }
    const p = applyFill(held, fill('sell', 3n, 4n, 0n))
    expect(p.shares).toBe(0n)
    expect(p.costBasis).toBe(0n)
    expect(p.realizedPnl).toBe(4n - 10n)
  })

  it('a sell beyond what the position holds (books that disagree) uses up the basis, no more', () => {
    const held: PositionTotals = { ...EMPTY_POSITION, shares: 3n, costBasis: 10n }
    const p = applyFill(held, fill('sell', 5n, 6n, 1n))
    expect(p.shares).toBe(-2n)
    expect(p.costBasis).toBe(0n)
    expect(p.realizedPnl).toBe(6n - 1n - 10n)
    // From nothing at all it does not divide by zero.
    expect(applyFill(EMPTY_POSITION, fill('sell', 1n, 1n, 0n)).costBasis).toBe(0n)
  })
})

describe('payoutFor', () => {
  const outcome = { kind: 'outcome', winner: 1 } as const
  const scalar = { kind: 'scalar', value: 25n, lo: 0n, hi: 100n } as const

  it('pays one micro-credit per winning micro-share, nothing otherwise', () => {
    expect(payoutFor(outcome, 1, 123n)).toBe(123n)
    expect(payoutFor(outcome, 0, 123n)).toBe(0n)
  })

  it('pays nothing for no or negative shares instead of throwing', () => {
    expect(payoutFor(outcome, 1, 0n)).toBe(0n)
    expect(payoutFor(outcome, 1, -5n)).toBe(0n)
    expect(payoutFor(scalar, 0, -5n)).toBe(0n)
  })

  it('a scalar resolution pays LONG the fraction and SHORT the rest, rounded down', () => {
    expect(payoutFor(scalar, 0, 1_000_003n)).toBe(250_000n)
    expect(payoutFor(scalar, 1, 1_000_003n)).toBe(750_002n)
  })

  it('a scalar outcome other than LONG or SHORT is a RangeError that names it', () => {
    expect(() => payoutFor(scalar, 2, 10n)).toThrow(
      new RangeError('scalar outcome must be LONG (0) or SHORT (1), got 2'),
    )
  })
})

describe('void refunds', () => {
  const buyer = { costTotal: 1_000n, proceedsTotal: 0n, feesTotal: 10n } // net 1010
  const winner = { costTotal: 100n, proceedsTotal: 400n, feesTotal: 20n } // net −280

  it('netPaid is cost + fees − proceeds', () => {
    expect(netPaid(buyer)).toBe(1_010n)
    expect(netPaid(winner)).toBe(-280n)
  })

  it('a full refund returns the net; the fee account returns its fees through the escrow', () => {
    expect(planRefund(buyer, 0n)).toEqual({
      toTrader: 1_010n,
      fromFees: 10n,
      toEscrow: 10n - 1_010n,
      shortfall: 0n,
    })
  })

  it('a cut ratio pays ⌊net · num / den⌋ and records the rest as shortfall', () => {
    // ⌊1010 · 2 / 3⌋ = 673
    expect(planRefund(buyer, 0n, { num: 2n, den: 3n })).toEqual({
      toTrader: 673n,
      fromFees: 10n,
      toEscrow: 10n - 673n,
      shortfall: 1_010n - 673n,
    })
  })

  it('a profit is clawed back in full when cash covers it', () => {
    for (const cash of [280n, 1_000n]) {
      expect(planRefund(winner, cash)).toEqual({
        toTrader: -280n,
        fromFees: 20n,
        toEscrow: 300n,
        shortfall: 0n,
      })
    }
  })

  it('a clawback takes only the cash there is; the rest is a shortfall', () => {
    expect(planRefund(winner, 100n)).toEqual({
      toTrader: -100n,
      fromFees: 20n,
      toEscrow: 120n,
      shortfall: 180n,
    })
    for (const cash of [0n, -50n]) {
      expect(planRefund(winner, cash)).toEqual({
        toTrader: 0n,
        fromFees: 20n,
        toEscrow: 20n,
        shortfall: 280n,
      })
    }
  })

  it('the refund ratio is full while the escrow covers the positive refunds', () => {
    expect(refundRatio(1_010n, [buyer])).toEqual({ num: 1n, den: 1n })
    expect(refundRatio(1_010n, [buyer])).toBe(FULL_REFUND)
    // A trader who owes (negative net) adds nothing to what is owed.
    expect(refundRatio(1_010n, [buyer, winner])).toBe(FULL_REFUND)
  })

  it('is the share the escrow covers when it falls short, and 0 when the escrow is empty or negative', () => {
    expect(refundRatio(505n, [buyer, winner])).toEqual({ num: 505n, den: 1_010n })
    expect(refundRatio(0n, [buyer])).toEqual({ num: 0n, den: 1_010n })
    expect(refundRatio(-7n, [buyer])).toEqual({ num: 0n, den: 1_010n })
  })
})
