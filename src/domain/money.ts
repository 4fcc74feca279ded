/**
 * Money: credits and shares as integer micro-units.
 *
 * One credit is 1,000,000 units and so is one share (a winning share pays exactly one
 * credit, so one micro-share pays one micro-credit). Every amount that is money lives in a
 * `bigint`; floats appear only in the market maker's price arithmetic and are converted
 * back with explicit, documented rounding (see market-maker/lmsr.ts).
 *
 * The API speaks decimal strings with at most six decimals ("12.5"); `parseAmount` and
 * `formatAmount` are the only way in and out.
 */

/** Units per credit (and per share). */
export const MICRO = 1_000_000n

/** Number of decimals the API accepts; equals log10(MICRO). */
export const AMOUNT_DECIMALS = 6

/**
 * Longest decimal string accepted. 40 characters is ~10^33 credits, far beyond any real
 * balance, and keeps a hostile request from making us build a megabyte-long bigint.
 */
export const MAX_AMOUNT_LENGTH = 40

/**
 * The one form the API accepts, as error messages state it. Canonical but for trailing zeros:
 * no leading zeros ("05", "00.5"), no "+", no bare or trailing point, no exponent or spaces, so
 * one number is not spelled several ways in requests, logs and idempotency comparisons.
 * Trailing zeros after the point ("1.50", "2.000000") are accepted: clients format with a fixed
 * number of decimals (toFixed(2), Decimal quantize) and the value is still unambiguous.
 */
export const AMOUNT_FORM =
  'a decimal string such as "12.5": digits without leading zeros (a single "0" before the point), ' +
  'optionally "." and 1 to 6 digits'

/** Why an amount string was refused; stable, so the HTTP layer can map it to a problem code. */
export type MoneyFormatReason =
  | 'not_a_string'
  | 'empty'
  | 'too_long'
  | 'negative'
  | 'too_many_decimals'
  | 'leading_zeros'
  | 'negative_zero'
  | 'syntax'

/** A decimal amount string that is not a valid amount of credits or shares. */
export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError'
  readonly code = 'invalid_amount'
  constructor(
    readonly reason: MoneyFormatReason,
    readonly input: unknown,
    message: string,
  ) {
    super(message)
  }
}

export interface ParseAmountOptions {
  /** Accept a leading '-' (ledger adjustments, scalar ranges). A '+' is never accepted. */
  allowNegative?: boolean
  /** What the messages call the value (a field name such as "max_cost"); "amount" by default. */
  name?: string
}

// Digits, then optionally a point followed by at least one digit. Written with [0-9]
// rather than \d so that no other script's digits slip through if a `u` flag is ever added.
// Leading zeros pass this and are refused after it, with a message of their own.
const AMOUNT_SYNTAX = /^(-?)([0-9]+)(?:\.([0-9]+))?$/

/**
 * Parses an API decimal string into micro-units.
 *
 * Accepts `"12"`, `"12.5"`, `"0.5"`, `"0.000001"`, `"1.50"` (trailing zeros, see AMOUNT_FORM);
 * refuses `""`, `"."`, `"1."`, `".5"`, `" 1"`, `"1e3"`, `"+1"`, `"007.5"` and
 * `"00000000000000000000000000005"` (leading zeros), more than six decimals, and a sign
 * unless `allowNegative` is set (and then still `"-0"`: zero has no sign). Refusing (rather
 * than rounding) extra decimals means a client never loses a fraction of a unit silently.
 */
export function parseAmount(s: string, options: ParseAmountOptions = {}): bigint {
  const name = options.name ?? 'amount'
  if (typeof s !== 'string') {
    throw new MoneyFormatError('not_a_string', s, `${name} must be a decimal string, got ${typeof s}`)
  }
  if (s.length === 0) throw new MoneyFormatError('empty', s, `${name} must not be empty`)
  if (s.length > MAX_AMOUNT_LENGTH) {
    throw new MoneyFormatError('too_long', s, `${name} must be at most ${MAX_AMOUNT_LENGTH} characters`)
  }
  const m = AMOUNT_SYNTAX.exec(s)
  if (m === null) {
    throw new MoneyFormatError(
      'syntax',
      s,
      `${name} ${JSON.stringify(s)} is not a plain decimal number; write ${AMOUNT_FORM}`,
    )
  }
  const [, sign = '', whole = '', frac = ''] = m
  if (sign === '-' && options.allowNegative !== true) {
    throw new MoneyFormatError('negative', s, `${name} ${JSON.stringify(s)} must not be negative`)
  }
  if (whole.length > 1 && whole.startsWith('0')) {
    const fixed = `${sign}${whole.replace(/^0+(?=[0-9])/, '')}${frac === '' ? '' : `.${frac}`}`
    throw new MoneyFormatError(
      'leading_zeros',
      s,
      `${name} ${JSON.stringify(s)} has leading zeros; write ${JSON.stringify(fixed)} (${AMOUNT_FORM})`,
    )
  }
  if (frac.length > AMOUNT_DECIMALS) {
    throw new MoneyFormatError(
      'too_many_decimals',
      s,
      `${name} ${JSON.stringify(s)} has ${frac.length} decimals; at most ${AMOUNT_DECIMALS} are allowed`,
    )
  }
  const units = BigInt(whole) * MICRO + BigInt(frac.padEnd(AMOUNT_DECIMALS, '0'))
  if (sign === '-' && units === 0n) {
    throw new MoneyFormatError(
      'negative_zero',
      s,
      `${name} ${JSON.stringify(s)} is zero; write it without "-"`,
    )
  }
  return sign === '-' ? -units : units
}

/** Formats micro-units as the shortest exact decimal string: "12.5", "0.000001", "-3", "0". */
export function formatAmount(x: bigint): string {
  const negative = x < 0n
  const abs = negative ? -x : x
  const whole = abs / MICRO
  const frac = (abs % MICRO).toString().padStart(AMOUNT_DECIMALS, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`
}

/** The smallest of one or more bigints. */
export function minBig(first: bigint, ...rest: bigint[]): bigint {
  let m = first
  // Stryker disable next-line EqualityOperator: equal bigints are the same value
  for (const v of rest) if (v < m) m = v
  return m
}

/** The largest of one or more bigints. */
export function maxBig(first: bigint, ...rest: bigint[]): bigint {
  let m = first
  // Stryker disable next-line EqualityOperator: equal bigints are the same value
  for (const v of rest) if (v > m) m = v
  return m
}

/** |x| for a bigint. */
export function absBig(x: bigint): bigint {
  // Stryker disable next-line EqualityOperator: -0n is 0n
  return x < 0n ? -x : x
}

/**
 * ⌊a / b⌋ for any signs. JavaScript's `/` on bigints truncates toward zero, which rounds
 * negative quotients up; money code must know which way it rounds, so it uses these.
 */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('floorDiv: division by zero')
  const q = a / b
  // Truncation differs from floor only when there is a remainder and the signs differ.
  // Stryker disable next-line EqualityOperator: a = 0 has no remainder and b = 0 was refused above, so < and <= agree
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
}

/** ⌈a / b⌉ for any signs. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('ceilDiv: division by zero')
  const q = a / b
  // Stryker disable next-line EqualityOperator: a = 0 has no remainder and b = 0 was refused above, so < and <= agree
  return a % b !== 0n && a < 0n === b < 0n ? q + 1n : q
}
