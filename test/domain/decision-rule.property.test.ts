import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  categoricalScore,
  type DecideInput,
  DecisionReason,
  decide,
  decideRandomized,
  laggingTwap,
  type RandomizedBranch,
  randomizedDistribution,
  type ScoreChange,
  scalarValueFromScore,
  type TwapInput,
  twapObservations,
  type Weighting,
} from '../../src/domain/decision-rule/index.js'

const unit = fc.double({ min: 0, max: 1, noNaN: true })

/** A TWAP input whose window always holds at least one observation. */
const twapInput: fc.Arbitrary<TwapInput> = fc
  .record({
    openedAtMs: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    intervalMs: fc.integer({ min: 1, max: 60_000 }),
    intervals: fc.integer({ min: 0, max: 400 }),
    openingScore: unit,
    maxStep: fc.oneof(fc.double({ min: 0, max: 0.3, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)),
    rawChanges: fc.array(fc.record({ at: fc.double({ min: 0, max: 1.1, noNaN: true }), score: unit }), {
      maxLength: 60,
    }),
    endFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    startFraction: fc.double({ min: -0.2, max: 1, noNaN: true }),
  })
  .map((r) => {
    const span = r.intervals * r.intervalMs
    const windowEndMs = r.openedAtMs + Math.floor(span * r.endFraction)
    const lastGridOffset = Math.floor((windowEndMs - r.openedAtMs) / r.intervalMs) * r.intervalMs
    // Start anywhere from before opening to the last grid point inside the window.
    const windowStartMs = r.openedAtMs + Math.min(lastGridOffset, Math.floor(span * r.startFraction))
    const changes: ScoreChange[] = r.rawChanges
      .map((c) => ({ atMs: r.openedAtMs + Math.floor(c.at * span), score: c.score }))
      .sort((x, y) => x.atMs - y.atMs)
    return {
      changes,
      openingScore: r.openingScore,
      openedAtMs: r.openedAtMs,
      intervalMs: r.intervalMs,
      maxStep: r.maxStep,
      windowStartMs,
      windowEndMs,
    }
  })

/** Straight from the definition, O(intervals × changes): the reference the fast walk must match. */
function referenceObservations(input: TwapInput): number[] {
  const out = [input.openingScore]
  for (let t = input.openedAtMs + input.intervalMs; t <= input.windowEndMs; t += input.intervalMs) {
    let current = input.openingScore
    for (const c of input.changes) if (c.atMs <= t) current = c.score
    const prev = out[out.length - 1] as number
    const delta = current - prev
    out.push(Math.abs(delta) <= input.maxStep ? current : prev + Math.sign(delta) * input.maxStep)
  }
  return out
}

describe('lagging TWAP properties', () => {
  it('observations never move more than maxStep from one to the next, and start at the opening score', () => {
    fc.assert(
      fc.property(twapInput, (input) => {
        const obs = twapObservations(input)
        expect(obs[0]?.value).toBe(input.openingScore)
        for (let k = 1; k < obs.length; k++) {
          const step = Math.abs((obs[k]?.value as number) - (obs[k - 1]?.value as number))
          expect(step).toBeLessThanOrEqual(input.maxStep + 1e-12)
          // One observation per interval, on the grid.
          expect(obs[k]?.atMs).toBe(input.openedAtMs + k * input.intervalMs)
        }
      }),
    )
  })

  it('matches a direct transcription of the definition', () => {
    fc.assert(
      fc.property(twapInput, (input) => {
        const reference = referenceObservations(input)
        const obs = twapObservations(input).map((o) => o.value)
        expect(obs).toHaveLength(reference.length)
        obs.forEach((v, k) => {
          expect(v).toBeCloseTo(reference[k] as number, 9)
        })
        const inWindow = reference.filter(
          (_, k) => input.openedAtMs + k * input.intervalMs >= input.windowStartMs,
        )
        const result = laggingTwap(input)
        expect(result.observationCount).toBe(inWindow.length)
        expect(result.twap).toBeCloseTo(inWindow.reduce((a, b) => a + b, 0) / inWindow.length, 9)
        expect(result.lastObservation).toBeCloseTo(reference[reference.length - 1] as number, 9)
      }),
    )
  })

  it('stays within [min, max] of the opening score and the path scores', () => {
    fc.assert(
      fc.property(twapInput, (input) => {
        const scores = [input.openingScore, ...input.changes.map((c) => c.score)]
        const { twap, lastObservation } = laggingTwap(input)
        expect(twap).toBeGreaterThanOrEqual(Math.min(...scores))
        expect(twap).toBeLessThanOrEqual(Math.max(...scores))
        expect(lastObservation).toBeGreaterThanOrEqual(Math.min(...scores))
        expect(lastObservation).toBeLessThanOrEqual(Math.max(...scores))
      }),
    )
  })

  it('of a constant path equal to the opening score is exactly that constant', () => {
    fc.assert(
      fc.property(twapInput, (input) => {
        const constant = {
          ...input,
          changes: input.changes.map((c) => ({ ...c, score: input.openingScore })),
        }
        const result = laggingTwap(constant)
        expect(result.twap).toBe(input.openingScore)
        expect(result.lastObservation).toBe(input.openingScore)
      }),
    )
  })

  // The last observation, honest or pumped, is within maxStep of the one before it, so the two
  // differ by at most 2·maxStep (the honest path may still be climbing by a step while the spike
  // pulls it down by one; fast-check found that case), and by at most 1 (scores are in [0, 1]);
  // the TWAP shares that difference among its observations.
  it('cannot be moved by one trade in the last interval by more than 2·maxStep / observations', () => {
    fc.assert(
      fc.property(twapInput, unit, (input, spike) => {
        const lastGrid =
          input.openedAtMs +
          Math.floor((input.windowEndMs - input.openedAtMs) / input.intervalMs) * input.intervalMs
        const before = input.changes.filter((c) => c.atMs < lastGrid)
        const honest = laggingTwap({ ...input, changes: before })
        const pumped = laggingTwap({ ...input, changes: [...before, { atMs: lastGrid, score: spike }] })
        const bound = Math.min(1, 2 * input.maxStep) / honest.observationCount
        expect(Math.abs(pumped.twap - honest.twap)).toBeLessThanOrEqual(bound * (1 + 1e-9) + 1e-12)
      }),
    )
  })
})

const decideInput: fc.Arbitrary<DecideInput> = fc
  .record({
    branches: fc.array(
      fc.record({
        score: unit,
        traders: fc.integer({ min: 0, max: 30 }),
        volume: fc.bigInt({ min: 0n, max: 1_000_000_000n }),
      }),
      { minLength: 1, maxLength: 16 },
    ),
    defaultPick: fc.nat(),
    thresholdBps: fc.integer({ min: 0, max: 10_000 }),
    minTraders: fc.integer({ min: 0, max: 40 }),
    minVolume: fc.bigInt({ min: 0n, max: 5_000_000_000n }),
    distinctTraders: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  })
  .map((r) => ({
    branches: r.branches.map((b, i) => ({ id: `branch-${i}`, ...b })),
    defaultBranchId: `branch-${r.defaultPick % r.branches.length}`,
    thresholdBps: r.thresholdBps,
    minTraders: r.minTraders,
    minVolume: r.minVolume,
    distinctTraders: r.distinctTraders,
  }))

describe('decide properties', () => {
  it('raising the threshold never turns a default decision into a non-default one', () => {
    fc.assert(
      fc.property(decideInput, fc.integer({ min: 0, max: 10_000 }), (input, extra) => {
        const higher = Math.min(10_000, input.thresholdBps + extra)
        const low = decide(input)
        const high = decide({ ...input, thresholdBps: higher })
        if (low.chosenBranchId === input.defaultBranchId)
          expect(high.chosenBranchId).toBe(input.defaultBranchId)
        // And the branch chosen is always either the default or the best one.
        expect([input.defaultBranchId, high.bestBranchId]).toContain(high.chosenBranchId)
      }),
    )
  })

  it('leaves the default only when every condition holds', () => {
    fc.assert(
      fc.property(decideInput, (input) => {
        const d = decide(input)
        const best = input.branches.find((b) => b.id === d.bestBranchId)
        const dflt = input.branches.find((b) => b.id === input.defaultBranchId)
        expect(best?.score).toBe(Math.max(...input.branches.map((b) => b.score)))
        if (dflt?.score === best?.score) expect(d.bestBranchId).toBe(input.defaultBranchId)
        if (d.chosenBranchId !== input.defaultBranchId) {
          expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
          expect(d.margin).toBeGreaterThanOrEqual(input.thresholdBps / 10_000 - 1e-12)
          expect(d.distinctTraders).toBeGreaterThanOrEqual(input.minTraders)
          expect(d.totalVolume).toBeGreaterThanOrEqual(input.minVolume)
        } else {
          expect(d.reason).not.toBe(DecisionReason.BestBeatsDefault)
        }
        expect(d.totalVolume).toBe(input.branches.reduce((acc, b) => acc + b.volume, 0n))
      }),
    )
  })

  it('is deterministic for the same input', () => {
    fc.assert(
      fc.property(decideInput, (input) => {
        const copy: DecideInput = { ...input, branches: input.branches.map((b) => ({ ...b })) }
        expect(decide(copy)).toEqual(decide(input))
      }),
    )
  })
})

const weighting: fc.Arbitrary<Weighting> = fc.oneof(
  fc.constant<Weighting>({ kind: 'proportional' }),
  fc
    .double({ min: 0.001, max: 10, noNaN: true })
    .map((temperature): Weighting => ({ kind: 'softmax', temperature })),
)

const randomizedBranches: fc.Arbitrary<RandomizedBranch[]> = fc
  .array(unit, { minLength: 1, maxLength: 16 })
  .map((scores) => scores.map((score, i) => ({ id: `branch-${i}`, score })))

const epsilon = fc.double({ min: 1e-6, max: 1, noNaN: true })

describe('randomized rule properties', () => {
  it('probabilities sum to 1 exactly and each is at least the floor ε/K', () => {
    fc.assert(
      fc.property(randomizedBranches, epsilon, weighting, (branches, eps, w) => {
        const dist = randomizedDistribution(branches, eps, w)
        const k = branches.length
        expect(dist.denominator).toBe(BigInt(k) * 1_000_000_000n)
        expect(dist.branches.reduce((acc, b) => acc + b.units, 0n)).toBe(dist.denominator)
        expect(dist.branches.reduce((acc, b) => acc + b.probability, 0)).toBeCloseTo(1, 12)
        for (const b of dist.branches) {
          expect(b.units).toBeGreaterThanOrEqual(dist.floorUnits)
          expect(b.probability).toBeGreaterThanOrEqual(eps / k - 1e-15)
        }
        // floorUnits / (K·10^9) ≥ ε/K  ⇔  floorUnits ≥ ε·10^9
        expect(Number(dist.floorUnits)).toBeGreaterThanOrEqual(eps * 1e9)
      }),
    )
  })

  it('follows the scores: a higher score never gets a lower probability', () => {
    fc.assert(
      fc.property(randomizedBranches, epsilon, weighting, (branches, eps, w) => {
        const dist = randomizedDistribution(branches, eps, w)
        for (let i = 0; i < branches.length; i++) {
          for (let j = 0; j < branches.length; j++) {
            if ((branches[i]?.score as number) > (branches[j]?.score as number)) {
              expect(dist.branches[i]?.units).toBeGreaterThanOrEqual(dist.branches[j]?.units as bigint)
            }
          }
        }
      }),
    )
  })

  it('draws each branch on an interval as wide as its probability, and scales payouts by exactly 1/p', () => {
    fc.assert(
      fc.property(
        randomizedBranches,
        epsilon,
        weighting,
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (branches, eps, w, pick, within) => {
          const dist = randomizedDistribution(branches, eps, w)
          const k = pick % branches.length
          const units = Number(dist.branches[k]?.units)
          fc.pre(units >= 3)
          const before = dist.branches.slice(0, k).reduce((acc, b) => acc + Number(b.units), 0)
          // A point strictly inside branch k's slice of [0, 1), away from float edges.
          const offset = 1 + Math.floor(within * (units - 2))
          const random = (before + offset + 0.5) / Number(dist.denominator)
          const d = decideRandomized({ branches, epsilon: eps, weighting: w, random })
          expect(d.chosenIndex).toBe(k)
          expect(d.chosenBranchId).toBe(`branch-${k}`)
          // p = units / D exactly, and payoutScale · p = 1.
          expect(d.probability.numerator * dist.denominator).toBe(
            (dist.branches[k]?.units as bigint) * d.probability.denominator,
          )
          expect(d.payoutScale.numerator * d.probability.numerator).toBe(
            d.payoutScale.denominator * d.probability.denominator,
          )
          // ppm rounded down: ppm·p ≤ 10^6 < (ppm + 1)·p
          const num = d.probability.numerator
          const den = d.probability.denominator
          expect(d.payoutScalePpm * num <= 1_000_000n * den).toBe(true)
          expect((d.payoutScalePpm + 1n) * num > 1_000_000n * den).toBe(true)
        },
      ),
    )
  })

  it('is deterministic for the same input and random number', () => {
    fc.assert(
      fc.property(
        randomizedBranches,
        epsilon,
        weighting,
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (branches, eps, w, random) => {
          const a = decideRandomized({ branches, epsilon: eps, weighting: w, random })
          const b = decideRandomized({
            branches: branches.map((x) => ({ ...x })),
            epsilon: eps,
            weighting: w,
            random,
          })
          expect(b).toEqual(a)
        },
      ),
    )
  })
})

describe('score properties', () => {
  it('categorical scores are in [0, 1] and unchanged by a positive affine rescaling of utilities', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0.001, max: 1, noNaN: true }), fc.integer({ min: -100, max: 100 })),
          {
            minLength: 2,
            maxLength: 32,
          },
        ),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        (rows, scale, shift) => {
          const utilities = rows.map(([, u]) => u)
          fc.pre(new Set(utilities).size > 1)
          const total = rows.reduce((acc, [w]) => acc + w, 0)
          const prices = rows.map(([w]) => w / total)
          const score = categoricalScore(prices, utilities)
          expect(score).toBeGreaterThanOrEqual(0)
          expect(score).toBeLessThanOrEqual(1)
          expect(
            categoricalScore(
              prices,
              utilities.map((u) => u * scale + shift),
            ),
          ).toBeCloseTo(score, 9)
        },
      ),
    )
  })

  it('scalar scores map back into lo..hi, monotonically', () => {
    fc.assert(
      fc.property(
        unit,
        unit,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (s, t, lo, width) => {
          const hi = lo + width
          const v = scalarValueFromScore(s, lo, hi)
          expect(v).toBeGreaterThanOrEqual(lo)
          expect(v).toBeLessThanOrEqual(hi)
          if (s <= t) expect(v).toBeLessThanOrEqual(scalarValueFromScore(t, lo, hi))
        },
      ),
    )
  })
})
