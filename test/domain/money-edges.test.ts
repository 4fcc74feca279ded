/**
 * Money helpers at their edges: the longest accepted amount, the error a non-string gets, and
 * the bigint helpers' exact results for every sign.
 */
import { describe, expect, it } from 'vitest'
import {
  absBig,
  ceilDiv,
  floorDiv,
  MAX_AMOUNT_LENGTH,
  MICRO,
  MoneyFormatError,
  maxBig,
  minBig,
  parseAmount,
} from '../../src/domain/money.js'

describe('parseAmount edges', () => {
  it('takes an amount of exactly the longest length, refuses one more character', () => {
    const longest = `1${'0'.repeat(MAX_AMOUNT_LENGTH - 1)}`
    expect(longest).toHaveLength(40)
    expect(parseAmount(longest)).toBe(10n ** 39n * MICRO)
    try {
      parseAmount(`${longest}0`)
      expect.unreachable()
    } catch (error) {
      expect((error as MoneyFormatError).reason).toBe('too_long')
    }
  })

  it('a non-string is refused with its type named', () => {
    try {
      parseAmount(12 as never)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(MoneyFormatError)
      const e = error as MoneyFormatError
      expect(e.name).toBe('MoneyFormatError')
      expect(e.reason).toBe('not_a_string')
      expect(e.message).toBe('amount must be a decimal string, got number')
    }
  })
})

describe('bigint helpers', () => {
  it('minBig and maxBig pick the extreme wherever it stands', () => {
    expect(maxBig(5n, 9n, 2n)).toBe(9n)
    expect(maxBig(9n, 5n)).toBe(9n)
    expect(minBig(5n, 2n, 9n)).toBe(2n)
    expect(minBig(2n, 5n)).toBe(2n)
    expect(maxBig(-3n)).toBe(-3n)
  })

  it('absBig', () => {
    expect(absBig(5n)).toBe(5n)
    expect(absBig(-5n)).toBe(5n)
    expect(absBig(0n)).toBe(0n)
  })

  it('floorDiv and ceilDiv for every sign, and a division by zero named', () => {
    const cases: [bigint, bigint, bigint, bigint][] = [
      [7n, 2n, 3n, 4n],
      [-7n, 2n, -4n, -3n],
      [7n, -2n, -4n, -3n],
      [-7n, -2n, 3n, 4n],
      [6n, 3n, 2n, 2n],
      [-6n, 3n, -2n, -2n],
      [0n, -3n, 0n, 0n],
    ]
    for (const [a, b, floor, ceil] of cases) {
      expect(floorDiv(a, b)).toBe(floor)
      expect(ceilDiv(a, b)).toBe(ceil)
    }
    expect(() => floorDiv(1n, 0n)).toThrow(new RangeError('floorDiv: division by zero'))
    expect(() => ceilDiv(1n, 0n)).toThrow(new RangeError('ceilDiv: division by zero'))
  })
})
