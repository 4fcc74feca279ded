/**
 * The track record's arithmetic, pure: what the realised objective is for each outcome space,
 * which forecast of the action taken each side made, the Brier scores, the calibration buckets'
 * edges, the trend, and what the agent's LLM is told.
 */
import { describe, expect, it } from 'vitest'
import {
  type DecisionEntry,
  describeForPrompt,
  realisedObjective,
  scoreDecision,
  summarise,
  trackRecord,
} from '../../src/domain/agents/track-record.js'

const none = { outcome: null, value: null, scalarLo: null, scalarHi: null, utilities: null }

describe('the realised objective of the action taken', () => {
  it('binary: 1 for YES (outcome 0), 0 for NO', () => {
    expect(realisedObjective({ ...none, kind: 'binary', outcome: 0 })).toBe(1)
    expect(realisedObjective({ ...none, kind: 'binary', outcome: 1 })).toBe(0)
    expect(realisedObjective({ ...none, kind: 'binary' })).toBeNull()
  })
  it('scalar: what a LONG share paid, clamped to the range', () => {
    const range = { ...none, kind: 'scalar' as const, scalarLo: 0n, scalarHi: 100_000_000n }
    expect(realisedObjective({ ...range, value: 62_500_000n })).toBe(0.625)
    expect(realisedObjective({ ...range, value: -5_000_000n })).toBe(0)
    expect(realisedObjective({ ...range, value: 250_000_000n })).toBe(1)
    expect(realisedObjective({ ...range, value: null })).toBeNull()
    expect(realisedObjective({ ...range, scalarLo: -100_000_000n, value: 0n })).toBe(0.5)
  })
  it("categorical: the outcome's min-max normalised utility", () => {
    const c = { ...none, kind: 'categorical' as const, utilities: [10, -10, 0] }
    expect([0, 1, 2].map((outcome) => realisedObjective({ ...c, outcome }))).toEqual([1, 0, 0.5])
    expect(realisedObjective({ ...c, outcome: 3 })).toBeNull()
    expect(realisedObjective({ ...c, outcome: 0, utilities: [1, 1] })).toBeNull()
  })
})

const at = (iso: string) => new Date(iso)
const entry = (over: Partial<DecisionEntry>): DecisionEntry => ({
  decidedAt: at('2031-01-15T00:00:00Z'),
  priorBranch: 0,
  priorConfidence: 0.5,
  priorForecasts: null,
  chosenBranch: 0,
  marketForecast: 0.5,
  outcome: null,
  ...over,
})

describe('scoring', () => {
  it('the prior forecasts only the action it chose; the market the one it took', () => {
    expect(scoreDecision(entry({ priorConfidence: 0.9, outcome: 0, marketForecast: 0.2 }))).toEqual({
      prior_forecast: 0.9,
      market_forecast: 0.2,
      outcome: 0,
      brier_prior: 0.81,
      brier_market: 0.04,
    })
    expect(scoreDecision(entry({ priorBranch: 1, outcome: 1, marketForecast: 0.7 }))).toEqual({
      prior_forecast: null,
      market_forecast: 0.7,
      outcome: 1,
      brier_prior: null,
      brier_market: 0.09,
    })
  })

  it('with a forecast per action, an overridden prior is scored on the action the market took', () => {
    const overridden = entry({
      priorBranch: 0,
      priorConfidence: 0.8,
      priorForecasts: [0.8, 0.3],
      chosenBranch: 1,
    })
    expect(scoreDecision({ ...overridden, marketForecast: 0.6, outcome: 1 })).toEqual({
      prior_forecast: 0.3,
      market_forecast: 0.6,
      outcome: 1,
      brier_prior: 0.49,
      brier_market: 0.16,
    })
    // Its forecast for its own choice is what it said of it; a gap falls back to nothing.
    expect(scoreDecision(entry({ priorForecasts: [0.7, null], outcome: 0 })).prior_forecast).toBe(0.7)
    expect(scoreDecision({ ...overridden, priorForecasts: [0.8, null] }).prior_forecast).toBeNull()
    expect(scoreDecision({ ...overridden, priorBranch: null }).prior_forecast).toBeNull()
  })

  it('paired Brier scores compare both on the same events only', () => {
    const s = summarise([
      entry({ priorConfidence: 0.8, marketForecast: 0.6, outcome: 1 }),
      entry({ priorBranch: 1, marketForecast: 0.1, outcome: 0 }),
      entry({ priorBranch: null, priorConfidence: null, marketForecast: 0.3, outcome: 1 }),
      entry({ priorBranch: 1 }),
    ])
    expect(s).toMatchObject({
      decided: 4,
      with_prior: 3,
      overridden: 2,
      override_rate: 0.666667,
      resolved: 3,
    })
    expect(s.brier.prior).toBeCloseTo(0.04, 12)
    expect(s.brier.prior_count).toBe(1)
    expect(s.brier.market).toBeCloseTo((0.16 + 0.01 + 0.49) / 3, 6)
    expect(s.brier.paired).toEqual({ count: 1, prior: 0.04, market: 0.16 })
  })

  it('calibration: ten buckets, a forecast of 1 in the last, 0.1 in the second', () => {
    const r = trackRecord([
      entry({ priorConfidence: 1, marketForecast: 0.1, outcome: 1 }),
      entry({ priorConfidence: 0.05, marketForecast: 0.1, outcome: 0 }),
    ])
    expect(r.calibration.prior.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(r.calibration.prior[9]).toEqual({ lo: 0.9, hi: 1, count: 1, mean_forecast: 1, observed: 1 })
    expect(r.calibration.market[1]).toEqual({ lo: 0.1, hi: 0.2, count: 2, mean_forecast: 0.1, observed: 0.5 })
  })

  it('the trend: months oldest first, the recent window the last decisions', () => {
    const r = trackRecord(
      [
        entry({ decidedAt: at('2031-02-01T00:00:00Z'), priorBranch: 1 }),
        entry({ decidedAt: at('2030-12-31T23:59:59Z') }),
        entry({ decidedAt: at('2031-02-02T00:00:00Z') }),
      ],
      2,
    )
    expect(r.by_month.map((m) => [m.month, m.decided, m.overridden])).toEqual([
      ['2030-12', 1, 0],
      ['2031-02', 2, 1],
    ])
    expect(r.recent).toMatchObject({ size: 2, decided: 2, overridden: 1 })
  })
})

describe("what the agent's LLM is told", () => {
  it('nothing before its first decided decision', () => {
    expect(describeForPrompt(summarise([]))).toBe('')
  })
  it('its override rate and, when both forecast, who was right', () => {
    const text = describeForPrompt(
      summarise([
        entry({ priorConfidence: 0.9, marketForecast: 0.6, outcome: 0 }),
        entry({ priorBranch: 1, marketForecast: 0.4, outcome: 0 }),
      ]),
    )
    expect(text).toContain('the market has taken 2 of your decisions')
    expect(text).toContain('It overrode your own choice in 1 of the 2 decisions where you gave one (50%)')
    expect(text).toContain(
      "your Brier score was 0.8100 and the market's 0.3600 (lower is better): the market forecast better than you",
    )
    expect(text).toContain("Over all 2 resolved decisions the market's Brier score was 0.2600")
  })
})
