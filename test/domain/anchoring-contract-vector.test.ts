/**
 * The proof vector written into the Cairo tests (contracts/tests/test_anchor_registry.cairo),
 * recomputed by the TypeScript core. Scarb cannot run here, so this is what keeps the two sides
 * in step: if the core changes a leaf, the layout or the placement, this fails and names the
 * constant to update.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  buildTree,
  feltToHex,
  type LeafInput,
  leafNode,
  leafOf,
  proofPath,
} from '../../src/domain/anchoring/index.js'

const CAIRO = readFileSync(
  new URL('../../contracts/tests/test_anchor_registry.cairo', import.meta.url),
  'utf8',
)

/** The hex felts of a Cairo constant `const NAME: felt252 = 0x…;` or `const NAME: [felt252; n] = [0x…, …];`. */
function constant(name: string): string[] {
  const match = new RegExp(`const ${name}: [^=]+= ([^;]+);`).exec(CAIRO)
  if (!match) throw new Error(`no constant ${name} in the Cairo test`)
  return [...match[1]!.matchAll(/0x[0-9a-f]+/g)].map((m) => feltToHex(BigInt(m[0])))
}

const BATCH: LeafInput[] = [
  {
    kind: 'posting',
    seq: 1n,
    entryId: 1n,
    accountId: 1n,
    amount: -5_000_000n,
    createdAtUs: 1_764_547_200_000_000n,
  },
  {
    kind: 'posting',
    seq: 2n,
    entryId: 1n,
    accountId: 2n,
    amount: 5_000_000n,
    createdAtUs: 1_764_547_200_000_000n,
  },
  { kind: 'posting', seq: 3n, entryId: 2n, accountId: 3n, amount: 42n, createdAtUs: 1_764_547_200_000_001n },
]

describe('the Cairo tests’ proof vector', () => {
  const leaves = BATCH.map((input) => leafOf(input).hash)
  const tree = buildTree(leaves)

  it('root and leaf count', () => {
    expect(constant('ROOT')).toEqual([feltToHex(tree.root)])
    expect(CAIRO).toContain(`const LEAF_COUNT: u64 = ${tree.leafCount};`)
  })

  it('leaf 0: its hash, its placed node, its path', () => {
    expect(constant('LEAF_0')).toEqual([feltToHex(leaves[0]!)])
    expect(constant('NODE_0')).toEqual([feltToHex(leafNode(leaves[0]!, 0, 3))])
    expect(constant('PATH_0')).toEqual(proofPath(tree, 0).map(feltToHex))
  })

  it('leaf 2, promoted: one sibling', () => {
    expect(constant('NODE_2')).toEqual([feltToHex(leafNode(leaves[2]!, 2, 3))])
    expect(constant('PATH_2')).toEqual(proofPath(tree, 2).map(feltToHex))
    expect(constant('PATH_2')).toHaveLength(1)
  })

  it('leaf 0 placed at index 1 (the node that must not verify)', () => {
    expect(constant('NODE_0_AT_1')).toEqual([feltToHex(leafNode(leaves[0]!, 1, 3))])
  })
})
