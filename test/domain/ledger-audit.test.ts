import { describe, expect, it } from 'vitest'
import { escrowWorstCase } from '../../src/domain/ledger-audit.js'

describe('what an open escrow must cover', () => {
  it('before resolution: the largest q, whichever outcome wins', () => {
    expect(escrowWorstCase({ phase: 'unresolved', q: [50n, 100n, 0n] })).toBe(100n)
    expect(escrowWorstCase({ phase: 'unresolved', q: [-5n, 0n] })).toBe(0n)
  })

  it('resolved: the payouts still due, not q, so a settlement half done is not a false alarm', () => {
    // YES won with q = [50, 100]: once the YES holders are paid, the escrow holds less than
    // max q = 100 and owes nothing more.
    const resolution = { kind: 'outcome', winner: 0 } as const
    expect(
      escrowWorstCase({ phase: 'resolved', resolution, unsettled: [{ outcome: 1, shares: 100n }] }),
    ).toBe(0n)
    expect(
      escrowWorstCase({
        phase: 'resolved',
        resolution,
        unsettled: [
          { outcome: 0, shares: 30n },
          { outcome: 0, shares: 20n },
          { outcome: 1, shares: 100n },
        ],
      }),
    ).toBe(50n)
  })

  it('scalar: each holder rounded down, as settlement pays', () => {
    // v at a third of the range: LONG pays ⌊s/3⌋, SHORT ⌊2s/3⌋ per holder.
    const resolution = { kind: 'scalar', value: 1n, lo: 0n, hi: 3n } as const
    const unsettled = [
      { outcome: 0, shares: 10n },
      { outcome: 0, shares: 10n },
      { outcome: 1, shares: 10n },
    ]
    expect(escrowWorstCase({ phase: 'resolved', resolution, unsettled })).toBe(3n + 3n + 6n)
  })

  it('voided or settled: nothing is checked', () => {
    expect(escrowWorstCase({ phase: 'none' })).toBeNull()
  })
})
