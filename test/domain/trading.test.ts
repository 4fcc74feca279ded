import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type BranchState,
  costToBuy,
  liquidity,
  maxLiability,
  prices,
  proceedsOfSell,
} from '../../src/domain/market-maker/index.js'
import { MICRO } from '../../src/domain/money.js'
import {
  applyTrades,
  costBudget,
  MAX_TRADE_QUANTITY,
  quote,
  type TradeFill,
  type TradeRejectionCode,
  type TradeRequest,
  type TradeResult,
  tradeFee,
} from '../../src/domain/trading/index.js'

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) }

const fresh: BranchState = { q: [0n, 0n], subsidy: 100n * MICRO }

/** A request with generous limits and balances; override what a test is about. */
function req(over: Partial<TradeRequest>): TradeRequest {
  return {
    outcome: 0,
    side: 'buy',
    feeBps: 0,
    cash: 1_000n * MICRO,
    held: 0n,
    minAmount: 0n,
    maxAmount: 10n ** 15n,
    ...over,
  }
}

function filled(r: TradeResult | undefined): TradeFill {
  if (r === undefined || !r.ok)
    throw new Error(`expected a fill, got ${JSON.stringify(r, (_, v) => String(v))}`)
  return r
}

function rejection(r: TradeResult | undefined): TradeRejectionCode {
  if (r === undefined || r.ok) throw new Error('expected a rejection')
  return r.code
}

describe('fees', () => {
  it('rounds up in the platform’s favour', () => {
    expect(tradeFee(0n, 100)).toBe(0n)
    expect(tradeFee(1n, 1)).toBe(1n)
    expect(tradeFee(10_000n, 100)).toBe(100n)
    expect(tradeFee(10_001n, 100)).toBe(101n)
    expect(tradeFee(123n, 0)).toBe(0n)
  })

  it('costBudget is the largest cost whose cost + fee fits the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const c = costBudget(amount, bps)
          expect(c + tradeFee(c, bps)).toBeLessThanOrEqual(amount)
          expect(c + 1n + tradeFee(c + 1n, bps)).toBeGreaterThan(amount)
        },
      ),
    )
  })
})

describe('buys', () => {
  it('buy by shares: pays cost + fee, moves q and prices', () => {
    const r = filled(quote(fresh, req({ shares: 10n * MICRO, feeBps: 150 })))
    const cost = costToBuy(fresh, 0, 10n * MICRO)
    expect(r.cost).toBe(cost)
    expect(r.fee).toBe((cost * 150n + 9_999n) / 10_000n)
    expect(r.cashDelta).toBe(-(cost + r.fee))
    expect(r.escrowDelta).toBe(cost)
    expect(r.sharesDelta).toBe(10n * MICRO)
    expect(r.proceeds).toBe(0n)
    expect(r.size).toBe(cost + r.fee)
    expect(r.newQ).toEqual([10n * MICRO, 0n])
    expect(r.pricesBefore).toEqual([0.5, 0.5])
    expect(r.pricesAfter[0]).toBeGreaterThan(0.5)
    expect(r.pricesAfter).toEqual(prices({ q: r.newQ, subsidy: fresh.subsidy }))
    expect(r.avgPrice).toBeCloseTo(Number(cost) / 10e6, 12)
    expect(r.avgPrice).toBeGreaterThan(0.5)
    expect(r.avgPrice).toBeLessThan(r.pricesAfter[0] as number)
  })

  it('buy by amount: spends at most the amount, fee included, on the most shares it affords', () => {
    const r = filled(quote(fresh, req({ amount: 5n * MICRO, feeBps: 200 })))
    expect(r.cost + r.fee).toBeLessThanOrEqual(5n * MICRO)
    expect(r.fee).toBe(tradeFee(r.cost, 200))
    expect(r.size).toBe(5n * MICRO)
    const more = costToBuy(fresh, 0, r.shares + 1n)
    expect(more + tradeFee(more, 200)).toBeGreaterThan(5n * MICRO)
    // Rounding leaves a few micro-credits at most.
    expect(5n * MICRO - (r.cost + r.fee)).toBeLessThan(10n)
  })

  it('rejects a buy the trader cannot pay for', () => {
    expect(rejection(quote(fresh, req({ shares: 10n * MICRO, cash: 1n * MICRO })))).toBe('insufficient_cash')
    expect(rejection(quote(fresh, req({ amount: 2n * MICRO, cash: 1n * MICRO })))).toBe('insufficient_cash')
    // Exactly enough is enough.
    const need = filled(quote(fresh, req({ shares: MICRO, feeBps: 100 })))
    expect(quote(fresh, req({ shares: MICRO, feeBps: 100, cash: -need.cashDelta })).ok).toBe(true)
    expect(rejection(quote(fresh, req({ shares: MICRO, feeBps: 100, cash: -need.cashDelta - 1n })))).toBe(
      'insufficient_cash',
    )
  })

  it('enforces maxCost on cost + fee and minShares on buys by amount', () => {
    const r = filled(quote(fresh, req({ shares: MICRO, feeBps: 100 })))
    const total = r.cost + r.fee
    expect(quote(fresh, req({ shares: MICRO, feeBps: 100, maxCost: total })).ok).toBe(true)
    expect(rejection(quote(fresh, req({ shares: MICRO, feeBps: 100, maxCost: total - 1n })))).toBe(
      'slippage_exceeded',
    )
    const a = filled(quote(fresh, req({ amount: MICRO })))
    expect(quote(fresh, req({ amount: MICRO, minShares: a.shares })).ok).toBe(true)
    expect(rejection(quote(fresh, req({ amount: MICRO, minShares: a.shares + 1n })))).toBe(
      'slippage_exceeded',
    )
  })

  it('enforces trade size limits', () => {
    expect(rejection(quote(fresh, req({ amount: 5n, minAmount: 10n })))).toBe('amount_below_minimum')
    expect(rejection(quote(fresh, req({ amount: 50n * MICRO, maxAmount: 10n * MICRO })))).toBe(
      'amount_above_maximum',
    )
    expect(rejection(quote(fresh, req({ shares: 50n * MICRO, maxAmount: 10n * MICRO })))).toBe(
      'amount_above_maximum',
    )
    expect(
      quote(fresh, req({ amount: 10n * MICRO, minAmount: 10n * MICRO, maxAmount: 10n * MICRO })).ok,
    ).toBe(true)
  })

  it('rejects absurd quantities instead of failing on float overflow', () => {
    const huge = 10n ** 400n
    expect(rejection(quote(fresh, req({ shares: huge, maxAmount: huge })))).toBe('amount_above_maximum')
    expect(rejection(quote(fresh, req({ amount: huge, cash: huge, maxAmount: huge })))).toBe(
      'amount_above_maximum',
    )
    // At the ceiling itself everything is still finite.
    const big = quote(fresh, req({ shares: MAX_TRADE_QUANTITY, cash: huge, maxAmount: huge }))
    expect(filled(big).cost).toBeGreaterThan(MAX_TRADE_QUANTITY - fresh.subsidy)
  })

  it('rejects buys that would buy nothing', () => {
    expect(rejection(quote(fresh, req({ shares: 0n })))).toBe('zero_shares')
    expect(rejection(quote(fresh, req({ amount: 1n })))).toBe('zero_shares')
  })
})

describe('sells', () => {
  const held = 20n * MICRO
  const state: BranchState = { q: [held, 0n], subsidy: 100n * MICRO }

  it('pays proceeds − fee; the fee comes out of the proceeds', () => {
    const r = filled(quote(state, req({ side: 'sell', shares: 5n * MICRO, held, feeBps: 250 })))
    const proceeds = proceedsOfSell(state, 0, 5n * MICRO)
    expect(r.proceeds).toBe(proceeds)
    expect(r.cost).toBe(0n)
    expect(r.fee).toBe(tradeFee(proceeds, 250))
    expect(r.cashDelta).toBe(proceeds - r.fee)
    expect(r.escrowDelta).toBe(-proceeds)
    expect(r.sharesDelta).toBe(-5n * MICRO)
    expect(r.newQ).toEqual([15n * MICRO, 0n])
    expect(r.pricesAfter[0]).toBeLessThan(r.pricesBefore[0] as number)
  })

  it("sells 'all' of what the trader holds", () => {
    const r = filled(quote(state, req({ side: 'sell', shares: 'all', held: 7n * MICRO })))
    expect(r.shares).toBe(7n * MICRO)
    expect(rejection(quote(state, req({ side: 'sell', shares: 'all', held: 0n })))).toBe(
      'insufficient_shares',
    )
  })

  it('rejects selling more than held or outstanding', () => {
    expect(rejection(quote(state, req({ side: 'sell', shares: held + 1n, held: held + 1n })))).toBe(
      'insufficient_shares',
    )
    expect(rejection(quote(state, req({ side: 'sell', shares: 2n, held: 1n })))).toBe('insufficient_shares')
  })

  it('enforces minProceeds on proceeds after the fee', () => {
    const r = filled(quote(state, req({ side: 'sell', shares: MICRO, held, feeBps: 100 })))
    const net = r.proceeds - r.fee
    expect(quote(state, req({ side: 'sell', shares: MICRO, held, feeBps: 100, minProceeds: net })).ok).toBe(
      true,
    )
    expect(
      rejection(quote(state, req({ side: 'sell', shares: MICRO, held, feeBps: 100, minProceeds: net + 1n }))),
    ).toBe('slippage_exceeded')
  })

  it('rejects dust that would pay nothing, and sizes outside the limits', () => {
    expect(rejection(quote(state, req({ side: 'sell', shares: 1n, held })))).toBe('zero_proceeds')
    expect(rejection(quote(state, req({ side: 'sell', shares: 0n, held })))).toBe('zero_shares')
    expect(rejection(quote(state, req({ side: 'sell', shares: MICRO, held, minAmount: MICRO })))).toBe(
      'amount_below_minimum',
    )
    expect(rejection(quote(state, req({ side: 'sell', shares: held, held, maxAmount: MICRO })))).toBe(
      'amount_above_maximum',
    )
  })
})

describe('malformed requests', () => {
  it.each<[string, Partial<TradeRequest>, TradeRejectionCode]>([
    ['no amount or shares', {}, 'invalid_request'],
    ['both amount and shares', { amount: MICRO, shares: MICRO }, 'invalid_request'],
    ["buy 'all'", { shares: 'all' }, 'invalid_request'],
    ['minProceeds on a buy', { shares: MICRO, minProceeds: 1n }, 'invalid_request'],
    ['minShares with shares', { shares: MICRO, minShares: 1n }, 'invalid_request'],
    ['non-positive amount', { amount: 0n }, 'invalid_request'],
    ['negative shares', { shares: -1n }, 'invalid_request'],
    ['amount on a sell', { side: 'sell', amount: MICRO, held: MICRO }, 'invalid_request'],
    ['sell without shares', { side: 'sell', held: MICRO }, 'invalid_request'],
    ['maxCost on a sell', { side: 'sell', shares: 1n, held: MICRO, maxCost: 1n }, 'invalid_request'],
    ['fractional fee', { shares: MICRO, feeBps: 1.5 }, 'invalid_request'],
    ['fee above 100%', { shares: MICRO, feeBps: 10_001 }, 'invalid_request'],
    ['limits inverted', { shares: MICRO, minAmount: 2n, maxAmount: 1n }, 'invalid_request'],
    ['unknown side', { side: 'hold' as 'buy', shares: MICRO }, 'invalid_request'],
    ['outcome out of range', { outcome: 2, shares: MICRO }, 'invalid_outcome'],
    ['negative outcome', { outcome: -1, shares: MICRO }, 'invalid_outcome'],
    ['fractional outcome', { outcome: 0.5, shares: MICRO }, 'invalid_outcome'],
  ])('%s → %s', (_, over, code) => {
    expect(rejection(quote(fresh, req(over)))).toBe(code)
  })
})

describe('applyTrades', () => {
  it('evaluates in order against the state left by earlier fills', () => {
    const { state, results } = applyTrades(fresh, [
      req({ shares: 3n * MICRO }),
      req({ outcome: 1, shares: 2n * MICRO }),
      req({ shares: 1n * MICRO }),
    ])
    expect(state.q).toEqual([4n * MICRO, 2n * MICRO])
    const second = filled(results[1])
    expect(second.pricesBefore).toEqual(filled(results[0]).pricesAfter)
    expect(second.cost).toBe(costToBuy({ q: [3n * MICRO, 0n], subsidy: fresh.subsidy }, 1, 2n * MICRO))
    expect(state.subsidy).toBe(fresh.subsidy)
  })

  it('does not mutate its input', () => {
    const q = [1n, 2n, 3n]
    const state = { q, subsidy: MICRO }
    applyTrades(state, [req({ shares: MICRO })])
    expect(q).toEqual([1n, 2n, 3n])
  })

  it('carries a trader’s fills forward within a batch', () => {
    const one = filled(quote(fresh, req({ shares: 10n * MICRO })))
    const cash = -one.cashDelta + 1n // enough for the first buy only
    const { results } = applyTrades(fresh, [
      req({ shares: 10n * MICRO, cash, traderId: 'a' }),
      req({ shares: 10n * MICRO, cash, traderId: 'a' }),
      req({ shares: 10n * MICRO, cash: 10n * cash, traderId: 'b' }),
      req({ side: 'sell', shares: 10n * MICRO, held: 0n, traderId: 'a' }),
      req({ side: 'sell', shares: 10n * MICRO, held: 0n, traderId: 'c' }),
    ])
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'insufficient_cash',
      'ok',
      'ok',
      'insufficient_shares',
    ])
  })

  it('rejects a whole batch on a malformed state (a data error, not a trader error)', () => {
    expect(() => applyTrades({ q: [0n], subsidy: MICRO }, [])).toThrow(/outcomes/)
  })
})

// ---------------------------------------------------------------------------------------
// Properties over random batches.
// ---------------------------------------------------------------------------------------

const stateArb: fc.Arbitrary<BranchState> = fc
  .record({
    n: fc.integer({ min: 2, max: 32 }),
    subsidy: fc.oneof(fc.bigInt({ min: MICRO, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
    // Outstanding shares per outcome in thousandths of b: 0 to 5 b, so prices stay moderate.
    zs: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 32, maxLength: 32 }),
  })
  .map(({ n, subsidy, zs }) => {
    const b = liquidity({ q: Array<bigint>(n).fill(0n), subsidy })
    return { subsidy, q: zs.slice(0, n).map((z) => BigInt(Math.round((z / 1000) * b))) }
  })

/**
 * Random requests, valid and not, over any outcome of `state`. Holdings are drawn up to
 * what is outstanding in the branch (a trader cannot hold more), so sells are realistic.
 */
function requestArb(state: BranchState): fc.Arbitrary<TradeRequest> {
  return fc
    .record({
      // Mostly outcomes 0 and 1, which every branch has; sometimes anything, valid or not.
      outcome: fc.oneof(
        { weight: 8, arbitrary: fc.nat({ max: 1 }) },
        { weight: 1, arbitrary: fc.integer({ min: -1, max: 32 }) },
      ),
      kind: fc.constantFrom('amount', 'shares', 'sell', 'sellHeld', 'sellAll'),
      qty: fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 10n ** 11n })),
      feeBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
      cash: fc.bigInt({ min: 0n, max: 10n ** 11n }),
      heldPermille: fc.integer({ min: 0, max: 1000 }),
      minAmount: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n ** 6n })),
      maxAmount: fc.constantFrom(10n ** 10n, 10n ** 12n),
      bound: fc.option(fc.bigInt({ min: 0n, max: 10n ** 11n }), { freq: 2 }),
    })
    .map(({ outcome, kind, qty, feeBps, cash, heldPermille, minAmount, maxAmount, bound }): TradeRequest => {
      const outstanding = state.q[outcome] ?? 0n
      const held = (outstanding * BigInt(heldPermille)) / 1000n
      const base = { outcome, feeBps, cash, held, minAmount, maxAmount }
      const b = bound ?? undefined
      switch (kind) {
        case 'amount':
          return { ...base, side: 'buy', amount: qty, minShares: b }
        case 'shares':
          return { ...base, side: 'buy', shares: qty, maxCost: b }
        case 'sell':
          return { ...base, side: 'sell', shares: qty, minProceeds: b }
        case 'sellHeld':
          return { ...base, side: 'sell', shares: qty % (held + 1n), minProceeds: b }
        default:
          return { ...base, side: 'sell', shares: 'all', minProceeds: b }
      }
    })
}

/** A branch and a batch of requests against it. */
const batchArb = (maxLength: number) =>
  stateArb.chain((state) => fc.tuple(fc.constant(state), fc.array(requestArb(state), { maxLength })))

describe('trade engine properties', () => {
  it('a batch equals the same trades applied one at a time; rejections leave the state unchanged', () => {
    fc.assert(
      fc.property(batchArb(12), ([state, requests]) => {
        const batch = applyTrades(state, requests)
        let current = state
        requests.forEach((r, i) => {
          const single = applyTrades(current, [r])
          expect(single.results[0]).toEqual(batch.results[i])
          expect(quote(current, r)).toEqual(batch.results[i])
          const result = single.results[0] as TradeResult
          if (result.ok) {
            expect(single.state.q).toEqual(result.newQ)
          } else {
            expect(single.state.q).toEqual(current.q)
          }
          current = single.state
        })
        expect(batch.state).toEqual(current)
      }),
      RUNS,
    )
  })

  it('every fill balances, respects the trader’s bounds, and pays fees rounded for the platform', () => {
    let fills = 0
    fc.assert(
      fc.property(batchArb(12), ([state, requests]) => {
        const { results } = applyTrades(state, requests)
        results.forEach((r, i) => {
          const q = requests[i] as TradeRequest
          if (!r.ok) return
          fills++
          // Ledger postings sum to zero: trader + escrow + fee account.
          expect(r.cashDelta + r.escrowDelta + r.fee).toBe(0n)
          const value = r.side === 'buy' ? r.cost : r.proceeds
          expect(r.fee).toBeGreaterThanOrEqual(0n)
          expect(r.fee * 10_000n).toBeGreaterThanOrEqual(value * BigInt(q.feeBps))
          expect(r.fee * 10_000n - value * BigInt(q.feeBps)).toBeLessThan(10_000n)
          expect(r.shares).toBeGreaterThan(0n)
          expect(r.size).toBeGreaterThanOrEqual(q.minAmount)
          expect(r.size).toBeLessThanOrEqual(q.maxAmount)
          if (r.side === 'buy') {
            expect(r.cost).toBeGreaterThan(0n)
            expect(-r.cashDelta).toBeLessThanOrEqual(q.cash)
            if (q.amount !== undefined) expect(-r.cashDelta).toBeLessThanOrEqual(q.amount)
            if (q.maxCost !== undefined) expect(-r.cashDelta).toBeLessThanOrEqual(q.maxCost)
            if (q.minShares !== undefined) expect(r.shares).toBeGreaterThanOrEqual(q.minShares)
          } else {
            expect(r.shares).toBeLessThanOrEqual(q.held)
            expect(r.cashDelta).toBeGreaterThanOrEqual(0n)
            if (q.minProceeds !== undefined) expect(r.cashDelta).toBeGreaterThanOrEqual(q.minProceeds)
          }
        })
      }),
      RUNS,
    )
    // The generator must produce fills, or the assertions above test nothing.
    expect(fills).toBeGreaterThan(RUNS.numRuns)
  })

  it('keeps the branch solvent through any batch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 32 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.array(requestArb({ q: [0n, 0n], subsidy: 1n }), { maxLength: 40 }),
        (n, subsidy, requests) => {
          const start: BranchState = { q: Array<bigint>(n).fill(0n), subsidy }
          // Give the trader real holdings so sells are meaningful: one trader, carried forward.
          const rs = requests.map((r) => ({ ...r, cash: 10n ** 12n, held: 0n, traderId: 't' }))
          const { state, results } = applyTrades(start, rs)
          const escrow = results.reduce((e, r) => (r.ok ? e + r.escrowDelta : e), subsidy)
          expect(escrow).toBeGreaterThanOrEqual(maxLiability(state.q))
        },
      ),
      RUNS,
    )
  })
})
