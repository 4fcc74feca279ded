/**
 * Canonical JSON and its SHA-256, split into the two u128 limbs a leaf carries.
 *
 * The felts of a leaf hold a few fixed fields (sequence, ids, amount, time); everything else a
 * record says (a decision's prior, every branch's score, the rule's parameters, its reason; a
 * resolution's evidence) is bound to the chain only through the SHA-256 of the canonical JSON of
 * the leaf's plain fields. That digest is the one way a field outside the felts is proven: change
 * a memo or one score and the limbs, hence the leaf, change.
 *
 * The form: keys sorted by UTF-16 code units (JavaScript's default sort, as RFC 8785 does), no
 * whitespace, strings and finite numbers as `JSON.stringify` writes them (shortest round-trip
 * numbers, the same escapes as RFC 8785), bigints as decimal strings so that a bigint and its
 * decimal string are one value (a proof's fields carry the string), and a refusal for what JSON
 * cannot say exactly: undefined, NaN and ±Infinity, functions, symbols, cycles and class instances
 * (a Date or a Map would be written as whatever its toJSON happens to give).
 */
import { createHash } from 'node:crypto'
import { AnchoringError, AnchoringErrorCode } from './errors.js'
import { U128_LIMIT } from './field.js'

/** What canonical JSON accepts: JSON values, and bigints written as decimal strings. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | bigint
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }

/** Writes a value as canonical JSON (see the module comment); throws InvalidJson on what it refuses. */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set())
}

function write(value: unknown, path: string, open: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return `"${value.toString()}"`
    case 'number':
      if (!Number.isFinite(value)) throw refused(path, `a non-finite number (${value})`)
      return JSON.stringify(value)
    case 'object':
      if (value === null) return 'null'
      return writeContainer(value, path, open)
    default:
      throw refused(path, typeof value)
  }
}

function writeContainer(value: object, path: string, open: Set<object>): string {
  if (open.has(value)) throw refused(path, 'a cycle')
  open.add(value)
  try {
    if (Array.isArray(value))
      return `[${value.map((item, i) => write(item, `${path}[${i}]`, open)).join(',')}]`
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) throw refused(path, 'an object that is not plain')
    const record = value as Record<string, unknown>
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`, open)}`)
    return `{${members.join(',')}}`
  } finally {
    open.delete(value)
  }
}

function refused(path: string, what: string): AnchoringError {
  return new AnchoringError(
    AnchoringErrorCode.InvalidJson,
    `${path} cannot be written as canonical JSON: ${what}`,
  )
}

/** SHA-256 of a text's UTF-8 bytes, read as a big-endian 256-bit integer. */
export function sha256Int(text: string): bigint {
  // Stryker disable next-line StringLiteral: Node reads an empty encoding as the default, UTF-8
  return BigInt(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`)
}

/** SHA-256 of a text's UTF-8 bytes as two u128 limbs: `hi` the first 16 bytes, `lo` the last 16. */
export function sha256Limbs(text: string): { hi: bigint; lo: bigint } {
  const digest = sha256Int(text)
  return { hi: digest / U128_LIMIT, lo: digest % U128_LIMIT }
}

/** SHA-256 of a value's canonical JSON as two u128 limbs. */
export function canonicalJsonLimbs(value: unknown): { hi: bigint; lo: bigint } {
  return sha256Limbs(canonicalJson(value))
}
