/**
 * The anchoring core's guards: the field prime and the integer widths, the one spelling of a felt
 * and of a decimal, Cairo short strings, canonical JSON and its SHA-256 limbs.
 */
import { describe, expect, it } from 'vitest'
import {
  AnchoringError,
  assertFelt,
  assertUnsigned,
  canonicalJson,
  canonicalJsonLimbs,
  FIELD_PRIME,
  feltToHex,
  isAnchoringError,
  parseFeltHex,
  parseSignedDecimal,
  parseUnsignedDecimal,
  sha256Int,
  sha256Limbs,
  shortStringFelt,
  U64_LIMIT,
  U128_LIMIT,
} from '../../src/domain/anchoring/index.js'
import { poseidon } from '../../src/domain/anchoring/poseidon.js'
import { codeOf } from './anchoring-errors.js'

describe('the field', () => {
  it('P is the Stark prime, written out', () => {
    expect(FIELD_PRIME).toBe(0x800000000000011000000000000000000000000000000000000000000000001n)
    expect(FIELD_PRIME).toBe(2n ** 251n + 17n * 2n ** 192n + 1n)
  })

  it('assertFelt takes [0, P) and refuses P, P + 1 and negatives', () => {
    expect(assertFelt(0n, 'x')).toBe(0n)
    expect(assertFelt(FIELD_PRIME - 1n, 'x')).toBe(FIELD_PRIME - 1n)
    expect(codeOf(() => assertFelt(FIELD_PRIME, 'x'))).toBe('invalid_felt')
    expect(codeOf(() => assertFelt(FIELD_PRIME + 1n, 'x'))).toBe('invalid_felt')
    expect(codeOf(() => assertFelt(-1n, 'x'))).toBe('invalid_felt')
    expect(codeOf(() => assertFelt(5 as never, 'x'))).toBe('invalid_felt')
  })

  it('assertUnsigned refuses the limit itself and negatives, naming the field', () => {
    expect(assertUnsigned(U128_LIMIT - 1n, U128_LIMIT, 'lo')).toBe(U128_LIMIT - 1n)
    expect(assertUnsigned(0n, U128_LIMIT, 'lo')).toBe(0n)
    expect(() => assertUnsigned(U128_LIMIT, U128_LIMIT, 'lo')).toThrow(
      `lo must be an integer in [0, ${U128_LIMIT}), got ${U128_LIMIT}`,
    )
    expect(codeOf(() => assertUnsigned(-1n, U64_LIMIT, 'seq'))).toBe('invalid_integer')
    expect(codeOf(() => assertUnsigned(1 as never, U64_LIMIT, 'seq'))).toBe('invalid_integer')
  })

  it('errors are AnchoringErrors with a name and a stable code', () => {
    try {
      assertFelt(-1n, 'x')
    } catch (error) {
      expect(error).toBeInstanceOf(AnchoringError)
      expect((error as AnchoringError).name).toBe('AnchoringError')
      expect((error as AnchoringError).code).toBe('invalid_felt')
    }
    expect(isAnchoringError(new Error('x'))).toBe(false)
    expect.assertions(4)
  })

  it('poseidon refuses an input ≥ P, which the library would silently reduce', () => {
    // The reduction the guard prevents: starknet.js hashes P + 5 as 5.
    expect(() => poseidon([FIELD_PRIME + 5n])).toThrow(AnchoringError)
    expect(() => poseidon([1n, FIELD_PRIME])).toThrow('poseidon input 1 must be a felt in [0, P)')
    expect(() => poseidon([-1n])).toThrow(AnchoringError)
    expect(poseidon([FIELD_PRIME - 1n])).toBeTypeOf('bigint')
  })
})

describe('felt spelling', () => {
  it('writes lowercase 0x hex without leading zeros', () => {
    expect(feltToHex(0n)).toBe('0x0')
    expect(feltToHex(255n)).toBe('0xff')
    expect(feltToHex(FIELD_PRIME - 1n)).toBe(
      '0x800000000000011000000000000000000000000000000000000000000000000',
    )
    expect(codeOf(() => feltToHex(FIELD_PRIME))).toBe('invalid_felt')
    expect(() => feltToHex(-1n)).toThrow('felt must be a felt in [0, P), got -1')
  })

  it('parses its own spelling back, up to P - 1', () => {
    expect(parseFeltHex('0x0')).toBe(0n)
    expect(parseFeltHex('0xff')).toBe(255n)
    expect(parseFeltHex(feltToHex(FIELD_PRIME - 1n))).toBe(FIELD_PRIME - 1n)
  })

  it.each([
    ['padded', '0x00ff'],
    ['zero padded', '0x00'],
    ['64 digits padded', `0x${'0'.repeat(62)}ff`],
    ['upper case', '0xFF'],
    ['upper case prefix', '0XFF'],
    ['no prefix', 'ff'],
    ['decimal', '255'],
    ['empty digits', '0x'],
    ['space', ' 0xff'],
    ['trailing newline', '0xff\n'],
    ['sign', '-0x1'],
    ['not hex', '0xfg'],
    ['P', feltToHex(FIELD_PRIME - 1n).replace(/0$/, '1')],
    ['2^252', `0x1${'0'.repeat(63)}`],
  ])('refuses %s (%j)', (_name, text) => {
    expect(codeOf(() => parseFeltHex(text))).toBe('invalid_felt')
  })

  it('refuses non-strings, naming the field and the type', () => {
    expect(() => parseFeltHex('x')).toThrow('felt must be lowercase 0x hex without leading zeros, got "x"')
    expect(() => parseFeltHex(255, 'root')).toThrow(
      'root must be lowercase 0x hex without leading zeros, got number',
    )
    expect(() => parseFeltHex(null, 'root')).toThrow('got null')
    expect(() => parseFeltHex(['0x1'], 'root')).toThrow('got an array')
    expect(() => parseFeltHex(`0x${'f'.repeat(100)}`)).toThrow(`got "0x${'f'.repeat(78)}…"`)
    // 80 characters are shown whole, 81 cut.
    expect(() => parseFeltHex(`0x${'f'.repeat(78)}`)).toThrow(`got "0x${'f'.repeat(78)}"`)
    expect(() => parseFeltHex(`0x${'f'.repeat(79)}`)).toThrow(`got "0x${'f'.repeat(78)}…"`)
  })

  it('64 hex digits fail the syntax (no felt has them), 63 pass it and meet the range check', () => {
    expect(() => parseFeltHex(`0x1${'0'.repeat(63)}`)).toThrow('must be lowercase 0x hex')
    expect(() => parseFeltHex(`0x${'f'.repeat(63)}`)).toThrow('must be a felt in [0, P)')
  })

  it('the value P itself is refused after the syntax passes', () => {
    expect(() => parseFeltHex(`0x${FIELD_PRIME.toString(16)}`, 'leaf')).toThrow(
      'leaf must be a felt in [0, P)',
    )
  })
})

describe('decimal spelling', () => {
  it('unsigned: canonical digits only, below the limit', () => {
    expect(parseUnsignedDecimal('0', U64_LIMIT, 'seq')).toBe(0n)
    expect(parseUnsignedDecimal('18446744073709551615', U64_LIMIT, 'seq')).toBe(U64_LIMIT - 1n)
    for (const text of ['18446744073709551616', '-1', '+1', '01', '00', '1.0', '1e3', ' 1', '', '0x1']) {
      expect(codeOf(() => parseUnsignedDecimal(text, U64_LIMIT, 'seq'))).toBe('invalid_integer')
    }
    expect(codeOf(() => parseUnsignedDecimal(1, U64_LIMIT, 'seq'))).toBe('invalid_integer')
    expect(() => parseUnsignedDecimal('-1', U64_LIMIT, 'seq')).toThrow(
      'seq must be a decimal string without sign or leading zeros, got "-1"',
    )
    expect(codeOf(() => parseUnsignedDecimal('1'.repeat(79), 10n ** 100n, 'x'))).toBe('invalid_integer')
    expect(parseUnsignedDecimal('1'.repeat(78), 10n ** 100n, 'x')).toBe(BigInt('1'.repeat(78)))
  })

  it('signed: one "-", never "-0", "+" or leading zeros', () => {
    expect(parseSignedDecimal('-2500000', 'amount')).toBe(-2500000n)
    expect(parseSignedDecimal('0', 'amount')).toBe(0n)
    expect(parseSignedDecimal('17', 'amount')).toBe(17n)
    for (const text of ['-0', '+1', '--1', '-01', '007', '1 ', '']) {
      expect(codeOf(() => parseSignedDecimal(text, 'amount'))).toBe('invalid_integer')
    }
    expect(codeOf(() => parseSignedDecimal(5n, 'amount'))).toBe('invalid_integer')
    expect(() => parseSignedDecimal('+1', 'amount')).toThrow('amount must be a decimal string without "+"')
  })
})

describe('short strings', () => {
  it('are the ASCII bytes big-endian, as Cairo writes them', () => {
    expect(shortStringFelt('DM_POSTING_V1')).toBe(0x444d5f504f5354494e475f5631n)
    expect(shortStringFelt('a')).toBe(0x61n)
    expect(shortStringFelt('x'.repeat(31))).toBe(BigInt(`0x${'78'.repeat(31)}`))
  })

  it('refuse an empty, a 32-character or a non-ASCII text', () => {
    for (const text of ['', 'x'.repeat(32), 'é', 'a\n']) {
      expect(codeOf(() => shortStringFelt(text))).toBe('invalid_text')
    }
    expect(() => shortStringFelt('')).toThrow('a short string is 1 to 31 printable ASCII characters')
  })
})

describe('canonical JSON', () => {
  it('sorts keys at every depth, writes no whitespace, bigints as decimal strings', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: -2n }], e: false })).toBe(
      '{"a":[true,null,{"c":"-2","d":"x"}],"b":1,"e":false}',
    )
    expect(canonicalJson(12345678901234567890n)).toBe('"12345678901234567890"')
    expect(canonicalJson(12n)).toBe(canonicalJson('12'))
    expect(canonicalJson([])).toBe('[]')
    expect(canonicalJson({})).toBe('{}')
    expect(canonicalJson(Object.create(null))).toBe('{}')
  })

  it('sorts by UTF-16 code units and escapes as JSON.stringify does', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}')
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"')
    // A lone surrogate is escaped, so the text (and its UTF-8) stays unambiguous.
    expect(canonicalJson('\ud800')).toBe('"\\ud800"')
  })

  it('numbers: shortest round trip, -0 as 0', () => {
    expect(canonicalJson([0.1, 1e21, -0, 1.5e-7, 42])).toBe('[0.1,1e+21,0,1.5e-7,42]')
  })

  it.each([
    ['undefined', undefined, '$ cannot be written as canonical JSON: undefined'],
    ['a member undefined', { a: undefined }, '$.a cannot be written as canonical JSON: undefined'],
    ['a hole', [1, undefined], '$[1] cannot be written as canonical JSON: undefined'],
    ['NaN', { x: [Number.NaN] }, '$.x[0] cannot be written as canonical JSON: a non-finite number (NaN)'],
    ['Infinity', Number.POSITIVE_INFINITY, 'a non-finite number (Infinity)'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'a non-finite number (-Infinity)'],
    ['a function', { f: () => 1 }, '$.f cannot be written as canonical JSON: function'],
    ['a symbol', Symbol('s'), 'symbol'],
    ['a Date', { at: new Date(0) }, '$.at cannot be written as canonical JSON: an object that is not plain'],
    ['a Map', new Map(), 'an object that is not plain'],
  ])('refuses %s', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message)
    expect(codeOf(() => canonicalJson(value))).toBe('invalid_json')
  })

  it('refuses a cycle but not a shared value', () => {
    const shared = { x: 1 }
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = { back: cyclic }
    expect(() => canonicalJson(cyclic)).toThrow('$.self.back cannot be written as canonical JSON: a cycle')
    const list: unknown[] = []
    list.push(list)
    expect(() => canonicalJson(list)).toThrow('$[0] cannot be written as canonical JSON: a cycle')
  })
})

describe('SHA-256 limbs', () => {
  // Digests by Python's hashlib of the same bytes.
  it('of "abc": the FIPS 180-2 vector, high and low 16 bytes', () => {
    expect(sha256Int('abc')).toBe(0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adn)
    expect(sha256Limbs('abc')).toEqual({
      hi: 0xba7816bf8f01cfea414140de5dae2223n,
      lo: 0xb00361a396177a9cb410ff61f20015adn,
    })
  })

  it('of UTF-8 text, and of a value through its canonical JSON', () => {
    // hashlib.sha256('é'.encode()) — two bytes, not one Latin-1 byte.
    expect(sha256Int('é')).toBe(0x4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4cn)
    expect(canonicalJsonLimbs({ b: 2, a: 1 })).toEqual(sha256Limbs('{"a":1,"b":2}'))
  })

  it('limbs are each below 2^128 and rebuild the digest', () => {
    const { hi, lo } = sha256Limbs('x')
    expect(hi < U128_LIMIT && lo < U128_LIMIT).toBe(true)
    expect(hi * U128_LIMIT + lo).toBe(sha256Int('x'))
  })
})
