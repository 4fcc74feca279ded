import { describe, expect, it } from 'vitest'
import {
  applyPayoutScale,
  binaryScore,
  branchScore,
  categoricalScore,
  DecisionReason,
  DecisionRuleError,
  DecisionRuleErrorCode,
  decide,
  decideRandomized,
  laggingTwap,
  normaliseUtilities,
  randomizedDistribution,
  type ScoreChange,
  scalarScore,
  scalarValueFromScore,
  stepToward,
  type TwapInput,
  twapObservations,
} from '../../src/domain/decision-rule/index.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

function expectCode(fn: () => unknown, code: DecisionRuleErrorCode): void {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(DecisionRuleError)
  expect((caught as DecisionRuleError).code).toBe(code)
}

describe('score', () => {
  it('binary score is P(YES), YES at index 0 by default', () => {
    expect(binaryScore([0.7, 0.3])).toBeCloseTo(0.7, 15)
    expect(binaryScore([0.7, 0.3], 1)).toBeCloseTo(0.3, 15)
    expect(branchScore({ kind: 'binary' }, [0.25, 0.75])).toBeCloseTo(0.25, 15)
    expect(branchScore({ kind: 'binary', yesIndex: 1 }, [0.25, 0.75])).toBeCloseTo(0.75, 15)
  })

  it('divides out rounding in prices that went through the API', () => {
    // 0.333333 + 0.666666 = 0.999999: the score is the normalised share.
    expect(binaryScore([0.333333, 0.666666])).toBeCloseTo(1 / 3, 6)
  })

  it('rejects prices that are not a distribution', () => {
    expectCode(() => binaryScore([0.6, 0.6]), DecisionRuleErrorCode.InvalidPrices)
    expectCode(() => binaryScore([0.5, 0.3, 0.2]), DecisionRuleErrorCode.InvalidPrices)
    expectCode(() => binaryScore([1.2, -0.2]), DecisionRuleErrorCode.InvalidPrices)
    expectCode(() => binaryScore([Number.NaN, 1]), DecisionRuleErrorCode.InvalidPrices)
    expectCode(() => binaryScore([0.5, 0.5], 2), DecisionRuleErrorCode.InvalidOutcomeIndex)
    expectCode(() => binaryScore([0.5, 0.5], 0.5), DecisionRuleErrorCode.InvalidOutcomeIndex)
  })

  it('scalar score is the LONG price, and maps back to the implied mean', () => {
    expect(scalarScore([0.4, 0.6])).toBeCloseTo(0.4, 15)
    expect(scalarScore([0.4, 0.6], 1)).toBeCloseTo(0.6, 15)
    expect(branchScore({ kind: 'scalar' }, [0.4, 0.6])).toBeCloseTo(0.4, 15)
    expect(scalarValueFromScore(0.4, 100, 200)).toBeCloseTo(140, 12)
    expect(scalarValueFromScore(0, -5, 5)).toBe(-5)
    expect(scalarValueFromScore(1, -5, 5)).toBe(5)
    expectCode(() => scalarValueFromScore(0.5, 5, 5), DecisionRuleErrorCode.InvalidScalarRange)
    expectCode(
      () => scalarValueFromScore(0.5, 0, Number.POSITIVE_INFINITY),
      DecisionRuleErrorCode.InvalidScalarRange,
    )
    expectCode(() => scalarValueFromScore(1.5, 0, 1), DecisionRuleErrorCode.InvalidScalarRange)
  })

  it('categorical score is Σ p_i·u_i with utilities min-max normalised', () => {
    // utilities 10, 20, 30 → 0, 0.5, 1
    expect(normaliseUtilities([10, 20, 30])).toEqual([0, 0.5, 1])
    expect(categoricalScore([0.2, 0.3, 0.5], [10, 20, 30])).toBeCloseTo(0.3 * 0.5 + 0.5, 15)
    // The same ranking whatever scale the utilities are written in.
    expect(categoricalScore([0.2, 0.3, 0.5], [-1, 0, 1])).toBeCloseTo(0.65, 15)
    expect(branchScore({ kind: 'categorical', utilities: [1, 0, 0] }, [0.6, 0.3, 0.1])).toBeCloseTo(0.6, 15)
  })

  it('rejects utilities that are not finite, mismatched, or all equal', () => {
    expectCode(() => categoricalScore([0.5, 0.5], [1, Number.NaN]), DecisionRuleErrorCode.InvalidUtilities)
    expectCode(
      () => categoricalScore([0.5, 0.5], [1, Number.POSITIVE_INFINITY]),
      DecisionRuleErrorCode.InvalidUtilities,
    )
    expectCode(() => categoricalScore([0.5, 0.5], [1, 2, 3]), DecisionRuleErrorCode.InvalidUtilities)
    expectCode(() => categoricalScore([0.5, 0.5], [3, 3]), DecisionRuleErrorCode.DegenerateUtilities)
    expectCode(
      () => categoricalScore([0.5, 0.5], [-Number.MAX_VALUE, Number.MAX_VALUE]),
      DecisionRuleErrorCode.InvalidUtilities,
    )
  })
})

describe('lagging TWAP', () => {
  const base: TwapInput = {
    changes: [],
    openingScore: 0.5,
    openedAtMs: 1_000_000,
    intervalMs: 1000,
    maxStep: 0.01,
    windowStartMs: 1_000_000,
    windowEndMs: 1_010_000,
  }

  it('the first observation is the opening score, not the first trader’s price', () => {
    const input = { ...base, changes: [{ atMs: base.openedAtMs, score: 0.99 }] }
    const obs = twapObservations(input)
    expect(obs[0]).toEqual({ index: 0, atMs: 1_000_000, value: 0.5 })
    expect(obs[1]?.value).toBeCloseTo(0.51, 12)
    expect(obs[2]?.value).toBeCloseTo(0.52, 12)
    expect(obs).toHaveLength(11)
    const result = laggingTwap(input)
    // observations 0.50, 0.51, …, 0.60: mean 0.55
    expect(result.twap).toBeCloseTo(0.55, 12)
    expect(result.observationCount).toBe(11)
    expect(result.lastObservation).toBeCloseTo(0.6, 12)
    expect(result.lastObservationAtMs).toBe(1_010_000)
  })

  it('gives a page of the observations: those after an index, at most a limit of them', () => {
    const input = { ...base, changes: [{ atMs: base.openedAtMs, score: 0.99 }] }
    const all = twapObservations(input)
    expect(twapObservations(input, { after: 3, limit: 4 })).toEqual(all.slice(4, 8))
    expect(twapObservations(input, { after: 8 })).toEqual(all.slice(9))
    expect(twapObservations(input, { limit: 2 })).toEqual(all.slice(0, 2))
    expect(twapObservations(input, { after: 10, limit: 5 })).toEqual([])
    expect(twapObservations(input, { after: -1, limit: 0 })).toEqual([])
  })

  it('takes at most one observation per interval: many trades in one interval count once', () => {
    const changes: ScoreChange[] = [
      { atMs: 1_000_100, score: 0.9 },
      { atMs: 1_000_200, score: 0.1 },
      { atMs: 1_000_300, score: 0.505 },
    ]
    const obs = twapObservations({ ...base, changes, windowEndMs: 1_002_000 })
    expect(obs.map((o) => o.value)).toEqual([0.5, 0.505, 0.505])
  })

  it('reads a trade exactly at an observation time into that observation', () => {
    const obs = twapObservations({
      ...base,
      changes: [{ atMs: 1_001_000, score: 0.505 }],
      windowEndMs: 1_001_000,
    })
    expect(obs.map((o) => o.value)).toEqual([0.5, 0.505])
  })

  it('averages only the observations inside the window, but carries the lag from before it', () => {
    const input: TwapInput = {
      ...base,
      changes: [{ atMs: 1_000_500, score: 0.8 }],
      windowStartMs: 1_004_500, // first observation in window: k = 5 at 1_005_000
      windowEndMs: 1_007_999, // last: k = 7
    }
    const result = laggingTwap(input)
    expect(result.observationCount).toBe(3)
    expect(result.firstObservationAtMs).toBe(1_005_000)
    expect(result.lastObservationAtMs).toBe(1_007_000)
    expect(result.twap).toBeCloseTo((0.55 + 0.56 + 0.57) / 3, 12)
    expect(result.lastObservation).toBeCloseTo(0.57, 12)
  })

  it('with maxStep = Infinity it is a plain sampled TWAP', () => {
    const result = laggingTwap({
      ...base,
      maxStep: Number.POSITIVE_INFINITY,
      changes: [{ atMs: 1_000_001, score: 0.9 }],
      windowEndMs: 1_003_000,
    })
    expect(result.twap).toBeCloseTo((0.5 + 0.9 * 3) / 4, 12)
  })

  it('moves down as well as up, and settles exactly on the score', () => {
    const obs = twapObservations({
      ...base,
      changes: [{ atMs: 1_000_001, score: 0.475 }],
      windowEndMs: 1_004_000,
    })
    const values = obs.map((o) => o.value)
    expect(values[0]).toBe(0.5)
    expect(values[1]).toBeCloseTo(0.49, 12)
    expect(values[2]).toBeCloseTo(0.48, 12)
    expect(values[3]).toBe(0.475)
    expect(values[4]).toBe(0.475)
    expect(stepToward(0.5, 0.2, 0.1)).toBeCloseTo(0.4, 15)
    expect(stepToward(0.5, 0.45, 0.1)).toBe(0.45)
  })

  it('rejects malformed input with typed errors', () => {
    expectCode(
      () =>
        laggingTwap({
          ...base,
          changes: [
            { atMs: 1_000_500, score: 0.6 },
            { atMs: 1_000_400, score: 0.6 },
          ],
        }),
      DecisionRuleErrorCode.InvalidTwapInput,
    )
    expectCode(
      () => laggingTwap({ ...base, changes: [{ atMs: 999_999, score: 0.6 }] }),
      DecisionRuleErrorCode.InvalidTwapInput,
    )
    expectCode(
      () => laggingTwap({ ...base, changes: [{ atMs: 1_000_500, score: 1.5 }] }),
      DecisionRuleErrorCode.InvalidTwapInput,
    )
    expectCode(() => laggingTwap({ ...base, intervalMs: 0 }), DecisionRuleErrorCode.InvalidTwapInput)
    expectCode(() => laggingTwap({ ...base, intervalMs: 1.5 }), DecisionRuleErrorCode.InvalidTwapInput)
    expectCode(() => laggingTwap({ ...base, maxStep: -0.1 }), DecisionRuleErrorCode.InvalidTwapInput)
    expectCode(
      () => laggingTwap({ ...base, openingScore: Number.NaN }),
      DecisionRuleErrorCode.InvalidTwapInput,
    )
    expectCode(
      () => laggingTwap({ ...base, windowStartMs: 1_005_000, windowEndMs: 1_004_000 }),
      DecisionRuleErrorCode.InvalidTwapInput,
    )
  })

  it('reports an empty window instead of averaging nothing', () => {
    expectCode(
      () => laggingTwap({ ...base, windowStartMs: 1_000_100, windowEndMs: 1_000_900 }),
      DecisionRuleErrorCode.TwapNoObservations,
    )
    expectCode(
      () => laggingTwap({ ...base, windowStartMs: 0, windowEndMs: 999_999 }),
      DecisionRuleErrorCode.TwapNoObservations,
    )
  })

  it('guards against absurd interval counts (a unit mix-up) before looping', () => {
    // 3·10^10 intervals: without the guard this call would outlast the test's timeout.
    expectCode(
      () => laggingTwap({ ...base, intervalMs: 1, windowEndMs: base.openedAtMs + 365 * 24 * HOUR }),
      DecisionRuleErrorCode.TwapTooManyIntervals,
    )
    expectCode(() => laggingTwap({ ...base, maxIntervals: 10 }), DecisionRuleErrorCode.TwapTooManyIntervals)
    expect(laggingTwap({ ...base, maxIntervals: 11 }).observationCount).toBe(11)
  })
})

describe('decide', () => {
  const branches = [
    { id: 'a', score: 0.5, traders: 3, volume: 40_000_000n },
    { id: 'b', score: 0.62, traders: 4, volume: 50_000_000n },
    { id: 'c', score: 0.55, traders: 2, volume: 10_000_000n },
  ]
  const base = { branches, defaultBranchId: 'a', thresholdBps: 500, minTraders: 3, minVolume: 50_000_000n }

  it('takes the best branch when it beats the default by the threshold', () => {
    const d = decide(base)
    expect(d.chosenBranchId).toBe('b')
    expect(d.bestBranchId).toBe('b')
    expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
    expect(d.margin).toBeCloseTo(0.12, 12)
    expect(d.totalVolume).toBe(100_000_000n)
    expect(d.scores).toEqual([
      { branchId: 'a', score: 0.5 },
      { branchId: 'b', score: 0.62 },
      { branchId: 'c', score: 0.55 },
    ])
    expect(d.explanation).toContain('Took branch b')
    expect(d.explanation).toContain('1200.0 bps')
    expect(d.explanation).toContain('100 credits')
  })

  it('keeps the default below the threshold, and says by how much', () => {
    const d = decide({ ...base, thresholdBps: 1500 })
    expect(d.chosenBranchId).toBe('a')
    expect(d.bestBranchId).toBe('b')
    expect(d.reason).toBe(DecisionReason.BelowThreshold)
    expect(d.explanation).toContain('1500 bps threshold')
  })

  it('treats a margin exactly at the threshold as meeting it despite float rounding', () => {
    // 0.6 - 0.5 is 0.09999999999999998 in floating point.
    const d = decide({
      ...base,
      branches: [
        { id: 'a', score: 0.5, traders: 5, volume: 60_000_000n },
        { id: 'b', score: 0.6, traders: 5, volume: 60_000_000n },
      ],
      thresholdBps: 1000,
    })
    expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
    expect(decide({ ...base, thresholdBps: 1201 }).reason).toBe(DecisionReason.BelowThreshold)
  })

  it('keeps the default when it is best, and ties go to the default', () => {
    const d = decide({ ...base, defaultBranchId: 'b' })
    expect(d.chosenBranchId).toBe('b')
    expect(d.reason).toBe(DecisionReason.DefaultIsBest)
    const tie = decide({
      ...base,
      thresholdBps: 0,
      branches: [
        { id: 'a', score: 0.7, traders: 5, volume: 60_000_000n },
        { id: 'b', score: 0.7, traders: 5, volume: 60_000_000n },
      ],
      defaultBranchId: 'b',
    })
    expect(tie.bestBranchId).toBe('b')
    expect(tie.reason).toBe(DecisionReason.DefaultIsBest)
  })

  it('breaks ties between non-default branches by lowest index', () => {
    const d = decide({
      ...base,
      branches: [
        { id: 'x', score: 0.1, traders: 5, volume: 60_000_000n },
        { id: 'y', score: 0.8, traders: 5, volume: 0n },
        { id: 'z', score: 0.8, traders: 5, volume: 0n },
      ],
      defaultBranchId: 'x',
    })
    expect(d.bestBranchId).toBe('y')
    expect(d.chosenBranchId).toBe('y')
  })

  it('needs the market-wide minimum of traders', () => {
    // Largest branch has 4 traders; no distinct count given, so 4 is used.
    const d = decide({ ...base, minTraders: 5 })
    expect(d.chosenBranchId).toBe('a')
    expect(d.reason).toBe(DecisionReason.InsufficientTraders)
    expect(d.distinctTraders).toBe(4)
    expect(d.explanation).toContain('4 distinct traders')
    // The store's distinct count across branches is what the minimum is checked against.
    const withDistinct = decide({ ...base, minTraders: 5, distinctTraders: 7 })
    expect(withDistinct.reason).toBe(DecisionReason.BestBeatsDefault)
    expect(withDistinct.distinctTraders).toBe(7)
  })

  it('needs the market-wide minimum of volume, summed over branches', () => {
    const d = decide({ ...base, minVolume: 100_000_001n })
    expect(d.chosenBranchId).toBe('a')
    expect(d.reason).toBe(DecisionReason.InsufficientVolume)
    expect(d.explanation).toContain('100.000001 credits')
    expect(decide({ ...base, minVolume: 100_000_000n }).reason).toBe(DecisionReason.BestBeatsDefault)
  })

  it('reports missing participation before the default being best', () => {
    const d = decide({ ...base, defaultBranchId: 'b', minTraders: 100 })
    expect(d.chosenBranchId).toBe('b')
    expect(d.reason).toBe(DecisionReason.InsufficientTraders)
  })

  it('rejects malformed input with typed errors', () => {
    expectCode(() => decide({ ...base, defaultBranchId: 'nope' }), DecisionRuleErrorCode.UnknownDefaultBranch)
    expectCode(() => decide({ ...base, branches: [] }), DecisionRuleErrorCode.InvalidDecisionInput)
    expectCode(
      () => decide({ ...base, branches: [...branches, { id: 'a', score: 0.1, traders: 0, volume: 0n }] }),
      DecisionRuleErrorCode.InvalidDecisionInput,
    )
    expectCode(
      () => decide({ ...base, branches: [{ id: 'a', score: Number.NaN, traders: 0, volume: 0n }] }),
      DecisionRuleErrorCode.InvalidDecisionInput,
    )
    expectCode(
      () => decide({ ...base, branches: [{ id: 'a', score: 0.5, traders: -1, volume: 0n }] }),
      DecisionRuleErrorCode.InvalidDecisionInput,
    )
    expectCode(
      () => decide({ ...base, branches: [{ id: 'a', score: 0.5, traders: 1, volume: -1n }] }),
      DecisionRuleErrorCode.InvalidDecisionInput,
    )
    expectCode(() => decide({ ...base, thresholdBps: 10_001 }), DecisionRuleErrorCode.InvalidDecisionInput)
    expectCode(() => decide({ ...base, thresholdBps: 2.5 }), DecisionRuleErrorCode.InvalidDecisionInput)
    expectCode(() => decide({ ...base, minTraders: -1 }), DecisionRuleErrorCode.InvalidDecisionInput)
    expectCode(() => decide({ ...base, minVolume: -1n }), DecisionRuleErrorCode.InvalidDecisionInput)
    expectCode(() => decide({ ...base, distinctTraders: 1.5 }), DecisionRuleErrorCode.InvalidDecisionInput)
  })
})

/**
 * End to end through the rule: binary prices per branch → score changes → lagging TWAP → decide.
 * Market open 24 h, one observation a minute, the decision averages the last hour.
 */
describe('manipulation resistance', () => {
  const openedAtMs = Date.UTC(2025, 0, 1)
  const decideAtMs = openedAtMs + 24 * HOUR
  const windowStartMs = decideAtMs - HOUR

  function twapOf(path: ScoreChange[], maxStep = 0.01): number {
    return laggingTwap({
      changes: path,
      openingScore: 0.5,
      openedAtMs,
      intervalMs: MINUTE,
      maxStep,
      windowStartMs,
      windowEndMs: decideAtMs,
    }).twap
  }

  /** Price path from binary branch prices [P(YES), P(NO)] after each trade. */
  function path(trades: Array<[atMs: number, yes: number]>): ScoreChange[] {
    return trades.map(([atMs, yes]) => ({ atMs, score: binaryScore([yes, 1 - yes]) }))
  }

  const a = path([[openedAtMs + 2 * HOUR, 0.5]])
  const c = path([
    [openedAtMs + HOUR, 0.6],
    [openedAtMs + 3 * HOUR, 0.7],
  ])
  const bBefore: Array<[number, number]> = [
    [openedAtMs + HOUR, 0.6],
    [openedAtMs + 4 * HOUR, 0.697],
  ]

  function decideWith(bPath: ScoreChange[], maxStep = 0.01) {
    return decide({
      branches: [
        { id: 'A', score: twapOf(a, maxStep), traders: 6, volume: 300_000_000n },
        { id: 'B', score: twapOf(bPath, maxStep), traders: 6, volume: 300_000_000n },
        { id: 'C', score: twapOf(c, maxStep), traders: 6, volume: 300_000_000n },
      ],
      defaultBranchId: 'A',
      thresholdBps: 500,
      minTraders: 10,
      minVolume: 500_000_000n,
      distinctTraders: 12,
    })
  }

  it('one large trade in the last interval cannot flip the decision away from the branch priced best all along', () => {
    // A whale buys B's YES up to 0.99 thirty seconds before the decision.
    const bPumped = path([...bBefore, [decideAtMs - 30_000, 0.99]])
    // At the spot price B is far ahead: a rule that read the last price would take B.
    expect(bPumped.at(-1)?.score).toBeGreaterThan(0.7 + 0.2)
    const d = decideWith(bPumped)
    expect(d.chosenBranchId).toBe('C')
    expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
    // The lag let the last observation of B move by one step only.
    const bTwap = d.scores.find((s) => s.branchId === 'B')?.score ?? Number.NaN
    expect(bTwap).toBeLessThan(0.7)
    // 60 observations settled at 0.697, then one step up from there.
    expect(bTwap).toBeCloseTo((0.697 * 60 + (0.697 + 0.01)) / 61, 12)
  })

  it('without the lag the same trade would have flipped it: the lag is what defends', () => {
    const bPumped = path([...bBefore, [decideAtMs - 30_000, 0.99]])
    expect(decideWith(bPumped, Number.POSITIVE_INFINITY).chosenBranchId).toBe('B')
  })

  it('a sustained shift, B priced best for most of the window, does flip the decision to B', () => {
    const bShift = path([...bBefore, [windowStartMs + 10 * MINUTE, 0.85]])
    const d = decideWith(bShift)
    expect(d.chosenBranchId).toBe('B')
    expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
    expect(d.scores.find((s) => s.branchId === 'B')?.score).toBeGreaterThan(0.75)
  })

  it('a push held only for the last three intervals does not', () => {
    // Each of the four observations it reaches climbs one step: +0.1 in all, 0.0016 on the mean.
    const bLate = path([...bBefore, [decideAtMs - 3 * MINUTE, 0.99]])
    expect(decideWith(bLate).chosenBranchId).toBe('C')
  })
})

describe('randomized rule', () => {
  const branches = [
    { id: 'a', score: 0.2 },
    { id: 'b', score: 0.6 },
    { id: 'c', score: 0.2 },
  ]

  it('mixes ε/K with proportional weights, in exact units of 1/(K·10^9)', () => {
    const dist = randomizedDistribution(branches, 0.1)
    expect(dist.denominator).toBe(3_000_000_000n)
    expect(dist.floorUnits).toBe(100_000_000n)
    // p = 0.1/3 + 0.9·(0.2, 0.6, 0.2): the rest (2.7·10^9 units) split 20/60/20.
    expect(dist.branches.map((b) => b.units)).toEqual([640_000_000n, 1_720_000_000n, 640_000_000n])
    expect(dist.branches[1]?.probability).toBeCloseTo(0.1 / 3 + 0.9 * 0.6, 12)
  })

  it('draws by cumulative probability and scales the payout by exactly 1/p', () => {
    // Cumulative: a [0, 0.21333), b [0.21333, 0.78667), c [0.78667, 1)
    expect(decideRandomized({ branches, epsilon: 0.1, random: 0 }).chosenBranchId).toBe('a')
    expect(decideRandomized({ branches, epsilon: 0.1, random: 0.2133 }).chosenBranchId).toBe('a')
    expect(decideRandomized({ branches, epsilon: 0.1, random: 0.2134 }).chosenBranchId).toBe('b')
    expect(decideRandomized({ branches, epsilon: 0.1, random: 0.7866 }).chosenBranchId).toBe('b')
    expect(decideRandomized({ branches, epsilon: 0.1, random: 0.7867 }).chosenBranchId).toBe('c')
    const last = decideRandomized({ branches, epsilon: 0.1, random: 1 - Number.EPSILON / 2 })
    expect(last.chosenBranchId).toBe('c')

    const d = decideRandomized({ branches, epsilon: 0.1, random: 0.5 })
    expect(d.chosenIndex).toBe(1)
    // 1_720_000_000 / 3_000_000_000 = 43/75
    expect(d.probability).toEqual({ numerator: 43n, denominator: 75n })
    expect(d.payoutScale).toEqual({ numerator: 75n, denominator: 43n })
    // 75/43 = 1.744186046…
    expect(d.payoutScalePpm).toBe(1_744_186n)
    expect(applyPayoutScale(43_000_000n, d.payoutScale)).toBe(75_000_000n)
    expect(applyPayoutScale(1n, d.payoutScale)).toBe(1n) // 1.74 rounds down
  })

  it('is uniform at ε = 1 and when every score is zero', () => {
    const uniform = randomizedDistribution(branches, 1)
    expect(uniform.branches.map((b) => b.units)).toEqual([1_000_000_000n, 1_000_000_000n, 1_000_000_000n])
    const zeros = randomizedDistribution(
      branches.map((b) => ({ ...b, score: 0 })),
      0.05,
    )
    const units = zeros.branches.map((b) => b.units)
    expect(units.reduce((x, y) => x + y, 0n)).toBe(3_000_000_000n)
    expect(Math.max(...units.map(Number)) - Math.min(...units.map(Number))).toBeLessThanOrEqual(1)
  })

  it('softmax follows the best branch more sharply as the temperature falls', () => {
    const warm = randomizedDistribution(branches, 0.05, { kind: 'softmax', temperature: 1 })
    const cold = randomizedDistribution(branches, 0.05, { kind: 'softmax', temperature: 0.05 })
    expect(cold.branches[1]?.probability).toBeGreaterThan(warm.branches[1]?.probability ?? 1)
    // Never below the floor even when exp() underflows for the losers.
    const frozen = randomizedDistribution(branches, 0.05, { kind: 'softmax', temperature: 1e-6 })
    expect(frozen.branches[0]?.units).toBe(50_000_000n)
    expect(frozen.branches[1]?.units).toBe(3_000_000_000n - 100_000_000n)
  })

  it('rejects bad settings with typed errors', () => {
    const code = DecisionRuleErrorCode.InvalidRandomizedInput
    expectCode(() => decideRandomized({ branches, epsilon: 0, random: 0.5 }), code)
    expectCode(() => decideRandomized({ branches, epsilon: 1.1, random: 0.5 }), code)
    expectCode(() => decideRandomized({ branches, epsilon: 0.1, random: 1 }), code)
    expectCode(() => decideRandomized({ branches, epsilon: 0.1, random: -0.1 }), code)
    expectCode(() => decideRandomized({ branches: [], epsilon: 0.1, random: 0.5 }), code)
    expectCode(
      () => decideRandomized({ branches: [...branches, { id: 'a', score: 0 }], epsilon: 0.1, random: 0 }),
      code,
    )
    expectCode(() => decideRandomized({ branches: [{ id: 'a', score: 2 }], epsilon: 0.1, random: 0 }), code)
    expectCode(
      () =>
        decideRandomized({
          branches,
          epsilon: 0.1,
          random: 0.5,
          weighting: { kind: 'softmax', temperature: 0 },
        }),
      code,
    )
    expectCode(() => applyPayoutScale(-1n, { numerator: 1n, denominator: 1n }), code)
  })
})
