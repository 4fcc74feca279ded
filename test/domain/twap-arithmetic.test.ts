/**
 * The TWAP's arithmetic: the mean is compensated (Neumaier) so that it is the correctly
 * rounded mean of the observations where a naive running sum is not, and it is clamped into
 * [min, max] of the observations so that a flat path averages to exactly its value. The paths
 * below were found by searching short random paths for ones where a naive or a wrongly
 * compensated sum misses the exact mean by an ulp; the expected values are exact rationals
 * rounded once (test/domain/exact-float.ts).
 */
import { describe, expect, it } from 'vitest'
import { laggingTwap, type TwapInput } from '../../src/domain/decision-rule/index.js'
import { exactMean } from './exact-float.js'

const INTERVAL = 60_000

/** A path whose observations are exactly `values` (no lag), all inside the window. */
function pathOf(values: readonly number[]): TwapInput {
  return {
    openingScore: values[0] as number,
    changes: values.slice(1).map((score, i) => ({ atMs: (i + 1) * INTERVAL, score })),
    openedAtMs: 0,
    intervalMs: INTERVAL,
    maxStep: Number.POSITIVE_INFINITY,
    windowStartMs: 0,
    windowEndMs: (values.length - 1) * INTERVAL,
  }
}

describe('compensated mean', () => {
  it('a small value after a large one is not lost (a naive sum is one ulp high here)', () => {
    const values = [0.0004704585497897713, 0.7757460688489302, 0.0003177393770506929, 0.0002971209209654129]
    const result = laggingTwap(pathOf(values))
    expect(result.observationCount).toBe(4)
    expect(result.twap).toBe(exactMean(values))
    expect(result.twap).toBe(0.194207846924184)
  })

  it('a large value after small ones is compensated from the right side', () => {
    const values = [0.0005586468604747661, 0.00015557994480592342, 0.4112749615292617, 0.4232573784909588]
    const result = laggingTwap(pathOf(values))
    expect(result.twap).toBe(exactMean(values))
    expect(result.twap).toBe(0.20881164170637528)
  })

  it('a hundred thousand tiny observations after a certain one still count', () => {
    // Naively, 1 + 1e-16 = 1 every time and the mean would be exactly 1e-5.
    const n = 100_000
    const input: TwapInput = {
      openingScore: 1,
      changes: [{ atMs: INTERVAL, score: 1e-16 }],
      openedAtMs: 0,
      intervalMs: INTERVAL,
      maxStep: Number.POSITIVE_INFINITY,
      windowStartMs: 0,
      windowEndMs: (n - 1) * INTERVAL,
    }
    const result = laggingTwap(input)
    expect(result.observationCount).toBe(n)
    // Naively the mean is 1e-5, 1e-11 relative off; the expected value below is good to 1e-16.
    expect(Math.abs(result.twap / ((1 + 99_999 * 1e-16) / 100_000) - 1)).toBeLessThan(1e-14)
  })
})

describe('clamped into the observed range', () => {
  it('a flat path averages to exactly its value even where the division rounds off it', () => {
    // (Σ of ten copies) / 10 is one ulp below 0.8084499850409199, even compensated.
    const value = 0.8084499850409199
    const result = laggingTwap(pathOf(new Array<number>(10).fill(value)))
    expect(result.twap).toBe(value)
  })

  it('a flat path one ulp the other way is clamped down to its value', () => {
    const value = 0.41000876296170685
    const result = laggingTwap(pathOf(new Array<number>(14).fill(value)))
    expect(result.twap).toBe(value)
  })

  it('the mean of a path that moves is neither its minimum nor its maximum', () => {
    const result = laggingTwap(pathOf([0.2, 0.4, 0.9]))
    expect(result.twap).toBe(exactMean([0.2, 0.4, 0.9]))
    expect(result.twap).toBeCloseTo(0.5, 15)
  })
})
