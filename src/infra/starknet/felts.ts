/**
 * Field elements as the node writes them (`0x…` hex strings) and as we hold them (bigint),
 * checked both ways: a value the node sends out of range is a malformed answer, a value we are
 * asked to send out of range is a bug in the caller (Poseidon and the contract would silently
 * reduce it modulo P otherwise).
 */
import { ChainUnavailableError } from './errors.js'

/** The Stark field prime P = 2^251 + 17·2^192 + 1. */
export const FIELD_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n
export const U64_MAX = 2n ** 64n - 1n

const HEX_FELT = /^0x[0-9a-fA-F]{1,64}$/

/** Reads one felt of a node's answer; anything else is a malformed answer. */
export function feltFromNode(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !HEX_FELT.test(value)) {
    throw new ChainUnavailableError(`${what}: malformed answer (expected a hex felt, got ${preview(value)})`)
  }
  const felt = BigInt(value)
  if (felt >= FIELD_PRIME) throw new ChainUnavailableError(`${what}: malformed answer (felt ≥ P)`)
  return felt
}

/** A u64 the contract returns (a felt of its answer that must fit in 64 bits). */
export function u64FromNode(felt: bigint, what: string): bigint {
  if (felt > U64_MAX) throw new ChainUnavailableError(`${what}: malformed answer (not a u64)`)
  return felt
}

/** The result array of a `starknet_call`, of exactly `length` felts. */
export function feltsFromNode(value: unknown, length: number, what: string): bigint[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw new ChainUnavailableError(
      `${what}: malformed answer (expected ${length} felts, got ${preview(value)})`,
    )
  }
  return value.map((item) => feltFromNode(item, what))
}

export function requireU64(value: bigint, name: string, min = 0n): bigint {
  if (typeof value !== 'bigint' || value < min || value > U64_MAX) {
    throw new RangeError(`${name} must be a bigint between ${min} and 2^64-1`)
  }
  return value
}

export function requireFelt(value: bigint, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= FIELD_PRIME) {
    throw new RangeError(`${name} must be a bigint in [0, P) (the Stark field)`)
  }
  return value
}

/** A contract or account address, or a transaction hash, given to us as text. */
export function parseHexFelt(text: string, name: string): bigint {
  if (!HEX_FELT.test(text)) throw new RangeError(`${name} must be a 0x-prefixed hex felt`)
  return requireFelt(BigInt(text), name)
}

export function toHexFelt(value: bigint): string {
  return `0x${value.toString(16)}`
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}
