/**
 * The market maker's guards, its numeric edge cases, and the two evaluations of a trade's cost
 * (direct for small moves, log space for extreme ones), each held to an analytic value.
 */
import { describe, expect, it } from 'vitest'
import {
  type BranchState,
  cost,
  costToBuy,
  liquidity,
  lmsrCost,
  lmsrTradeCost,
  logSumExp,
  MarketMakerError,
  maxLiability,
  payoutForShares,
  prices,
  proceedsOfSell,
  SAFETY_RELATIVE,
  SCALAR_LONG,
  SCALAR_SHORT,
  scalarLongFraction,
  scalarPayout,
  sharesEstimate,
  sharesForAmount,
  worstCaseLoss,
} from '../../src/domain/market-maker/index.js'

function thrown(fn: () => unknown): MarketMakerError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(MarketMakerError)
    return error as MarketMakerError
  }
  throw new Error('expected a MarketMakerError')
}

const fresh: BranchState = { q: [0n, 0n], subsidy: 100_000_000n }

describe('logSumExp at the ends of the float range', () => {
  it('is −∞ for no terms and +∞ for an infinite one, never NaN', () => {
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY)
    expect(logSumExp([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(Number.NEGATIVE_INFINITY)
    expect(logSumExp([0, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY)
  })

  it('ln(e^0 + e^0) = ln 2 exactly as ln does it', () => {
    expect(logSumExp([0, 0])).toBe(Math.LN2)
    expect(logSumExp([5, 5, 5, 5])).toBe(5 + Math.log(4))
  })
})

describe('lmsrTradeCost', () => {
  it('refuses an outcome that is not an index of q', () => {
    for (const outcome of [-1, 2, 0.5, Number.NaN]) {
      const error = thrown(() => lmsrTradeCost([1, 2], 5, outcome, 1))
      expect(error.code).toBe('invalid_outcome')
      expect(error.message).toBe('outcome must be an integer in 0..1')
      expect(error.name).toBe('MarketMakerError')
    }
    expect(lmsrTradeCost([1, 2], 5, 1, 1)).toBeGreaterThan(0)
  })

  it('a zero move costs exactly 0, even from an extreme state', () => {
    expect(lmsrTradeCost([0, 0], 1, 0, 0)).toBe(0)
    expect(lmsrTradeCost([1000, -1000], 1, 1, 0)).toBe(0)
  })

  it('small buys and sells keep full relative precision (the direct evaluation)', () => {
    // Two outcomes at 1/2: b·ln(1 + (e^x − 1)/2) = b·(x/2 + x²/8 − x⁴/192 …)
    const b = 1
    for (const x of [1e-9, -1e-9, 1e-6, -1e-6]) {
      const exact = x / 2 + (x * x) / 8
      const got = lmsrTradeCost([0, 0], b, 0, x)
      expect(Math.abs(got / exact - 1)).toBeLessThan(1e-12)
    }
    // A sell of most of a near-certain position: ln(1 − p + p·e^{−x}), p = 0.9, x = 1.
    const p = 0.9
    const q = [Math.log(p / (1 - p)), 0]
    expect(lmsrTradeCost(q, 1, 0, -1)).toBeCloseTo(Math.log(1 - p + p * Math.exp(-1)), 14)
  })

  it('a long shot bought past e^700 is priced in log space: ln(e^{−2000}·e^{2500}) ≈ 500', () => {
    // z = (1000, −1000): p_1 = e^{−2000} underflows; buying x = 2500 of it costs
    // b·ln(1 − p_1 + p_1·e^{2500}) = b·(500 + ln(1 + e^{−500})) = 500·b to double precision.
    const b = 3
    expect(lmsrTradeCost([1000 * b, -1000 * b], b, 1, 2500 * b) / b).toBeCloseTo(500, 9)
    // Buying the certain outcome x = 800: ln(1 − p_0 + p_0·e^{800}) with p_0 ≈ 1 − e^{−2000}.
    expect(lmsrTradeCost([1000 * b, -1000 * b], b, 0, 800 * b) / b).toBeCloseTo(800, 9)
  })

  it('a sell that empties a near-certain outcome stays exact in log space', () => {
    // p_0 = 1 − e^{−40}: selling x = 50 gives ln(1 − p_0 + p_0·e^{−50}) ≈ ln(e^{−40} + e^{−50}).
    const z = [40, 0]
    const lse = logSumExp(z)
    const expected = Math.log(Math.exp(-lse) + Math.exp(40 - lse - 50))
    expect(lmsrTradeCost(z, 1, 0, -50)).toBeCloseTo(expected, 10)
  })

  it('matches the difference of two costs for a moderate trade', () => {
    const q = [3, -2, 1]
    const b = 2
    expect(lmsrTradeCost(q, b, 2, 1.5)).toBeCloseTo(lmsrCost([3, -2, 2.5], b) - lmsrCost(q, b), 13)
  })
})

describe('guards of the integer API', () => {
  it('liquidity and worstCaseLoss refuse a malformed state', () => {
    for (const fn of [liquidity, worstCaseLoss]) {
      expect(thrown(() => fn({ q: [0n], subsidy: 1n })).code).toBe('invalid_state')
      expect(thrown(() => fn({ q: [0n, 0n], subsidy: 0n })).code).toBe('invalid_state')
    }
  })

  it('a subsidy must be a positive bigint', () => {
    for (const subsidy of [0n, -1n, 5 as unknown as bigint]) {
      const error = thrown(() => prices({ q: [0n, 0n], subsidy }))
      expect(error.code).toBe('invalid_state')
      expect(error.message).toBe('subsidy must be a positive bigint of micro-credits')
    }
  })

  it('names the outcome range and the bad outcome', () => {
    const three: BranchState = { q: [0n, 0n, 0n], subsidy: 1_000_000n }
    for (const fn of [costToBuy, proceedsOfSell, sharesForAmount]) {
      const error = thrown(() => fn(three, 3, 1n))
      expect(error.code).toBe('invalid_outcome')
      expect(error.message).toBe('outcome must be an integer in 0..2, got 3')
    }
  })

  it('q must hold bigints', () => {
    const error = thrown(() => prices({ q: [0n, 1 as never], subsidy: 1n }))
    expect(error.code).toBe('invalid_state')
    expect(error.message).toBe('q must hold bigint micro-shares')
  })

  it('C(0) of a fresh branch is b·ln n, about the subsidy', () => {
    expect(cost(fresh)).toBe(liquidity(fresh) * Math.LN2)
    expect(cost(fresh)).toBeCloseTo(100_000_000, 6)
  })

  it('a quantity must be a bigint', () => {
    expect(thrown(() => costToBuy(fresh, 0, 5 as never)).code).toBe('invalid_quantity')
  })

  it('refuses negative quantities, naming them', () => {
    expect(thrown(() => proceedsOfSell(fresh, 0, -2n)).message).toBe(
      'shares must be a non-negative bigint, got -2',
    )
    expect(thrown(() => payoutForShares(-3n, 0, 0)).message).toBe(
      'shares must be a non-negative bigint, got -3',
    )
    expect(thrown(() => costToBuy(fresh, 0, -1n)).message).toBe(
      'shares must be a non-negative bigint, got -1',
    )
    expect(thrown(() => proceedsOfSell(fresh, 0, -1n)).code).toBe('invalid_quantity')
    expect(thrown(() => sharesForAmount(fresh, 0, -5n)).message).toBe(
      'amount must be a non-negative bigint, got -5',
    )
    expect(thrown(() => payoutForShares(-1n, 0, 0)).code).toBe('invalid_quantity')
  })

  it('a state beyond the float range is a numeric overflow, not NaN prices', () => {
    const error = thrown(() => prices({ q: [10n ** 400n, 0n], subsidy: 1_000_000n }))
    expect(error.code).toBe('numeric_overflow')
    expect(error.message).toBe('state is outside the float range')
  })

  it('a trade beyond the float range is a numeric overflow, not a RangeError or a free sell', () => {
    const buy = thrown(() => costToBuy(fresh, 0, 10n ** 400n))
    expect(buy.code).toBe('numeric_overflow')
    expect(buy.message).toBe('trade cost is outside the float range')
    const sell = thrown(() => proceedsOfSell(fresh, 0, 10n ** 400n))
    expect(sell.code).toBe('numeric_overflow')
    expect(sell.message).toBe('trade proceeds are outside the float range')
  })
})

describe('the safety margin of a large branch', () => {
  it('is 1e-12 of b·(1 + |lse| + max|z| + |x|) + |cost| once that exceeds one unit', () => {
    // The documented bound, evaluated independently of the implementation's code path.
    const state: BranchState = { q: [40_000_000_000_000_000n, 0n], subsidy: 10n ** 19n }
    const b = liquidity(state)
    const z = state.q.map((qi) => Number(qi) / b)
    const lse = logSumExp(z)
    const shares = 10n ** 18n
    const x = Number(shares) / b
    const c = lmsrTradeCost(
      state.q.map((qi) => Number(qi)),
      b,
      1,
      Number(shares),
    )
    const margin = SAFETY_RELATIVE * (b * (1 + Math.abs(lse) + Math.max(...z.map(Math.abs)) + x) + c)
    expect(margin).toBeGreaterThan(10)
    expect(costToBuy(state, 1, shares)).toBe(BigInt(Math.ceil(c + margin)))
    const p = -lmsrTradeCost(
      state.q.map((qi) => Number(qi)),
      b,
      0,
      -Number(shares),
    )
    const sellMargin = SAFETY_RELATIVE * (b * (1 + Math.abs(lse) + Math.max(...z.map(Math.abs)) + x) + p)
    expect(proceedsOfSell(state, 0, shares)).toBe(BigInt(Math.floor(p - sellMargin)))
  })
})

describe('sharesEstimate: the search starts within one step of the answer', () => {
  const cases: [string, BranchState, number, bigint][] = [
    ['fresh binary', fresh, 0, 5_000_000n],
    ['fresh, tiny amount', fresh, 0, 2n],
    ['three outcomes', { q: [0n, 0n, 0n], subsidy: 1_000_000_000n }, 1, 123_456_789n],
    ['a skewed branch', { q: [3_000_000n, 0n], subsidy: 1_000_000n }, 1, 1_000_000n],
    // p_1 = e^{−800} underflows to 0: the estimate is taken in log space (logSubExp).
    ['a long shot at e^−800', { q: [1_154_156_032n, 0n], subsidy: 1_000_000n }, 1, 1_000n],
    ['a long shot at e^−800, bought big', { q: [1_154_156_032n, 0n], subsidy: 1_000_000n }, 1, 10n ** 9n],
    // c/b ≈ 1386: expm1 overflows, so again log space.
    ['an amount past e^709', { q: [0n, 0n], subsidy: 1_000_000n }, 1, 2_000_000_000n],
  ]
  it.each(cases)('%s', (_, state, outcome, amount) => {
    const exact = sharesForAmount(state, outcome, amount)
    const estimate = sharesEstimate(state, outcome, amount)
    expect(exact).toBeGreaterThan(0n)
    const diff = estimate > exact ? estimate - exact : exact - estimate
    expect(diff).toBeLessThanOrEqual(1n)
  })

  it('an amount that cannot pay the margin estimates 0', () => {
    expect(sharesEstimate(fresh, 0, 0n)).toBe(0n)
    expect(sharesEstimate(fresh, 0, 1n)).toBe(0n)
  })

  it('the long-shot estimate is the analytic one: ln(e^{c/b} − (1 − p)) − ln p', () => {
    const state: BranchState = { q: [1_154_156_032n, 0n], subsidy: 1_000_000n }
    const b = liquidity(state)
    // p ≈ e^{−z_0} for z_0 = q_0/b ≈ 800, so x ≈ c/b + z_0 for c/b ≫ 1 … and ≈ z_0 + ln(c/b) … for small c.
    const z0 = Number(state.q[0]) / b
    const c = 1_000_000_000 - 1
    const x = Math.log(Math.exp(c / b) - 1) + z0
    expect(Number(sharesEstimate(state, 1, 10n ** 9n))).toBeCloseTo(x * b, -1)
  })
})

describe('maxLiability', () => {
  it('is the largest q, and 0 for an all-negative q', () => {
    expect(maxLiability([5n, 9n, 9n, 2n])).toBe(9n)
    expect(maxLiability([-5n, -1n])).toBe(0n)
  })
})

describe('scalar guards', () => {
  it('refuses a range with lo ≥ hi, naming it', () => {
    const error = thrown(() => scalarLongFraction(5n, 7n, 7n))
    expect(error.code).toBe('invalid_quantity')
    expect(error.message).toBe('scalar range needs lo < hi, got 7..7')
  })

  it('the ends of the range pay all or nothing', () => {
    expect(scalarLongFraction(10n, 10n, 20n)).toEqual({ num: 0n, den: 10n })
    expect(scalarLongFraction(20n, 10n, 20n)).toEqual({ num: 10n, den: 10n })
    expect(scalarLongFraction(13n, 10n, 20n)).toEqual({ num: 3n, den: 10n })
  })

  it('refuses a fraction outside [0, 1] or with a zero denominator', () => {
    for (const f of [
      { num: 0n, den: 0n },
      { num: 1n, den: -1n },
      { num: -1n, den: 2n },
      { num: 3n, den: 2n },
    ]) {
      const error = thrown(() => scalarPayout(10n, SCALAR_LONG, f))
      expect(error.code).toBe('invalid_quantity')
      expect(error.message).toBe(`fraction must lie in [0, 1], got ${f.num}/${f.den}`)
    }
    expect(scalarPayout(10n, SCALAR_SHORT, { num: 2n, den: 2n })).toBe(0n)
  })

  it('refuses negative shares and an outcome that is neither LONG nor SHORT', () => {
    const half = { num: 1n, den: 2n }
    const negative = thrown(() => scalarPayout(-1n, SCALAR_LONG, half))
    expect(negative.code).toBe('invalid_quantity')
    expect(negative.message).toBe('shares must be ≥ 0, got -1')
    const outcome = thrown(() => scalarPayout(1n, 2 as never, half))
    expect(outcome.code).toBe('invalid_outcome')
    expect(outcome.message).toBe('scalar outcome must be LONG (0) or SHORT (1), got 2')
  })
})

describe('the float core on a textbook state with an impossible outcome', () => {
  it('selling every share of the certain outcome sends C to −∞, not NaN', () => {
    // p_1 = 1, so ln(1 − p_1 + p_1·e^{−∞}) = ln 0.
    expect(lmsrTradeCost([Number.NEGATIVE_INFINITY, 0], 1, 1, Number.NEGATIVE_INFINITY)).toBe(
      Number.NEGATIVE_INFINITY,
    )
  })
})
