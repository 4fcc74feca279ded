/**
 * Every refusal of the decision rule, with its stable code, its message and its machine-readable
 * details: the HTTP layer shows the message to the operator and matches on the code, so each is
 * part of the contract. One row per check, in the order the rule runs them.
 */
import { describe, expect, it } from 'vitest'
import {
  applyPayoutScale,
  binaryScore,
  branchScore,
  DecisionRuleErrorCode as Code,
  categoricalScore,
  type DecideInput,
  DecisionRuleError,
  decide,
  decideRandomized,
  isDecisionRuleError,
  laggingTwap,
  normaliseUtilities,
  randomizedDistribution,
  scalarScore,
  scalarValueFromScore,
  type TwapInput,
} from '../../src/domain/decision-rule/index.js'

function refusal(fn: () => unknown): DecisionRuleError {
  try {
    fn()
  } catch (error) {
    expect(isDecisionRuleError(error)).toBe(true)
    return error as DecisionRuleError
  }
  throw new Error('expected a DecisionRuleError')
}

type Row = [string, () => unknown, Code, string, Record<string, unknown> | undefined]

function check(rows: Row[]): void {
  it.each(rows)('%s', (_, fn, code, message, details) => {
    const error = refusal(fn)
    expect(error.name).toBe('DecisionRuleError')
    expect(error.code).toBe(code)
    expect(error.message).toBe(message)
    expect(error.details).toStrictEqual(details)
    if (error.details !== undefined) expect(Object.isFrozen(error.details)).toBe(true)
  })
}

const branch = (id: string, score = 0.5, traders = 5, volume = 10_000_000n) => ({
  id,
  score,
  traders,
  volume,
})
const market: DecideInput = {
  branches: [branch('a'), branch('b')],
  defaultBranchId: 'a',
  thresholdBps: 100,
  minTraders: 1,
  minVolume: 0n,
}
const withBranch = (b: unknown): DecideInput => ({ ...market, branches: [branch('a'), b as never] })

describe('decide refuses', () => {
  check([
    [
      'no branches',
      () => decide({ ...market, branches: [] }),
      Code.InvalidDecisionInput,
      'a decision needs at least one branch',
      { field: 'branches' },
    ],
    [
      'an empty id',
      () => decide(withBranch(branch(''))),
      Code.InvalidDecisionInput,
      'branches[1].id must be a non-empty string',
      { field: 'branches', index: 1 },
    ],
    [
      'an id that is not a string',
      () => decide(withBranch({ ...branch('x'), id: 7 })),
      Code.InvalidDecisionInput,
      'branches[1].id must be a non-empty string',
      { field: 'branches', index: 1 },
    ],
    [
      'a repeated id',
      () => decide(withBranch(branch('a'))),
      Code.InvalidDecisionInput,
      'branch id a appears twice',
      { field: 'branches', index: 1 },
    ],
    [
      'a score above 1',
      () => decide(withBranch(branch('b', 1.5))),
      Code.InvalidDecisionInput,
      'branches[1].score must be in [0, 1] (got 1.5)',
      { field: 'branches', index: 1 },
    ],
    [
      'a negative score',
      () => decide(withBranch(branch('b', -0.1))),
      Code.InvalidDecisionInput,
      'branches[1].score must be in [0, 1] (got -0.1)',
      { field: 'branches', index: 1 },
    ],
    [
      'a NaN score',
      () => decide(withBranch(branch('b', Number.NaN))),
      Code.InvalidDecisionInput,
      'branches[1].score must be in [0, 1] (got NaN)',
      { field: 'branches', index: 1 },
    ],
    [
      'fractional traders',
      () => decide(withBranch(branch('b', 0.5, 1.5))),
      Code.InvalidDecisionInput,
      'branches[1].traders must be a non-negative integer',
      { field: 'branches', index: 1 },
    ],
    [
      'a negative volume',
      () => decide(withBranch(branch('b', 0.5, 1, -1n))),
      Code.InvalidDecisionInput,
      'branches[1].volume must be a non-negative bigint',
      { field: 'branches', index: 1 },
    ],
    [
      'a volume that is a number',
      () => decide(withBranch({ ...branch('b'), volume: 5 })),
      Code.InvalidDecisionInput,
      'branches[1].volume must be a non-negative bigint',
      { field: 'branches', index: 1 },
    ],
    [
      'an unknown default',
      () => decide({ ...market, defaultBranchId: 'z' }),
      Code.UnknownDefaultBranch,
      'default branch z is not one of the branches',
      { defaultBranchId: 'z' },
    ],
    [
      'a threshold above 10000 bps',
      () => decide({ ...market, thresholdBps: 10_001 }),
      Code.InvalidDecisionInput,
      'thresholdBps must be an integer in 0..10000 (got 10001)',
      { field: 'thresholdBps' },
    ],
    [
      'a negative threshold',
      () => decide({ ...market, thresholdBps: -1 }),
      Code.InvalidDecisionInput,
      'thresholdBps must be an integer in 0..10000 (got -1)',
      { field: 'thresholdBps' },
    ],
    [
      'a fractional threshold',
      () => decide({ ...market, thresholdBps: 1.5 }),
      Code.InvalidDecisionInput,
      'thresholdBps must be an integer in 0..10000 (got 1.5)',
      { field: 'thresholdBps' },
    ],
    [
      'negative minTraders',
      () => decide({ ...market, minTraders: -1 }),
      Code.InvalidDecisionInput,
      'minTraders must be a non-negative integer (got -1)',
      { field: 'minTraders' },
    ],
    [
      'a negative minVolume',
      () => decide({ ...market, minVolume: -1n }),
      Code.InvalidDecisionInput,
      'minVolume must be a non-negative bigint',
      { field: 'minVolume' },
    ],
    [
      'a minVolume that is a number',
      () => decide({ ...market, minVolume: 1 as never }),
      Code.InvalidDecisionInput,
      'minVolume must be a non-negative bigint',
      { field: 'minVolume' },
    ],
    [
      'fractional distinctTraders',
      () => decide({ ...market, distinctTraders: 2.5 }),
      Code.InvalidDecisionInput,
      'distinctTraders must be a non-negative integer (got 2.5)',
      { field: 'distinctTraders' },
    ],
  ])
})

const twap: TwapInput = {
  changes: [],
  openingScore: 0.5,
  openedAtMs: 1_000,
  intervalMs: 10,
  maxStep: 0.1,
  windowStartMs: 1_000,
  windowEndMs: 1_100,
}

describe('the TWAP refuses', () => {
  check([
    [
      'a fractional opening time',
      () => laggingTwap({ ...twap, openedAtMs: 1.5 }),
      Code.InvalidTwapInput,
      'openedAtMs must be an integer number of ms (got 1.5)',
      { field: 'openedAtMs' },
    ],
    [
      'a fractional window start',
      () => laggingTwap({ ...twap, windowStartMs: 1_000.5 }),
      Code.InvalidTwapInput,
      'windowStartMs must be an integer number of ms (got 1000.5)',
      { field: 'windowStartMs' },
    ],
    [
      'an infinite window end',
      () => laggingTwap({ ...twap, windowEndMs: Number.POSITIVE_INFINITY }),
      Code.InvalidTwapInput,
      'windowEndMs must be an integer number of ms (got Infinity)',
      { field: 'windowEndMs' },
    ],
    [
      'a zero interval',
      () => laggingTwap({ ...twap, intervalMs: 0 }),
      Code.InvalidTwapInput,
      'intervalMs must be a positive integer (got 0)',
      { field: 'intervalMs' },
    ],
    [
      'a negative step',
      () => laggingTwap({ ...twap, maxStep: -0.1 }),
      Code.InvalidTwapInput,
      'maxStep must be ≥ 0 (got -0.1)',
      { field: 'maxStep' },
    ],
    [
      'a NaN step',
      () => laggingTwap({ ...twap, maxStep: Number.NaN }),
      Code.InvalidTwapInput,
      'maxStep must be ≥ 0 (got NaN)',
      { field: 'maxStep' },
    ],
    [
      'an opening score above 1',
      () => laggingTwap({ ...twap, openingScore: 1.01 }),
      Code.InvalidTwapInput,
      'openingScore must be in [0, 1] (got 1.01)',
      { field: 'openingScore' },
    ],
    [
      'a negative opening score',
      () => laggingTwap({ ...twap, openingScore: -0.5 }),
      Code.InvalidTwapInput,
      'openingScore must be in [0, 1] (got -0.5)',
      { field: 'openingScore' },
    ],
    [
      'an infinite opening score',
      () => laggingTwap({ ...twap, openingScore: Number.POSITIVE_INFINITY }),
      Code.InvalidTwapInput,
      'openingScore must be in [0, 1] (got Infinity)',
      { field: 'openingScore' },
    ],
    [
      'a window that ends before it starts',
      () => laggingTwap({ ...twap, windowStartMs: 1_050, windowEndMs: 1_040 }),
      Code.InvalidTwapInput,
      'window starts (1050) after it ends (1040)',
      { field: 'windowStartMs' },
    ],
    [
      'a zero interval ceiling',
      () => laggingTwap({ ...twap, maxIntervals: 0 }),
      Code.InvalidTwapInput,
      'maxIntervals must be a positive integer (got 0)',
      { field: 'maxIntervals' },
    ],
    [
      'a fractional interval ceiling',
      () => laggingTwap({ ...twap, maxIntervals: 2.5 }),
      Code.InvalidTwapInput,
      'maxIntervals must be a positive integer (got 2.5)',
      { field: 'maxIntervals' },
    ],
    [
      'a change at a fractional time',
      () => laggingTwap({ ...twap, changes: [{ atMs: 1_001.5, score: 0.5 }] }),
      Code.InvalidTwapInput,
      'changes[0].atMs must be an integer',
      { field: 'changes', index: 0 },
    ],
    [
      'a change before the opening',
      () => laggingTwap({ ...twap, changes: [{ atMs: 999, score: 0.5 }] }),
      Code.InvalidTwapInput,
      'changes[0] is at 999, before the market opened at 1000',
      { field: 'changes', index: 0 },
    ],
    [
      'changes out of order',
      () =>
        laggingTwap({
          ...twap,
          changes: [
            { atMs: 1_020, score: 0.5 },
            { atMs: 1_010, score: 0.5 },
          ],
        }),
      Code.InvalidTwapInput,
      'changes must be sorted by atMs (changes[1])',
      { field: 'changes', index: 1 },
    ],
    [
      'a change with a score above 1',
      () => laggingTwap({ ...twap, changes: [{ atMs: 1_010, score: 2 }] }),
      Code.InvalidTwapInput,
      'changes[0].score must be in [0, 1] (got 2)',
      { field: 'changes', index: 0 },
    ],
    [
      'a window that ends before the opening',
      () => laggingTwap({ ...twap, windowStartMs: 500, windowEndMs: 900 }),
      Code.TwapNoObservations,
      'no observation (every 10 ms from 1000) falls in the window [500, 900]',
      { openedAtMs: 1_000, windowStartMs: 500, windowEndMs: 900 },
    ],
    [
      'a window between two observations',
      () => laggingTwap({ ...twap, windowStartMs: 1_011, windowEndMs: 1_019 }),
      Code.TwapNoObservations,
      'no observation (every 10 ms from 1000) falls in the window [1011, 1019]',
      { openedAtMs: 1_000, windowStartMs: 1_011, windowEndMs: 1_019 },
    ],
    [
      'more observations than the ceiling',
      () => laggingTwap({ ...twap, maxIntervals: 10 }),
      Code.TwapTooManyIntervals,
      'the TWAP would take 11 observations, more than the limit of 10; check that intervalMs and the timestamps are in milliseconds',
      { observations: 11, maxIntervals: 10 },
    ],
  ])

  it('takes exactly as many observations as the ceiling allows', () => {
    expect(laggingTwap({ ...twap, maxIntervals: 11 }).observationCount).toBe(11)
    expect(laggingTwap({ ...twap, windowEndMs: 1_000, maxIntervals: 1 }).observationCount).toBe(1)
  })

  it('a change exactly at the opening is allowed', () => {
    expect(laggingTwap({ ...twap, maxStep: 1, changes: [{ atMs: 1_000, score: 1 }] }).lastObservation).toBe(1)
  })
})

describe('scores refuse', () => {
  check([
    [
      'three prices for a binary score',
      () => binaryScore([0.2, 0.3, 0.5]),
      Code.InvalidPrices,
      'expected 2 prices (got 3)',
      { count: 3 },
    ],
    [
      'one price for a categorical score',
      () => categoricalScore([1], [1]),
      Code.InvalidPrices,
      'expected at least 2 prices (got 1)',
      { count: 1 },
    ],
    [
      'a negative price',
      () => scalarScore([-0.1, 1.1]),
      Code.InvalidPrices,
      'price 0 must be a probability in [0, 1] (got -0.1)',
      { index: 0 },
    ],
    [
      'a price above 1',
      () => binaryScore([0, 1.5]),
      Code.InvalidPrices,
      'price 1 must be a probability in [0, 1] (got 1.5)',
      { index: 1 },
    ],
    [
      'prices that do not sum to 1',
      () => binaryScore([0.2, 0.3]),
      Code.InvalidPrices,
      'prices must sum to 1 (got 0.5)',
      { sum: 0.5 },
    ],
    [
      'a YES index out of range',
      () => binaryScore([0.4, 0.6], 2),
      Code.InvalidOutcomeIndex,
      'yesIndex must be an outcome index in 0..1 (got 2)',
      { yesIndex: 2 },
    ],
    [
      'a LONG index out of range',
      () => scalarScore([0.4, 0.6], -1),
      Code.InvalidOutcomeIndex,
      'longIndex must be an outcome index in 0..1 (got -1)',
      { longIndex: -1 },
    ],
    [
      'utilities of the wrong length',
      () => categoricalScore([0.5, 0.5], [1, 2, 3]),
      Code.InvalidUtilities,
      'expected 2 utilities, one per outcome (got 3)',
      { expected: 2, got: 3 },
    ],
    [
      'no utilities',
      () => normaliseUtilities([]),
      Code.InvalidUtilities,
      'utilities must not be empty',
      undefined,
    ],
    [
      'an infinite utility',
      () => normaliseUtilities([1, Number.POSITIVE_INFINITY]),
      Code.InvalidUtilities,
      'utility 1 must be a finite number (got Infinity)',
      { index: 1 },
    ],
    [
      'equal utilities',
      () => normaliseUtilities([3, 3, 3]),
      Code.DegenerateUtilities,
      'all utilities are equal, so every branch would score the same',
      undefined,
    ],
    [
      'utilities too far apart',
      () => normaliseUtilities([-Number.MAX_VALUE, Number.MAX_VALUE]),
      Code.InvalidUtilities,
      'utilities span a range too large to represent; rescale them',
      undefined,
    ],
    [
      'an empty scalar range',
      () => scalarValueFromScore(0.5, 2, 2),
      Code.InvalidScalarRange,
      'scalar range must be finite with lo < hi (got 2..2)',
      { lo: 2, hi: 2 },
    ],
    [
      'an infinite lo',
      () => scalarValueFromScore(0.5, Number.NEGATIVE_INFINITY, 2),
      Code.InvalidScalarRange,
      'scalar range must be finite with lo < hi (got -Infinity..2)',
      { lo: Number.NEGATIVE_INFINITY, hi: 2 },
    ],
    [
      'an infinite hi',
      () => scalarValueFromScore(0.5, 0, Number.POSITIVE_INFINITY),
      Code.InvalidScalarRange,
      'scalar range must be finite with lo < hi (got 0..Infinity)',
      { lo: 0, hi: Number.POSITIVE_INFINITY },
    ],
    [
      'a range too wide for a double',
      () => scalarValueFromScore(0.5, -Number.MAX_VALUE, Number.MAX_VALUE),
      Code.InvalidScalarRange,
      `scalar range must be finite with lo < hi (got ${-Number.MAX_VALUE}..${Number.MAX_VALUE})`,
      { lo: -Number.MAX_VALUE, hi: Number.MAX_VALUE },
    ],
    [
      'a score above 1',
      () => scalarValueFromScore(1.5, 0, 10),
      Code.InvalidScalarRange,
      'score must be in [0, 1] (got 1.5)',
      { score: 1.5 },
    ],
    [
      'a negative score',
      () => scalarValueFromScore(-0.5, 0, 10),
      Code.InvalidScalarRange,
      'score must be in [0, 1] (got -0.5)',
      { score: -0.5 },
    ],
    [
      'a NaN score',
      () => scalarValueFromScore(Number.NaN, 0, 10),
      Code.InvalidScalarRange,
      'score must be in [0, 1] (got NaN)',
      { score: Number.NaN },
    ],
  ])

  it('a price of exactly 0 is a probability', () => {
    expect(binaryScore([0, 1])).toBe(0)
  })

  it('a scalar objective reads LONG at index 0 unless told otherwise', () => {
    expect(branchScore({ kind: 'scalar' }, [0.25, 0.75])).toBe(0.25)
    expect(branchScore({ kind: 'scalar', longIndex: 1 }, [0.25, 0.75])).toBe(0.75)
  })
})

const two = [
  { id: 'a', score: 0.5 },
  { id: 'b', score: 0.5 },
]

describe('the randomized rule refuses', () => {
  check([
    [
      'a draw of 1',
      () => decideRandomized({ branches: two, epsilon: 1, random: 1 }),
      Code.InvalidRandomizedInput,
      'random must be a number in [0, 1) (got 1)',
      { field: 'random' },
    ],
    [
      'a negative draw',
      () => decideRandomized({ branches: two, epsilon: 1, random: -0.1 }),
      Code.InvalidRandomizedInput,
      'random must be a number in [0, 1) (got -0.1)',
      { field: 'random' },
    ],
    [
      'no branches',
      () => randomizedDistribution([], 1),
      Code.InvalidRandomizedInput,
      'expected 1..1000 branches (got 0)',
      { field: 'branches' },
    ],
    [
      '1001 branches',
      () =>
        randomizedDistribution(
          Array.from({ length: 1_001 }, (_, i) => ({ id: `b${i}`, score: 0.5 })),
          1,
        ),
      Code.InvalidRandomizedInput,
      'expected 1..1000 branches (got 1001)',
      { field: 'branches' },
    ],
    [
      'an empty id',
      () => randomizedDistribution([{ id: '', score: 0.5 }], 1),
      Code.InvalidRandomizedInput,
      'branches[0].id must be a non-empty string',
      { field: 'branches' },
    ],
    [
      'an id that is not a string',
      () => randomizedDistribution([{ id: 3 as never, score: 0.5 }], 1),
      Code.InvalidRandomizedInput,
      'branches[0].id must be a non-empty string',
      { field: 'branches' },
    ],
    [
      'a repeated id',
      () => randomizedDistribution([two[0] as never, two[0] as never], 1),
      Code.InvalidRandomizedInput,
      'branch id a appears twice',
      { field: 'branches' },
    ],
    [
      'a score above 1',
      () => randomizedDistribution([{ id: 'a', score: 1.5 }], 1),
      Code.InvalidRandomizedInput,
      'branches[0].score must be in [0, 1] (got 1.5)',
      { field: 'branches' },
    ],
    [
      'a negative score',
      () => randomizedDistribution([{ id: 'a', score: -1 }], 1),
      Code.InvalidRandomizedInput,
      'branches[0].score must be in [0, 1] (got -1)',
      { field: 'branches' },
    ],
    [
      'a NaN score',
      () => randomizedDistribution([{ id: 'a', score: Number.NaN }], 1),
      Code.InvalidRandomizedInput,
      'branches[0].score must be in [0, 1] (got NaN)',
      { field: 'branches' },
    ],
    [
      'ε = 0',
      () => randomizedDistribution(two, 0),
      Code.InvalidRandomizedInput,
      'epsilon must be in (0, 1] (got 0)',
      { field: 'epsilon' },
    ],
    [
      'a zero temperature',
      () => randomizedDistribution(two, 0.5, { kind: 'softmax', temperature: 0 }),
      Code.InvalidRandomizedInput,
      'softmax temperature must be a positive number (got 0)',
      { field: 'weighting' },
    ],
    [
      'an unknown weighting',
      () => randomizedDistribution(two, 0.5, { kind: 'rank' } as never),
      Code.InvalidRandomizedInput,
      'unknown weighting rank',
      { field: 'weighting' },
    ],
    [
      'a negative amount to scale',
      () => applyPayoutScale(-1n, { numerator: 1n, denominator: 1n }),
      Code.InvalidRandomizedInput,
      'amount must be non-negative',
      { field: 'amount' },
    ],
    [
      'a negative scale',
      () => applyPayoutScale(5n, { numerator: -1n, denominator: 1n }),
      Code.InvalidRandomizedInput,
      'scale must be a non-negative fraction',
      { field: 'scale' },
    ],
    [
      'a zero denominator',
      () => applyPayoutScale(5n, { numerator: 1n, denominator: 0n }),
      Code.InvalidRandomizedInput,
      'scale must be a non-negative fraction',
      { field: 'scale' },
    ],
  ])

  it('scales an amount of 0 and by a scale of 0', () => {
    expect(applyPayoutScale(0n, { numerator: 3n, denominator: 2n })).toBe(0n)
    expect(applyPayoutScale(7n, { numerator: 0n, denominator: 2n })).toBe(0n)
    expect(applyPayoutScale(7n, { numerator: 3n, denominator: 2n })).toBe(10n)
  })

  it('takes 1000 branches', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => ({ id: `b${i}`, score: 0.5 }))
    expect(randomizedDistribution(many, 1).denominator).toBe(1_000_000_000_000n)
  })
})

describe('the errors themselves', () => {
  it('carry no details when none were given, and a frozen copy otherwise', () => {
    expect(new DecisionRuleError(Code.InvalidPrices, 'm').details).toBeUndefined()
    const given = { field: 'x' }
    const error = new DecisionRuleError(Code.InvalidPrices, 'm', given)
    expect(error.details).toEqual({ field: 'x' })
    expect(error.details).not.toBe(given)
    expect(Object.isFrozen(error.details)).toBe(true)
    expect(isDecisionRuleError(error)).toBe(true)
    expect(isDecisionRuleError(new Error('m'))).toBe(false)
  })
})

describe('largest-remainder apportionment', () => {
  it('equal remainders and equal scores: the lower index gets the leftover unit', () => {
    // ε = 2e-9: 2 units each are the floor, and 3·10^9 − 6 = 2,999,999,994 are shared by score
    // 1/4 : 1/4 : 1/2, i.e. 749,999,998.5 : 749,999,998.5 : 1,499,999,997; one unit is left over.
    const d = randomizedDistribution(
      [
        { id: 'a', score: 0.25 },
        { id: 'b', score: 0.25 },
        { id: 'c', score: 0.5 },
      ],
      2e-9,
    )
    expect(d.branches.map((b) => b.units)).toEqual([750_000_001n, 750_000_000n, 1_499_999_999n])
  })

  it('the units rounded up are those with the largest remainders', () => {
    const scores = [0.11, 0.37, 0.52, 0.29, 0.73]
    const epsilon = 0.123456789
    const d = randomizedDistribution(
      scores.map((score, i) => ({ id: `b${i}`, score })),
      epsilon,
    )
    const floorUnits = Math.ceil(epsilon * 1e9)
    const rest = scores.length * 1e9 - scores.length * floorUnits
    const sum = scores.reduce((a, b) => a + b, 0)
    const ideal = scores.map((s) => rest * (s / sum))
    const up = d.branches.map((b, i) => Number(b.units) - floorUnits - Math.floor(ideal[i] as number))
    expect(up.every((u) => u === 0 || u === 1)).toBe(true)
    const remainders = ideal.map((x) => x - Math.floor(x))
    const lowestUp = Math.min(...remainders.filter((_, i) => up[i] === 1))
    const highestDown = Math.max(...remainders.filter((_, i) => up[i] === 0))
    expect(up.filter((u) => u === 1).length).toBeGreaterThan(0)
    expect(lowestUp).toBeGreaterThanOrEqual(highestDown)
  })
})
