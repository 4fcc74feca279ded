/**
 * What the deterministic rule writes into the decision record, word for word, and where its
 * comparisons fall exactly on a boundary; and which branch the randomized rule draws at the
 * exact edge between two branches' units.
 */
import { describe, expect, it } from 'vitest'
import {
  type DecideInput,
  DecisionReason,
  decide,
  decideRandomized,
} from '../../src/domain/decision-rule/index.js'

const base: DecideInput = {
  branches: [
    { id: 'keep', score: 0.5, traders: 4, volume: 60_000_000n },
    { id: 'ship', score: 0.62, traders: 7, volume: 40_500_000n },
  ],
  defaultBranchId: 'keep',
  thresholdBps: 1_000,
  minTraders: 3,
  minVolume: 10_000_000n,
}

describe('explanations', () => {
  it('best beats default', () => {
    const d = decide(base)
    expect(d.reason).toBe(DecisionReason.BestBeatsDefault)
    expect(d.chosenBranchId).toBe('ship')
    expect(d.explanation).toBe(
      'Took branch ship (score 0.6200): it beat the default branch keep (score 0.5000) by 1200.0 bps, ' +
        'at least the 1000 bps threshold, with 7 traders and 100.5 credits traded.',
    )
  })

  it('default is best', () => {
    const d = decide({ ...base, defaultBranchId: 'ship' })
    expect(d.reason).toBe(DecisionReason.DefaultIsBest)
    expect(d.explanation).toBe('Took the default branch ship (score 0.6200): no other branch scored higher.')
    expect(d.margin).toBe(0)
  })

  it('below threshold', () => {
    const d = decide({ ...base, thresholdBps: 1_500 })
    expect(d.reason).toBe(DecisionReason.BelowThreshold)
    expect(d.chosenBranchId).toBe('keep')
    expect(d.explanation).toBe(
      'Took the default branch keep (score 0.5000): the best, branch ship (score 0.6200), led it by 1200.0 bps, ' +
        'less than the 1500 bps threshold.',
    )
  })

  it('insufficient traders', () => {
    const d = decide({ ...base, minTraders: 8 })
    expect(d.reason).toBe(DecisionReason.InsufficientTraders)
    expect(d.explanation).toBe(
      'Took the default branch keep (score 0.5000): the market had 7 distinct traders, fewer than the minimum of 8.',
    )
  })

  it('insufficient volume, with whole and fractional credits', () => {
    const d = decide({ ...base, minVolume: 200_000_000n })
    expect(d.reason).toBe(DecisionReason.InsufficientVolume)
    expect(d.explanation).toBe(
      'Took the default branch keep (score 0.5000): the market traded 100.5 credits, less than the minimum of 200 credits.',
    )
  })
})

describe('boundaries', () => {
  it('exactly the minimum number of traders is enough', () => {
    expect(decide({ ...base, minTraders: 7 }).reason).toBe(DecisionReason.BestBeatsDefault)
    expect(decide({ ...base, minTraders: 7, distinctTraders: 6 }).reason).toBe(
      DecisionReason.InsufficientTraders,
    )
  })

  it('exactly the minimum volume is enough', () => {
    expect(decide({ ...base, minVolume: 100_500_000n }).reason).toBe(DecisionReason.BestBeatsDefault)
    expect(decide({ ...base, minVolume: 100_500_001n }).reason).toBe(DecisionReason.InsufficientVolume)
  })

  it('a margin exactly at the tolerated threshold passes', () => {
    // The rule passes margins ≥ threshold − 1e-12; put the margin exactly there.
    const edge = 1_000 / 10_000 - 1e-12
    const input: DecideInput = {
      ...base,
      branches: [
        { id: 'keep', score: 0, traders: 4, volume: 60_000_000n },
        { id: 'ship', score: edge, traders: 4, volume: 60_000_000n },
      ],
    }
    expect(decide(input).margin).toBe(edge)
    expect(decide(input).reason).toBe(DecisionReason.BestBeatsDefault)
  })
})

describe('randomized draw at a boundary', () => {
  it('a draw equal to the first branch’s units falls in the second', () => {
    const branches = [
      { id: 'a', score: 0.5 },
      { id: 'b', score: 0.5 },
    ]
    // Uniform: 10^9 units each of 2·10^9; random 0.5 draws unit 10^9, the first unit of b.
    expect(decideRandomized({ branches, epsilon: 1, random: 0.5 }).chosenBranchId).toBe('b')
    expect(decideRandomized({ branches, epsilon: 1, random: 0.4999999999 }).chosenBranchId).toBe('a')
  })
})
