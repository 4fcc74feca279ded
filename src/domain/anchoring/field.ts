/**
 * The Stark field and the integer widths that go into it, with the one spelling of each value.
 *
 * Poseidon (and starknet.js's `computePoseidonHashOnElements`) silently reduces an input ≥ P modulo
 * P, so `x` and `x + P` hash alike: every value is range-checked here before it reaches a hash.
 *
 * Spelling, decided once: a felt in a proof document is canonical lowercase hex, `0x` then no
 * leading zeros (`0x0` for zero), and anything else is refused rather than normalised. A padded
 * or upper-case spelling would parse to the same value, so accepting it would not let a different
 * value verify; refusing it keeps one document per proof, so two proofs can be compared as text
 * and a hand-edited document is caught at once. Integers in plain fields are canonical decimals
 * (no sign unless signed, no leading zeros, no "-0") for the same reason: the SHA-256 of a leaf's
 * fields is taken over their text, so one value must have one text.
 */
import { AnchoringError, AnchoringErrorCode } from './errors.js'

/** The Stark prime, 2^251 + 17·2^192 + 1: every felt252 is in [0, P). */
export const FIELD_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n

/** Exclusive upper bounds of the unsigned widths a leaf uses. */
export const U32_LIMIT = 2n ** 32n
export const U64_LIMIT = 2n ** 64n
export const U128_LIMIT = 2n ** 128n

/** 0x, then 1 to 63 hex digits: P < 16^63, and the no-leading-zero rule is checked after. */
const FELT_HEX = /^0x(0|[1-9a-f][0-9a-f]{0,62})$/

/** Canonical decimal integers; 78 digits is more than any width used here (2^256 has 78). */
const UNSIGNED_DECIMAL = /^(0|[1-9][0-9]{0,77})$/
const SIGNED_DECIMAL = /^-?(0|[1-9][0-9]{0,77})$/

/** Refuses anything that is not a bigint in [0, P). */
export function assertFelt(value: bigint, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= FIELD_PRIME) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidFelt,
      `${name} must be a felt in [0, P), got ${String(value)}`,
    )
  }
  return value
}

/** Refuses anything that is not a bigint in [0, limit). */
export function assertUnsigned(value: bigint, limit: bigint, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= limit) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidInteger,
      `${name} must be an integer in [0, ${limit}), got ${String(value)}`,
    )
  }
  return value
}

/** The canonical spelling of a felt: lowercase hex, `0x`, no leading zeros. */
export function feltToHex(value: bigint): string {
  return `0x${assertFelt(value, 'felt').toString(16)}`
}

/** Parses a felt from its canonical spelling only (see the module comment); refuses ≥ P. */
export function parseFeltHex(text: unknown, name = 'felt'): bigint {
  if (typeof text !== 'string' || !FELT_HEX.test(text)) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidFelt,
      `${name} must be lowercase 0x hex without leading zeros, got ${describe(text)}`,
    )
  }
  return assertFelt(BigInt(text), name)
}

/** Parses a canonical unsigned decimal in [0, limit). */
export function parseUnsignedDecimal(text: unknown, limit: bigint, name: string): bigint {
  if (typeof text !== 'string' || !UNSIGNED_DECIMAL.test(text)) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidInteger,
      `${name} must be a decimal string without sign or leading zeros, got ${describe(text)}`,
    )
  }
  return assertUnsigned(BigInt(text), limit, name)
}

/** Parses a canonical signed decimal ("-0" refused: zero has no sign). The range is the caller's. */
export function parseSignedDecimal(text: unknown, name: string): bigint {
  if (typeof text !== 'string' || !SIGNED_DECIMAL.test(text) || text === '-0') {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidInteger,
      `${name} must be a decimal string without "+" or leading zeros, got ${describe(text)}`,
    )
  }
  return BigInt(text)
}

/**
 * A Cairo short string ('DM_POSTING_V1'): its ASCII bytes read as a big-endian integer, at most
 * 31 characters so that it fits a felt. Used for the domain tags, which are constants.
 */
export function shortStringFelt(text: string): bigint {
  if (!/^[\x20-\x7e]{1,31}$/.test(text)) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidText,
      `a short string is 1 to 31 printable ASCII characters`,
    )
  }
  let value = 0n
  for (const char of text) value = (value << 8n) | BigInt(char.charCodeAt(0))
  return value
}

/** A short description of a refused input for messages, never more than a few dozen characters. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
