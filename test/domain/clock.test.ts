/**
 * The production clock. Everything else is handed a fixed or moved clock (test/helpers/clock.ts),
 * so without this test nothing in the domain run checks that systemClock tells the time.
 */
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/domain/clock.js'

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now()
    const now = systemClock.now()
    const after = Date.now()
    expect(now).toBeInstanceOf(Date)
    expect(now.getTime()).toBeGreaterThanOrEqual(before)
    expect(now.getTime()).toBeLessThanOrEqual(after)
  })
})
