import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AMOUNT_FORM,
  absBig,
  ceilDiv,
  floorDiv,
  formatAmount,
  MICRO,
  MoneyFormatError,
  maxBig,
  minBig,
  parseAmount,
} from '../../src/domain/money.js'

describe('parseAmount', () => {
  it.each([
    ['0', 0n],
    ['1', 1_000_000n],
    ['12.5', 12_500_000n],
    ['0.000001', 1n],
    ['123456789.123456', 123_456_789_123_456n],
    ['1.000000', MICRO],
  ])('parses %s', (s, expected) => {
    expect(parseAmount(s)).toBe(expected)
  })

  it.each([
    ['', 'empty'],
    ['.', 'syntax'],
    ['1.', 'syntax'],
    ['.5', 'syntax'],
    [' 1', 'syntax'],
    ['1 ', 'syntax'],
    ['1e3', 'syntax'],
    ['+1', 'syntax'],
    ['1,5', 'syntax'],
    ['0x10', 'syntax'],
    ['١', 'syntax'],
    ['1.0000001', 'too_many_decimals'],
    ['-1', 'negative'],
    ['1'.repeat(41), 'too_long'],
  ])('rejects %j (%s)', (s, reason) => {
    let caught: unknown
    try {
      parseAmount(s)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(MoneyFormatError)
    const err = caught as MoneyFormatError
    expect(err.reason).toBe(reason)
    expect(err.code).toBe('invalid_amount')
    expect(err.message.length).toBeGreaterThan(10)
  })

  it('accepts a minus sign only when allowed', () => {
    expect(parseAmount('-3', { allowNegative: true })).toBe(-3_000_000n)
    expect(parseAmount('-0.000001', { allowNegative: true })).toBe(-1n)
    expect(() => parseAmount('+3', { allowNegative: true })).toThrow(MoneyFormatError)
    expect(() => parseAmount('--3', { allowNegative: true })).toThrow(MoneyFormatError)
  })

  it('names the problem in the message', () => {
    expect(() => parseAmount('1.1234567')).toThrow(/at most 6/)
    expect(() => parseAmount('-1')).toThrow(/negative/)
  })

  it('rejects non-strings with a typed error', () => {
    expect(() => parseAmount(12 as unknown as string)).toThrow(MoneyFormatError)
  })
})

describe('parseAmount: one decimal form', () => {
  const reasonOf = (s: string, options?: { allowNegative?: boolean }) => {
    try {
      parseAmount(s, options)
    } catch (e) {
      if (e instanceof MoneyFormatError) return e.reason
      throw e
    }
    return 'accepted'
  }

  it.each([
    // The outside test's case: it was accepted as 5.
    ['00000000000000000000000000005', 'leading_zeros'],
    ['05', 'leading_zeros'],
    ['007.50', 'leading_zeros'],
    ['00', 'leading_zeros'],
    ['00.5', 'leading_zeros'],
    ['+5', 'syntax'],
    ['5.', 'syntax'],
    ['.5', 'syntax'],
    ['5.5.5', 'syntax'],
    ['-0', 'negative'],
  ])('refuses %j (%s)', (s, reason) => {
    expect(reasonOf(s)).toBe(reason)
  })

  it.each([
    ['0', 0n],
    ['0.5', 500_000n],
    ['10', 10_000_000n],
    ['100.05', 100_050_000n],
    // Trailing zeros in the decimals are allowed: "1.50" is 1.5, as toFixed(2) writes it.
    ['1.50', 1_500_000n],
    ['0.000000', 0n],
    ['2.000000', 2_000_000n],
  ])('accepts %j', (s, units) => {
    expect(parseAmount(s)).toBe(units)
  })

  it('applies the same rules after a minus sign, and zero has no sign', () => {
    expect(parseAmount('-0.5', { allowNegative: true })).toBe(-500_000n)
    expect(parseAmount('-10', { allowNegative: true })).toBe(-10_000_000n)
    expect(reasonOf('-05', { allowNegative: true })).toBe('leading_zeros')
    expect(reasonOf('-0', { allowNegative: true })).toBe('negative_zero')
    expect(reasonOf('-0.000', { allowNegative: true })).toBe('negative_zero')
    expect(reasonOf('-5.', { allowNegative: true })).toBe('syntax')
  })

  it('says what to write, under the name it is given', () => {
    expect(() => parseAmount('00000000000000000000000000005', { name: 'max_cost' })).toThrow(
      `max_cost "00000000000000000000000000005" has leading zeros; write "5" (${AMOUNT_FORM})`,
    )
    expect(() => parseAmount('-007.25', { allowNegative: true })).toThrow('write "-7.25"')
    expect(() => parseAmount('+5', { name: 'subsidy' })).toThrow(
      `subsidy "+5" is not a plain decimal number; write ${AMOUNT_FORM}`,
    )
    expect(() => parseAmount('1', { name: 'x' })).not.toThrow()
  })

  it('accepts exactly the strings formatAmount writes, and those with trailing decimal zeros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.nat({ max: 6 }), (units, pad) => {
        const written = formatAmount(units)
        expect(parseAmount(written)).toBe(units)
        const [whole, frac = ''] = written.split('.')
        const padded = `${whole}.${frac.padEnd(Math.min(6, frac.length + pad), '0')}`
        if (!padded.endsWith('.')) expect(parseAmount(padded)).toBe(units)
        expect(reasonOf(`0${written}`)).toBe('leading_zeros')
      }),
    )
  })
})

describe('formatAmount', () => {
  it.each([
    [0n, '0'],
    [1n, '0.000001'],
    [12_500_000n, '12.5'],
    [-3_000_000n, '-3'],
    [-1n, '-0.000001'],
    [1_000_001n, '1.000001'],
    [10_000_000n, '10'],
  ])('formats %s as %s', (x, s) => {
    expect(formatAmount(x)).toBe(s)
  })

  it('round-trips with parseAmount for every bigint', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (x) => {
        expect(parseAmount(formatAmount(x), { allowNegative: true })).toBe(x)
      }),
    )
  })

  it('never prints trailing zeros or a bare point', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (x) => {
        const s = formatAmount(x)
        expect(s).not.toMatch(/\.$|\.\d*0$/)
      }),
    )
  })
})

describe('bigint helpers', () => {
  it('minBig / maxBig / absBig', () => {
    expect(minBig(3n, -2n, 7n)).toBe(-2n)
    expect(maxBig(3n, -2n, 7n)).toBe(7n)
    expect(minBig(5n)).toBe(5n)
    expect(absBig(-4n)).toBe(4n)
  })

  it.each([
    [7n, 2n, 3n, 4n],
    [-7n, 2n, -4n, -3n],
    [7n, -2n, -4n, -3n],
    [-7n, -2n, 3n, 4n],
    [6n, 3n, 2n, 2n],
    [-6n, 3n, -2n, -2n],
    [0n, 5n, 0n, 0n],
  ])('%s / %s: floor %s, ceil %s', (a, b, f, c) => {
    expect(floorDiv(a, b)).toBe(f)
    expect(ceilDiv(a, b)).toBe(c)
  })

  it('floorDiv and ceilDiv bracket the exact quotient', () => {
    const nonZero = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).filter((b) => b !== 0n)
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), nonZero, (a, b) => {
        const f = floorDiv(a, b)
        const c = ceilDiv(a, b)
        // f ≤ a/b < f + 1 and c − 1 < a/b ≤ c, checked by multiplying out with the sign of b.
        const s = b > 0n ? 1n : -1n
        expect(f * b * s <= a * s).toBe(true)
        expect((f + 1n) * b * s > a * s).toBe(true)
        expect(c * b * s >= a * s).toBe(true)
        expect((c - 1n) * b * s < a * s).toBe(true)
      }),
    )
  })

  it('refuses division by zero', () => {
    expect(() => floorDiv(1n, 0n)).toThrow(RangeError)
    expect(() => ceilDiv(1n, 0n)).toThrow(RangeError)
  })
})
