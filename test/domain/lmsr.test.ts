import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type BranchState,
  costToBuy,
  fractionToNumber,
  liquidity,
  lmsrCost,
  lmsrPrices,
  lmsrTradeCost,
  logSumExp,
  MarketMakerError,
  maxLiability,
  payoutForShares,
  payoutPerShare,
  prices,
  proceedsOfSell,
  SCALAR_LONG,
  SCALAR_SHORT,
  scalarLongFraction,
  scalarPayout,
  scalarPayoutPerShare,
  sharesForAmount,
  worstCaseLoss,
} from '../../src/domain/market-maker/index.js'
import { MICRO } from '../../src/domain/money.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof MarketMakerError) return e.code
    throw e
  }
  return undefined
}

describe('float core: textbook b = 5, q = (−10, 4)', () => {
  it('C(q) = 4.29516413143986', () => {
    expect(Math.abs(lmsrCost([-10, 4], 5) - 4.29516413143986)).toBeLessThan(1e-12)
  })

  it('buying 5 of the first outcome costs 0.469723921190514', () => {
    expect(Math.abs(lmsrTradeCost([-10, 4], 5, 0, 5) - 0.469723921190514)).toBeLessThan(1e-12)
    expect(Math.abs(lmsrCost([-5, 4], 5) - lmsrCost([-10, 4], 5) - 0.469723921190514)).toBeLessThan(1e-12)
  })

  it('gives the same numbers in micro-units to 1e-12 relative', () => {
    const c = lmsrCost([-10e6, 4e6], 5e6)
    expect(Math.abs(c / 4.29516413143986e6 - 1)).toBeLessThan(1e-12)
    const t = lmsrTradeCost([-10e6, 4e6], 5e6, 0, 5e6)
    expect(Math.abs(t / 0.469723921190514e6 - 1)).toBeLessThan(1e-12)
  })

  it('a sell is a negative move whose size equals the matching buy back', () => {
    const sell = lmsrTradeCost([-5, 4], 5, 0, -5)
    expect(sell).toBeLessThan(0)
    expect(Math.abs(-sell - 0.469723921190514)).toBeLessThan(1e-12)
  })

  it('prices are the softmax of q/b', () => {
    const [p0, p1] = lmsrPrices([-10, 4], 5) as [number, number]
    const e0 = Math.exp(-2)
    const e1 = Math.exp(0.8)
    expect(p0).toBeCloseTo(e0 / (e0 + e1), 14)
    expect(p1).toBeCloseTo(e1 / (e0 + e1), 14)
  })

  it('log-sum-exp neither overflows nor underflows', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 10)
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 10)
    expect(logSumExp([800, -800])).toBe(800)
  })
})

describe('integer boundary at micro-units', () => {
  // L = round(5e6 · ln 2) micro-credits gives b ≈ 5,000,000.14 micro-credits (5 credits).
  // Exact values for that b from a 50-digit computation (mpmath):
  //   buy 5 shares of outcome 0:  469,723.947661656… micro-credits
  //   sell 5 shares of outcome 1: 4,530,276.052338343…
  //   buy 1 micro-share of outcome 0: 0.0573241855…
  const state: BranchState = { q: [-10_000_000n, 4_000_000n], subsidy: 3_465_736n }

  it('b = L / ln n, never above it', () => {
    const b = liquidity(state)
    expect(Math.abs(b - 5_000_000.140230344)).toBeLessThan(1e-6)
    expect(b * Math.LN2).toBeLessThanOrEqual(3_465_736)
  })

  it('cost rounds up past the one-unit margin: ⌈469723.9477 + 1⌉', () => {
    expect(costToBuy(state, 0, 5_000_000n)).toBe(469_725n)
  })

  it('proceeds round down past the margin: ⌊4530276.0523 − 1⌋', () => {
    expect(proceedsOfSell(state, 1, 5_000_000n)).toBe(4_530_275n)
  })

  it('tiny trades: zero is free, one micro-share costs the margin, selling it pays nothing', () => {
    expect(costToBuy(state, 0, 0n)).toBe(0n)
    expect(costToBuy(state, 0, 1n)).toBe(2n)
    expect(proceedsOfSell(state, 1, 1n)).toBe(0n)
  })

  it('sharesForAmount inverts costToBuy exactly at the boundary', () => {
    const s = sharesForAmount(state, 0, 469_725n)
    expect(s).toBeGreaterThanOrEqual(5_000_000n)
    expect(costToBuy(state, 0, s)).toBeLessThanOrEqual(469_725n)
    expect(costToBuy(state, 0, s + 1n)).toBeGreaterThan(469_725n)
    expect(sharesForAmount(state, 0, 469_724n)).toBeLessThan(5_000_000n)
    expect(sharesForAmount(state, 0, 1n)).toBe(0n)
    expect(sharesForAmount(state, 0, 2n)).toBeGreaterThanOrEqual(1n)
    expect(sharesForAmount(state, 0, 0n)).toBe(0n)
  })
})

describe('liquidity', () => {
  it('b · ln n never exceeds the subsidy', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n }), fc.integer({ min: 2, max: 32 }), (subsidy, n) => {
        const b = liquidity({ q: Array<bigint>(n).fill(0n), subsidy })
        expect(b * Math.log(n)).toBeLessThanOrEqual(Number(subsidy))
        expect(b * Math.log(n)).toBeGreaterThan(Number(subsidy) * (1 - 1e-14))
      }),
    )
  })

  it('the worst-case loss b · ln n, rounded up, is the subsidy or a hair below, never above', () => {
    // b · ln n lies a few ε below L (see liquidity), so on real subsidies its ceiling is L itself.
    expect(worstCaseLoss({ q: [0n, 0n], subsidy: 3_465_736n })).toBe(3_465_736n)
    expect(worstCaseLoss({ q: Array<bigint>(32).fill(7n), subsidy: 100_000_000n })).toBe(100_000_000n)
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n }), fc.integer({ min: 2, max: 32 }), (subsidy, n) => {
        const loss = worstCaseLoss({ q: Array<bigint>(n).fill(0n), subsidy })
        expect(loss).toBeLessThanOrEqual(subsidy)
        expect(Number(subsidy - loss)).toBeLessThanOrEqual(Number(subsidy) * 1e-14 + 1)
      }),
    )
  })
})

describe('validation', () => {
  const ok: BranchState = { q: [0n, 0n], subsidy: 1_000_000n }
  it('refuses malformed states', () => {
    expect(codeOf(() => prices({ q: [0n], subsidy: 1n }))).toBe('invalid_state')
    expect(codeOf(() => prices({ q: Array<bigint>(33).fill(0n), subsidy: 1n }))).toBe('invalid_state')
    expect(codeOf(() => prices({ q: [0n, 0n], subsidy: 0n }))).toBe('invalid_state')
    expect(codeOf(() => prices({ q: [0n, 0n], subsidy: -5n }))).toBe('invalid_state')
    expect(codeOf(() => prices({ q: [0n, 1 as unknown as bigint], subsidy: 5n }))).toBe('invalid_state')
  })
  it('refuses bad outcomes and negative quantities', () => {
    expect(codeOf(() => costToBuy(ok, 2, 1n))).toBe('invalid_outcome')
    expect(codeOf(() => costToBuy(ok, -1, 1n))).toBe('invalid_outcome')
    expect(codeOf(() => costToBuy(ok, 0.5, 1n))).toBe('invalid_outcome')
    expect(codeOf(() => costToBuy(ok, 0, -1n))).toBe('invalid_quantity')
    expect(codeOf(() => proceedsOfSell(ok, 0, -1n))).toBe('invalid_quantity')
    expect(codeOf(() => sharesForAmount(ok, 0, -1n))).toBe('invalid_quantity')
  })
})

describe('prices', () => {
  it('a fresh branch prices every outcome at 1/n', () => {
    for (const n of [2, 3, 7, 32]) {
      for (const p of prices({ q: Array<bigint>(n).fill(0n), subsidy: 123_456_789n })) {
        expect(p).toBeCloseTo(1 / n, 14)
      }
    }
  })
  it('buying an outcome raises its price and lowers the others', () => {
    const before = prices({ q: [0n, 0n, 0n], subsidy: 10_000_000n })
    const after = prices({ q: [5_000_000n, 0n, 0n], subsidy: 10_000_000n })
    expect(after[0]).toBeGreaterThan(before[0] as number)
    expect(after[1]).toBeLessThan(before[1] as number)
  })
})

describe('extreme states (q/b ≈ ±1000)', () => {
  const subsidy = 1_000_000_000n
  const b = Number(subsidy) / Math.LN2
  const big = BigInt(Math.round(1000 * b))
  const state: BranchState = { q: [big, -big], subsidy }

  it('prices are finite and sum to 1', () => {
    const p = prices(state)
    expect(p.every(Number.isFinite)).toBe(true)
    expect(Math.abs((p[0] as number) + (p[1] as number) - 1)).toBeLessThan(1e-12)
    expect(p[0]).toBe(1)
  })

  it('buying the near-certain outcome costs about the shares; the impossible one almost nothing', () => {
    const s = 1_000_000n
    const sure = costToBuy(state, 0, s)
    expect(sure).toBeGreaterThanOrEqual(s) // price 1 − e^−2000: at least the shares, plus margin
    expect(sure).toBeLessThan(s + 10_000n)
    const longShot = costToBuy(state, 1, s)
    expect(longShot).toBeGreaterThan(0n)
    expect(longShot).toBeLessThan(10_000n) // only the safety margin
  })

  it('a long shot bought far enough becomes expensive, not infinite', () => {
    const c = costToBuy(state, 1, 3n * big)
    // C goes from ≈ 1000b (outcome 0 dominates) to ≈ 2000b (outcome 1 now dominates).
    expect(Number(c) / (1000 * b)).toBeCloseTo(1, 6)
  })

  it('selling from an extreme state pays finite, bounded proceeds', () => {
    const p = proceedsOfSell(state, 0, big)
    expect(p).toBeLessThanOrEqual(big)
    expect(Number(p) / (1000 * b)).toBeCloseTo(1, 6)
  })
})

describe('maxLiability', () => {
  it('is the largest outstanding position, never negative', () => {
    expect(maxLiability([3n, 7n, -2n])).toBe(7n)
    expect(maxLiability([-3n, -7n])).toBe(0n)
    expect(maxLiability([0n, 0n])).toBe(0n)
  })
})

describe('binary and categorical payouts', () => {
  it('the winner pays one credit per share, others nothing', () => {
    expect(payoutPerShare(2, 2)).toBe(MICRO)
    expect(payoutPerShare(1, 2)).toBe(0n)
    expect(payoutForShares(1_234_567n, 0, 0)).toBe(1_234_567n)
    expect(payoutForShares(1_234_567n, 1, 0)).toBe(0n)
  })
})

describe('scalar payouts', () => {
  it('clamps the LONG fraction to [0, 1]', () => {
    expect(scalarLongFraction(5n, 0n, 10n)).toEqual({ num: 5n, den: 10n })
    expect(scalarLongFraction(-5n, 0n, 10n)).toEqual({ num: 0n, den: 10n })
    expect(scalarLongFraction(50n, 0n, 10n)).toEqual({ num: 10n, den: 10n })
    expect(fractionToNumber(scalarLongFraction(25n, 0n, 100n))).toBe(0.25)
    expect(codeOf(() => scalarLongFraction(1n, 3n, 3n))).toBe('invalid_quantity')
  })

  it('pays exact integers rounded down per holder', () => {
    const third = scalarLongFraction(1n, 0n, 3n)
    expect(scalarPayout(1_000_000n, SCALAR_LONG, third)).toBe(333_333n)
    expect(scalarPayout(1_000_000n, SCALAR_SHORT, third)).toBe(666_666n)
    expect(scalarPayoutPerShare(SCALAR_LONG, scalarLongFraction(10n, 0n, 10n))).toBe(MICRO)
    expect(scalarPayoutPerShare(SCALAR_SHORT, scalarLongFraction(10n, 0n, 10n))).toBe(0n)
    expect(codeOf(() => scalarPayout(1n, SCALAR_LONG, { num: 3n, den: 2n }))).toBe('invalid_quantity')
    expect(codeOf(() => scalarPayout(1n, 2 as typeof SCALAR_LONG, third))).toBe('invalid_outcome')
  })

  it('never pays out more in total than the maximum liability', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (longs, shorts, value, lo, width) => {
          const f = scalarLongFraction(value, lo, lo + width)
          const paid =
            longs.reduce((s, h) => s + scalarPayout(h, SCALAR_LONG, f), 0n) +
            shorts.reduce((s, h) => s + scalarPayout(h, SCALAR_SHORT, f), 0n)
          const qLong = longs.reduce((s, h) => s + h, 0n)
          const qShort = shorts.reduce((s, h) => s + h, 0n)
          expect(paid).toBeLessThanOrEqual(maxLiability([qLong, qShort]))
          // Rounding keeps back less than one micro-credit per holder and side.
          const exact = (qLong * f.num + qShort * (f.den - f.num)) / f.den
          expect(exact - paid).toBeLessThanOrEqual(BigInt(longs.length + shorts.length))
        },
      ),
    )
  })
})
