/**
 * A Poseidon Merkle tree that OpenZeppelin's Cairo `verify_poseidon` accepts
 * (packages/merkle_tree in OpenZeppelin/cairo-contracts): an internal node is the commutative hash
 * `poseidon([min(a, b), max(a, b)])`, comparing felts as integers, and a proof is the list of
 * siblings from the bottom up. Commutative, so a proof needs no left/right flags.
 *
 * Layout, decided here: level 0 holds one node per leaf, in batch order (postings by seq, then
 * records by seq; never sorted, so a leaf's index is its place in the batch). Each next level pairs
 * nodes (0, 1), (2, 3), …; an odd level's last node has no sibling and is promoted unchanged (no
 * duplicate, no zero padding). So a path's length depends on (index, leaf_count), given by
 * `pathLength`, and a verifier refuses a path of any other length.
 *
 * Binding the index and the leaf count. The chain stores (root, leaf_count), so a count the proof
 * misstates is caught against the chain. That alone does not fix the index (with a commutative
 * hash, leaves 0 and 1 of a pair have the same path), nor does it catch, offline, a count that
 * gives the same path length. So the level-0 node of leaf i is not the leaf itself but
 * `poseidon([LEAF_AT tag, i·2^64 + leaf_count, leaf])` (`leafNode`): a proof verifies only at
 * the index and count it was built for, offline already, and `[a,b,c]` and `[a,b,c,0]` (which
 * differ anyway) cannot share a node. It is a 3-element hash: distinct from an internal node (2
 * elements) and a leaf (8) by Poseidon's length padding, so no node can pass for another kind.
 * For OpenZeppelin's verifier (and the contract's `verify`), the "leaf" is this level-0 node.
 */
import { AnchoringError, AnchoringErrorCode } from './errors.js'
import { assertFelt, shortStringFelt, U64_LIMIT } from './field.js'
import { poseidon } from './poseidon.js'

/** Domain tag of a leaf placed in a tree at an index. */
export const LEAF_AT_TAG = shortStringFelt('DM_LEAF_AT_V1')

/**
 * The most leaves one tree takes: 2^32, so a path has at most 32 siblings and a proof document
 * cannot make the verifier loop for long. A batch is closed every N postings, far below this.
 */
export const MAX_LEAF_COUNT = 2 ** 32

export interface MerkleTree {
  readonly leafCount: number
  /** levels[0] are the level-0 nodes (leafNode of each leaf); the last level is [root]. */
  readonly levels: readonly (readonly bigint[])[]
  readonly root: bigint
}

/** OpenZeppelin's PoseidonCHasher::commutative_hash: poseidon of the pair, smaller first. */
export function commutativeHash(a: bigint, b: bigint): bigint {
  // Stryker disable next-line EqualityOperator: when a = b both orders are the same pair
  return a < b ? poseidon([a, b]) : poseidon([b, a])
}

function checkCount(leafCount: number): void {
  if (!Number.isSafeInteger(leafCount) || leafCount < 1 || leafCount > MAX_LEAF_COUNT) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidTree,
      `leaf_count must be an integer in [1, ${MAX_LEAF_COUNT}], got ${leafCount}`,
    )
  }
}

function checkIndex(index: number, leafCount: number): void {
  checkCount(leafCount)
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafCount) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidTree,
      `index must be an integer in [0, ${leafCount}), got ${index}`,
    )
  }
}

/** The level-0 node of `leaf` at `index` in a tree of `leafCount` leaves (see the module comment). */
export function leafNode(leaf: bigint, index: number, leafCount: number): bigint {
  checkIndex(index, leafCount)
  return poseidon([LEAF_AT_TAG, BigInt(index) * U64_LIMIT + BigInt(leafCount), assertFelt(leaf, 'leaf')])
}

/** Builds the tree over leaves in batch order; an empty list is refused (a batch is never empty). */
export function buildTree(leaves: readonly bigint[]): MerkleTree {
  return runSteps(buildTreeSteps(leaves))
}

/**
 * buildTree in steps, for a caller that must not hold its thread for the whole build: a
 * 10,000-leaf tree is ~20,000 Poseidon calls, seconds of CPU here (bench/anchoring.ts), which
 * would stall an API sharing the process. The generator yields after every `chunk` hashes (the
 * number done so far) and returns the tree; the caller resumes it when it likes (e.g. after
 * `await setImmediate()`). The same work and result as buildTree, which runs it straight through.
 */
export function* buildTreeSteps(leaves: readonly bigint[], chunk = 256): Generator<number, MerkleTree> {
  checkCount(leaves.length)
  const nodes: bigint[] = []
  for (const [i, leaf] of leaves.entries()) {
    nodes.push(leafNode(leaf, i, leaves.length))
    if (nodes.length % chunk === 0) yield nodes.length
  }
  return yield* treeOfNodesSteps(nodes, chunk, nodes.length)
}

/**
 * The layout alone: levels over given level-0 nodes, pairing (0, 1), (2, 3), … and promoting an
 * odd level's last node. buildTree places the leaves first; this is exported so that the layout
 * can be checked against OpenZeppelin's vectors, whose level-0 nodes are bare leaf hashes.
 */
export function treeOfNodes(nodes: readonly bigint[]): MerkleTree {
  return runSteps(treeOfNodesSteps(nodes, Number.POSITIVE_INFINITY, 0))
}

function* treeOfNodesSteps(
  nodes: readonly bigint[],
  chunk: number,
  done: number,
): Generator<number, MerkleTree> {
  checkCount(nodes.length)
  const levels: (readonly bigint[])[] = [nodes.map((node) => assertFelt(node, 'node'))]
  let level = levels[0] as readonly bigint[]
  let hashes = done
  while (level.length > 1) {
    const next: bigint[] = []
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as bigint
      const right = level[i + 1]
      next.push(right === undefined ? left : commutativeHash(left, right))
      if (right !== undefined && ++hashes % chunk === 0) yield hashes
    }
    levels.push(next)
    level = next
  }
  return { leafCount: nodes.length, levels, root: level[0] as bigint }
}

function runSteps<T>(steps: Generator<number, T>): T {
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/** The other node of a pair; arithmetic, not `^ 1`: bit operators wrap at 2^31. */
function siblingOf(position: number): number {
  return position % 2 === 0 ? position + 1 : position - 1
}

/** The siblings of leaf `index` from the bottom up: what OpenZeppelin's verifier takes as `proof`. */
export function proofPath(tree: MerkleTree, index: number): bigint[] {
  checkIndex(index, tree.leafCount)
  const path: bigint[] = []
  let position = index
  // The root's level is walked too: its one node has no sibling, so it adds nothing.
  for (const level of tree.levels) {
    const sibling = level[siblingOf(position)]
    if (sibling !== undefined) path.push(sibling)
    position = Math.floor(position / 2)
  }
  return path
}

/** The number of nodes on each level, leaves first, up to the root's level of one. */
export function levelWidths(leafCount: number): number[] {
  checkCount(leafCount)
  const widths = [leafCount]
  for (let width = leafCount; width > 1; ) {
    width = Math.ceil(width / 2)
    widths.push(width)
  }
  return widths
}

/**
 * Where the siblings of leaf `index` stand in a tree of `leafCount` leaves, bottom up: the nodes
 * proofPath takes, for a caller that keeps the levels elsewhere (the batch store reads just these
 * from the database). A lone last node has no sibling on its level.
 */
export function siblingPositions(index: number, leafCount: number): { level: number; position: number }[] {
  checkIndex(index, leafCount)
  const positions: { level: number; position: number }[] = []
  let position = index
  for (const [level, width] of levelWidths(leafCount).entries()) {
    if (siblingOf(position) < width) positions.push({ level, position: siblingOf(position) })
    position = Math.floor(position / 2)
  }
  return positions
}

/** How many siblings the path of leaf `index` has in a tree of `leafCount` leaves. */
export function pathLength(index: number, leafCount: number): number {
  return siblingPositions(index, leafCount).length
}

/** OpenZeppelin's process_proof: folds the path into a root from the level-0 node. */
export function processPath(node: bigint, path: readonly bigint[]): bigint {
  return path.reduce(
    (computed, sibling) => commutativeHash(computed, assertFelt(sibling, 'path element')),
    node,
  )
}

/** The root a tree over `leaves` has, without keeping its levels. */
export function merkleRoot(leaves: readonly bigint[]): bigint {
  return buildTree(leaves).root
}
