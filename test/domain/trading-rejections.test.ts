/**
 * Every rejection of the trade engine, with its code and the message a trader reads, in the
 * order the engine checks them; and the edges where a limit is met exactly.
 */
import { describe, expect, it } from 'vitest'
import type { BranchState } from '../../src/domain/market-maker/index.js'
import { MICRO } from '../../src/domain/money.js'
import {
  applyTrades,
  costBudget,
  quote,
  type TradeFill,
  type TradeRequest,
  type TradeResult,
  tradeFee,
} from '../../src/domain/trading/index.js'

const fresh: BranchState = { q: [0n, 0n], subsidy: 100n * MICRO }
const held: BranchState = { q: [50n * MICRO, 0n], subsidy: 100n * MICRO }

function req(over: Partial<TradeRequest>): TradeRequest {
  return {
    outcome: 0,
    side: 'buy',
    shares: MICRO,
    feeBps: 100,
    cash: 1_000n * MICRO,
    held: 0n,
    minAmount: 0n,
    maxAmount: 10n ** 15n,
    ...over,
  }
}
const sell = (over: Partial<TradeRequest>) => req({ side: 'sell', held: 10n * MICRO, ...over })

function filled(r: TradeResult): TradeFill {
  if (!r.ok) throw new Error(`expected a fill, got ${r.code}: ${r.message}`)
  return r
}

describe('rejections', () => {
  const rows: [string, BranchState, TradeRequest, string, string][] = [
    [
      'an unknown side',
      fresh,
      req({ side: 'hold' as never }),
      'invalid_request',
      "side must be 'buy' or 'sell'",
    ],
    [
      'a fractional fee',
      fresh,
      req({ feeBps: 1.5 }),
      'invalid_request',
      'feeBps must be an integer in 0..10000',
    ],
    [
      'a negative fee',
      fresh,
      req({ feeBps: -1 }),
      'invalid_request',
      'feeBps must be an integer in 0..10000',
    ],
    [
      'a fee above 100%',
      fresh,
      req({ feeBps: 10_001 }),
      'invalid_request',
      'feeBps must be an integer in 0..10000',
    ],
    [
      'a negative minimum',
      fresh,
      req({ minAmount: -1n }),
      'invalid_request',
      'trade limits need 0 ≤ minAmount ≤ maxAmount',
    ],
    [
      'a maximum below the minimum',
      fresh,
      req({ minAmount: 5n, maxAmount: 4n }),
      'invalid_request',
      'trade limits need 0 ≤ minAmount ≤ maxAmount',
    ],
    [
      'a buy with amount and shares',
      fresh,
      req({ amount: MICRO }),
      'invalid_request',
      'a buy names exactly one of amount or shares',
    ],
    [
      'a buy with neither',
      fresh,
      req({ shares: undefined }),
      'invalid_request',
      'a buy names exactly one of amount or shares',
    ],
    ["a buy of 'all'", fresh, req({ shares: 'all' }), 'invalid_request', "shares 'all' is for sells"],
    [
      'a buy with minProceeds',
      fresh,
      req({ minProceeds: 1n }),
      'invalid_request',
      'minProceeds applies to sells',
    ],
    [
      'a buy by shares with minShares',
      fresh,
      req({ minShares: 1n }),
      'invalid_request',
      'minShares applies to buys by amount; use maxCost with shares',
    ],
    [
      'a buy of a zero amount',
      fresh,
      req({ shares: undefined, amount: 0n }),
      'invalid_request',
      'amount must be positive',
    ],
    ['a sell without shares', fresh, sell({ shares: undefined }), 'invalid_request', 'a sell names shares'],
    [
      'a sell with an amount',
      held,
      sell({ amount: MICRO }),
      'invalid_request',
      'amount applies to buys; sell by shares',
    ],
    [
      'a sell with maxCost',
      held,
      sell({ maxCost: MICRO }),
      'invalid_request',
      'maxCost and minShares apply to buys',
    ],
    [
      'a sell with minShares',
      held,
      sell({ minShares: 1n }),
      'invalid_request',
      'maxCost and minShares apply to buys',
    ],
    ['negative shares', fresh, req({ shares: -1n }), 'invalid_request', 'shares must not be negative'],
    [
      'an absurd quantity',
      fresh,
      req({ shares: 10n ** 30n + 1n }),
      'amount_above_maximum',
      'trade quantity is beyond any market limit',
    ],
    [
      'an outcome past the last',
      fresh,
      req({ outcome: 2 }),
      'invalid_outcome',
      'outcome must be an integer in 0..1',
    ],
    [
      'an amount above the cash',
      fresh,
      req({ shares: undefined, amount: 11n, cash: 10n }),
      'insufficient_cash',
      'amount exceeds available cash',
    ],
    [
      'an amount too small for a micro-share',
      fresh,
      req({ shares: undefined, amount: 1n }),
      'zero_shares',
      'amount does not buy a single micro-share',
    ],
    [
      'an amount that buys too few shares',
      fresh,
      req({ shares: undefined, amount: MICRO, minShares: 10n * MICRO }),
      'slippage_exceeded',
      'the amount buys fewer shares than minShares',
    ],
    ['a buy of zero shares', fresh, req({ shares: 0n }), 'zero_shares', 'shares must be positive'],
    [
      'shares that cost more than the cash',
      fresh,
      req({ cash: 10n }),
      'insufficient_cash',
      'cost plus fee exceeds available cash',
    ],
    [
      'shares that cost more than maxCost',
      fresh,
      req({ maxCost: 10n }),
      'slippage_exceeded',
      'cost plus fee exceeds maxCost',
    ],
    [
      "'all' with nothing held",
      held,
      sell({ shares: 'all', held: 0n }),
      'insufficient_shares',
      'no shares of this outcome to sell',
    ],
    ['a sell of zero shares', held, sell({ shares: 0n }), 'zero_shares', 'shares must be positive'],
    [
      'a sell of more than held',
      held,
      sell({ shares: 11n * MICRO }),
      'insufficient_shares',
      'selling more shares than held',
    ],
    [
      'a sell of more than outstanding',
      fresh,
      sell({ shares: MICRO }),
      'insufficient_shares',
      'selling more shares than are outstanding in this branch',
    ],
    [
      'a sell too small to pay',
      held,
      sell({ shares: 1n }),
      'zero_proceeds',
      'this sell is too small to pay anything',
    ],
    [
      'proceeds below minProceeds',
      held,
      sell({ minProceeds: MICRO }),
      'slippage_exceeded',
      'proceeds after fee fall below minProceeds',
    ],
    [
      'a trade below the minimum size',
      fresh,
      req({ minAmount: MICRO }),
      'amount_below_minimum',
      'trade is below the minimum size',
    ],
    [
      'a trade above the maximum size',
      fresh,
      req({ maxAmount: 1_000n }),
      'amount_above_maximum',
      'trade is above the maximum size',
    ],
  ]
  it.each(rows)('%s', (_, state, request, code, message) => {
    expect(quote(state, request)).toEqual({ ok: false, code, message })
  })
})

describe('limits met exactly', () => {
  it('a fee of exactly 100% is allowed', () => {
    const fill = filled(quote(fresh, req({ feeBps: 10_000 })))
    expect(fill.fee).toBe(fill.cost)
  })

  it('an amount equal to the cash is spendable', () => {
    const fill = filled(quote(fresh, req({ shares: undefined, amount: 10n * MICRO, cash: 10n * MICRO })))
    expect(fill.cost + fill.fee).toBeLessThanOrEqual(10n * MICRO)
    expect(fill.shares).toBeGreaterThan(0n)
  })

  it('a sell pays a positive average price: proceeds per share', () => {
    const fill = filled(quote(held, sell({ shares: 2n * MICRO })))
    expect(fill.avgPrice).toBe(Number(fill.proceeds) / Number(2n * MICRO))
    expect(fill.avgPrice).toBeGreaterThan(0.5)
    expect(fill.avgPrice).toBeLessThan(1)
  })
})

describe('fees and budgets', () => {
  it('a budget of nothing or less is nothing', () => {
    expect(costBudget(0n, 100)).toBe(0n)
    expect(costBudget(-5n, 100)).toBe(0n)
    // ⌊10100 · 10000 / 10100⌋ = 10000, whose fee ⌈100⌉ fits exactly.
    expect(costBudget(10_100n, 100)).toBe(10_000n)
    expect(tradeFee(10_000n, 100)).toBe(100n)
    expect(tradeFee(1n, 1)).toBe(1n)
  })
})

describe('batches', () => {
  it('a trader’s cash and shares carry from one request to the next', () => {
    const { results } = applyTrades(fresh, [
      req({ traderId: 't', shares: 3n * MICRO, cash: 3n * MICRO }),
      // The first buy spent most of the cash: the same request again is refused.
      req({ traderId: 't', shares: 3n * MICRO, cash: 3n * MICRO }),
      // The shares bought are held for the sell.
      sell({ traderId: 't', shares: 3n * MICRO, held: 0n, cash: 3n * MICRO }),
    ])
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'insufficient_cash', 'ok'])
  })
})
