/**
 * The Poseidon Merkle tree against OpenZeppelin's Cairo verifier, the independent reference, and
 * against a 5-leaf tree computed by hand.
 *
 * OpenZeppelin vectors: OpenZeppelin/cairo-contracts at commit
 * d7c0466e193d175ec0df75b7a0934837370f6a2d, packages/merkle_tree/src/tests/merkle_proof/common.cairo
 * (LEAVES) and test_with_poseidon.cairo (ROOT, PROOF, the `leaf_hash` helper and the invalid
 * proof), and packages/merkle_tree/src/tests/test_hashes.cairo (the commutative hash of 'a', 'b').
 * Their ROOT and PROOF were computed by @ericnordelo/strk-merkle-tree, a different implementation.
 */
import { describe, expect, it } from 'vitest'
import {
  buildTree,
  buildTreeSteps,
  commutativeHash,
  LEAF_AT_TAG,
  leafNode,
  levelWidths,
  MAX_LEAF_COUNT,
  merkleRoot,
  pathLength,
  processPath,
  proofPath,
  shortStringFelt,
  siblingPositions,
  treeOfNodes,
  U64_LIMIT,
} from '../../src/domain/anchoring/index.js'
import { poseidon } from '../../src/domain/anchoring/poseidon.js'
import { codeOf } from './anchoring-errors.js'

// common.cairo LEAVES(): (address, amount)
const OZ_LEAVES: [bigint, bigint][] = [
  [0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc8n, 0xfc104e31d098d1ab488fc1acaeb0269n],
  [0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffc66ca5c000n, 0xfc104e31d098d1ab488fc1acaeb0269n],
  [0x6a1f098854799debccf2d3c4059ff0f02dbfef6673dc1fcbfffffffffffffc8n, 0xfc104e31d098d1ab488fc1acaeb0269n],
  [0xfa6541b7909bfb5e8585f1222fcf272eea352c7e0e8ed38c988bd1e2a85e82n, 0xaa8565d732c2c9fa5f6c001d89d5c219n],
]
const OZ_ROOT = 0x013f43fdca44b32f5334414b385b46aa1016d0172a1f066eab4cc93636426fccn
const OZ_PROOF = [
  0x05b151ebb9201ce27c56a70f5d0571ccfb9d9d62f12b8ccab7801ba87ec21a2fn,
  0x2b7d689bd2ff488fd06dfb8eb22f5cdaba1e5d9698d3fabff2f1801852dbb2n,
]

/** test_with_poseidon.cairo's leaf_hash: poseidon_hash_span([poseidon_hash_span([address, amount])]). */
function ozLeafHash([address, amount]: [bigint, bigint]): bigint {
  return poseidon([poseidon([address, amount])])
}

describe('OpenZeppelin vectors', () => {
  const hashes = OZ_LEAVES.map(ozLeafHash)

  it('test_valid_merkle_proof: process_proof(PROOF, leaf 0) is ROOT', () => {
    expect(processPath(hashes[0]!, OZ_PROOF)).toBe(OZ_ROOT)
  })

  it('…and the shortened proof from an internal node reaches ROOT too (why the path length is checked)', () => {
    const noSuchLeaf = commutativeHash(hashes[0]!, OZ_PROOF[0]!)
    expect(processPath(noSuchLeaf, [OZ_PROOF[1]!])).toBe(OZ_ROOT)
  })

  it("test_invalid_merkle_proof: [MULTI_PROOF[0], 'invalid'] does not", () => {
    const invalid = [
      0x044fdc540a81d0189ed30b49d64136f9e8bd499c942ba170404ef0b9406e524cn,
      shortStringFelt('invalid'),
    ]
    expect(processPath(hashes[0]!, invalid)).not.toBe(OZ_ROOT)
  })

  it('test_valid_merkle_multi_proof: leaves 0 and 1 are siblings under ROOT', () => {
    expect(commutativeHash(commutativeHash(hashes[0]!, hashes[1]!), OZ_PROOF[1]!)).toBe(OZ_ROOT)
  })

  it('our layout over the leaf hashes in sorted order (as strk-merkle-tree places them) gives ROOT and PROOF', () => {
    const sorted = [...hashes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const tree = treeOfNodes(sorted)
    expect(tree.root).toBe(OZ_ROOT)
    expect(proofPath(tree, sorted.indexOf(hashes[0]!))).toEqual(OZ_PROOF)
  })

  it("test_hashes.cairo: commutative_hash('b', 'a') = poseidon_hash_span(['a', 'b'])", () => {
    const a = shortStringFelt('a')
    const b = shortStringFelt('b')
    expect(commutativeHash(b, a)).toBe(poseidon([a, b]))
    expect(commutativeHash(a, b)).toBe(commutativeHash(b, a))
  })

  it('the pair is compared as integers, not as hex text ("0x9" > "0x10" as text)', () => {
    expect(commutativeHash(0x10n, 0x9n)).toBe(poseidon([0x9n, 0x10n]))
  })
})

describe('a 5-leaf tree, by hand', () => {
  // Computed with starknet.js's computePoseidonHashOnElements on the literal felts below.
  const leaves = [0x11n, 0x22n, 0x33n, 0x44n, 0x55n]
  const nodes = [
    0x40a4bfaa7bc60754bf309d90824630e1cd675364a585f7fa9d1ef934c84dcb5n,
    0x3abe44b355a4d9e723014a4f6747ca05678cc7e981b77c0246dfd5f93ae5049n,
    0x4ec85eaca36c04da0f2d742aeefbca84c2769f8dee78d1af4b485076be84ba0n,
    0x5e894c8744df9d7e18cb0c13ead9c0449b3590c54b787fdd76e9b5822f9bf5n,
    0x64765f0926577fc8385a647ce9d5a5eb7d3479d96585e539ea38e4993983171n,
  ]
  const h01 = 0x3b5533dffc3ae0e99513f99f4540c0dd077728094e1dd84295176cf9ecc2dacn
  const h23 = 0x29df7528737a382adfdead5fc0c2d435e7812f31b5591112ba972dbfe51705n
  const h0123 = 0xda0bd13905a1654462410cde807b8a5b36b40376a0c2ffe0f5d34c88dd4e88n
  const root = 0x480ce941a51467f05467fbdfcad3c3691fb6a4f17d1867369d3eb59947cea32n

  it("level 0: poseidon(['DM_LEAF_AT_V1', i·2^64 + 5, leaf])", () => {
    expect(LEAF_AT_TAG).toBe(0x444d5f4c4541465f41545f5631n)
    expect(leaves.map((leaf, i) => leafNode(leaf, i, 5))).toEqual(nodes)
    expect(leafNode(0x55n, 4, 5)).toBe(poseidon([LEAF_AT_TAG, 4n * U64_LIMIT + 5n, 0x55n]))
  })

  it('levels: pairs, the lone fifth node promoted twice; the root', () => {
    const tree = buildTree(leaves)
    expect(tree.levels).toEqual([nodes, [h01, h23, nodes[4]], [h0123, nodes[4]], [root]])
    expect(tree.root).toBe(root)
    expect(tree.leafCount).toBe(5)
    expect(merkleRoot(leaves)).toBe(root)
  })

  it('paths: the promoted leaf has one sibling, the others three', () => {
    const tree = buildTree(leaves)
    expect(proofPath(tree, 0)).toEqual([nodes[1], h23, nodes[4]])
    expect(proofPath(tree, 3)).toEqual([nodes[2], h01, nodes[4]])
    expect(proofPath(tree, 4)).toEqual([h0123])
    expect([0, 1, 2, 3, 4].map((i) => pathLength(i, 5))).toEqual([3, 3, 3, 3, 1])
    for (let i = 0; i < 5; i++) expect(processPath(nodes[i]!, proofPath(tree, i))).toBe(root)
  })
})

describe('layout', () => {
  it('one leaf: the root is its level-0 node, the path empty', () => {
    const tree = buildTree([0x7n])
    expect(tree.root).toBe(leafNode(0x7n, 0, 1))
    expect(proofPath(tree, 0)).toEqual([])
    expect(pathLength(0, 1)).toBe(0)
  })

  it('[a,b,c] and [a,b,c,0] have different roots, and so do [a,b] and [b,a]', () => {
    expect(merkleRoot([1n, 2n, 3n])).not.toBe(merkleRoot([1n, 2n, 3n, 0n]))
    expect(merkleRoot([1n, 2n])).not.toBe(merkleRoot([2n, 1n]))
    // Without the placement, a promoted node would make [H(a,b), c] and [a, b, c] share a root.
    expect(treeOfNodes([commutativeHash(1n, 2n), 3n]).root).toBe(treeOfNodes([1n, 2n, 3n]).root)
  })

  it('path lengths match the built paths for every index of every size up to 40', () => {
    for (let n = 1; n <= 40; n++) {
      const tree = treeOfNodes(Array.from({ length: n }, (_, i) => BigInt(i + 1)))
      for (let i = 0; i < n; i++) expect(proofPath(tree, i)).toHaveLength(pathLength(i, n))
    }
  })

  it('path lengths of a large tree, beyond 2^31 (no 32-bit bit operators)', () => {
    expect(pathLength(0, MAX_LEAF_COUNT)).toBe(32)
    expect(pathLength(MAX_LEAF_COUNT - 1, MAX_LEAF_COUNT)).toBe(32)
    expect(pathLength(2 ** 31, 2 ** 31 + 1)).toBe(1)
    // Sibling 2^31, then 2^30 + 1, then lone up to the top level, where it meets node 0.
    expect(pathLength(2 ** 31 + 1, 2 ** 31 + 3)).toBe(3)
    expect(pathLength(6, 7)).toBe(2)
  })

  it('refuses an empty tree, an index outside it and a count beyond the ceiling', () => {
    expect(codeOf(() => buildTree([]))).toBe('invalid_tree')
    expect(codeOf(() => treeOfNodes([]))).toBe('invalid_tree')
    const tree = buildTree([1n, 2n, 3n])
    for (const index of [-1, 3, 1.5, Number.NaN])
      expect(codeOf(() => proofPath(tree, index))).toBe('invalid_tree')
    expect(codeOf(() => pathLength(0, 0))).toBe('invalid_tree')
    expect(codeOf(() => pathLength(0, MAX_LEAF_COUNT + 1))).toBe('invalid_tree')
    expect(() => leafNode(1n, 5, 5)).toThrow('index must be an integer in [0, 5), got 5')
    expect(() => buildTree([])).toThrow(`leaf_count must be an integer in [1, ${MAX_LEAF_COUNT}], got 0`)
  })

  it('refuses a leaf, node or path element ≥ P', () => {
    const P = 2n ** 251n + 17n * 2n ** 192n + 1n
    expect(codeOf(() => buildTree([1n, P]))).toBe('invalid_felt')
    expect(codeOf(() => treeOfNodes([P]))).toBe('invalid_felt')
    expect(() => treeOfNodes([P])).toThrow('node must be a felt in [0, P)')
    expect(() => buildTree([P])).toThrow('leaf must be a felt in [0, P)')
    expect(codeOf(() => processPath(1n, [P]))).toBe('invalid_felt')
  })
})

describe('buildTreeSteps', () => {
  it('yields after every chunk of hashes and returns the same tree as buildTree', () => {
    const leaves = Array.from({ length: 7 }, (_, i) => BigInt(i + 100))
    const steps = buildTreeSteps(leaves, 3)
    const yielded: number[] = []
    let step = steps.next()
    while (!step.done) {
      yielded.push(step.value)
      step = steps.next()
    }
    // 7 placements, then 3 + 2 + 1 = 6 pair hashes (13 in all): a yield at every third.
    expect(yielded).toEqual([3, 6, 9, 12])
    expect(step.value).toEqual(buildTree(leaves))
  })

  it('a promoted node is no hash, so it does not count', () => {
    const steps = buildTreeSteps([1n, 2n, 3n, 4n, 5n], 2)
    const yielded: number[] = []
    for (let step = steps.next(); !step.done; step = steps.next()) yielded.push(step.value)
    // 5 placements, then 2 + 1 + 1 = 4 pair hashes (the fifth node is promoted twice).
    expect(yielded).toEqual([2, 4, 6, 8])
  })

  it('with the default chunk, a small tree is built without a yield', () => {
    const step = buildTreeSteps([1n, 2n, 3n]).next()
    expect(step.done).toBe(true)
    expect(step.value).toEqual(buildTree([1n, 2n, 3n]))
  })

  it('refuses an empty list at the first step', () => {
    expect(codeOf(() => buildTreeSteps([]).next())).toBe('invalid_tree')
  })
})

describe('the layout, for stores that keep the levels themselves', () => {
  it('names exactly the nodes proofPath takes, and the width of every level', () => {
    for (let count = 1; count <= 40; count++) {
      const tree = buildTree(Array.from({ length: count }, (_, i) => BigInt(i + 1)))
      expect(levelWidths(count)).toEqual(tree.levels.map((level) => level.length))
      for (let index = 0; index < count; index++) {
        const nodes = siblingPositions(index, count).map(
          ({ level, position }) => tree.levels[level]?.[position],
        )
        expect(nodes, `leaf ${index} of ${count}`).toEqual(proofPath(tree, index))
      }
    }
    expect(() => siblingPositions(3, 3)).toThrow()
    expect(() => levelWidths(0)).toThrow()
  })
})
