/**
 * Poseidon over felts, range-checked. starknet.js's `computePoseidonHashOnElements` is the
 * Starknet `poseidon_hash_span` (Hades permutation, rate 2, padded with 1 then 0 to an even
 * length); it reduces an input ≥ P modulo P without a word, so each input is checked first.
 */
import { hash } from 'starknet'
import { assertFelt } from './field.js'

/** poseidon_hash_span(elements) as Cairo computes it, refusing any element outside [0, P). */
export function poseidon(elements: readonly bigint[]): bigint {
  for (const [i, element] of elements.entries()) assertFelt(element, `poseidon input ${i}`)
  return BigInt(hash.computePoseidonHashOnElements(elements as bigint[]))
}
