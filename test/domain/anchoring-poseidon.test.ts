/**
 * The hand-written Poseidon (src/domain/anchoring/poseidon.ts) against starknet.js's
 * `hash.computePoseidonHashOnElements` (@scure/starknet's `poseidonHashMany`), the reference it
 * replaced: fixed vectors at the field's edges and every padding case, then random felt arrays.
 * The OpenZeppelin vectors (anchoring-merkle.test.ts) check both against Cairo.
 */
import fc from 'fast-check'
import { hash } from 'starknet'
import { describe, expect, it } from 'vitest'
import { FIELD_PRIME } from '../../src/domain/anchoring/field.js'
import { poseidon } from '../../src/domain/anchoring/poseidon.js'

const P = FIELD_PRIME

function reference(elements: bigint[]): bigint {
  return BigInt(hash.computePoseidonHashOnElements(elements))
}

/** n elements cycling through values that stress the field's edges and the signs of the MDS rows. */
function edgeElements(n: number): bigint[] {
  const edges = [0n, 1n, P - 1n, P - 2n, 2n ** 250n, 2n ** 128n - 1n]
  return Array.from({ length: n }, (_, i) => edges[i % edges.length]!)
}

describe('poseidon matches starknet.js', () => {
  it.each([[[0n]], [[1n]], [[P - 1n]], [[0n, 0n]], [[P - 1n, P - 1n]], [[P - 1n, P - 1n, P - 1n]]])(
    'at the field edges: %s',
    (elements) => {
      expect(poseidon(elements)).toBe(reference(elements))
    },
  )

  it.each(Array.from({ length: 11 }, (_, n) => n))(
    'for %i elements (each padding case, 1 to 6 permutations)',
    (n) => {
      const elements = edgeElements(n)
      expect(poseidon(elements)).toBe(reference(elements))
      const counting = Array.from({ length: n }, (_, i) => BigInt(i + 1))
      expect(poseidon(counting)).toBe(reference(counting))
    },
  )

  it('for the empty span, a fixed value (poseidon_hash_span([]) in Cairo)', () => {
    // The same as the reference's; fixed here too so that a change in both would show.
    expect(poseidon([])).toBe(reference([]))
    expect(poseidon([])).toBe(0x2272be0f580fd156823304800919530eaa97430e972d7213ee13f4fbf7a5dbcn)
  })

  it('returns a canonical felt, in [0, P)', () => {
    for (let n = 0; n <= 6; n++) {
      const value = poseidon(edgeElements(n))
      expect(value >= 0n && value < P).toBe(true)
    }
  })

  it('is a pure function: the state of one call does not leak into the next', () => {
    const first = poseidon([5n, 6n, 7n])
    poseidon(edgeElements(9))
    expect(poseidon([5n, 6n, 7n])).toBe(first)
  })

  it('for random felt arrays of 0 to 12 elements', () => {
    const felts = fc.array(fc.bigInt({ min: 0n, max: P - 1n }), { maxLength: 12 })
    fc.assert(
      fc.property(felts, (elements) => poseidon(elements) === reference(elements)),
      { numRuns: 2000 },
    )
    // starknet.js's reference Poseidon is slow: about a second alone, more on a busy machine.
  }, 60_000)
})
