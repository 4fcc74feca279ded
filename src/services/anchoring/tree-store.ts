/**
 * How a batch's Merkle tree is kept in `anchor_batches.tree`: every node, 32 bytes big-endian,
 * level by level from the leaves up to the root. Level l has ceil(size(l-1) / 2) nodes (the
 * layout of domain/anchoring's tree: pairs (2k, 2k+1), a lone last node carried up unhashed).
 *
 * A proof then needs only the siblings on one path, a few 32-byte slices that PostgreSQL cuts
 * out of the column (`substring`), instead of the batch's postings read and hashed again: for
 * a 10,000-leaf batch that is 14 slices rather than 10,000 rows and ~20,000 hashes.
 */
const NODE_BYTES = 32

/** The number of nodes on each level, leaves first, for a tree of `leafCount` leaves. */
export function levelSizes(leafCount: number): number[] {
  if (!Number.isSafeInteger(leafCount) || leafCount < 1) throw new RangeError('a tree has at least one leaf')
  const sizes = [leafCount]
  while ((sizes.at(-1) as number) > 1) sizes.push(Math.ceil((sizes.at(-1) as number) / 2))
  return sizes
}

export function packTree(levels: readonly (readonly bigint[])[]): Buffer {
  const total = levels.reduce((n, level) => n + level.length, 0)
  const out = Buffer.alloc(total * NODE_BYTES)
  let offset = 0
  for (const level of levels) {
    for (const node of level) {
      out.write(node.toString(16).padStart(NODE_BYTES * 2, '0'), offset, 'hex')
      offset += NODE_BYTES
    }
  }
  return out
}

/**
 * The byte offsets (1-based, for SQL's substring) of the siblings on the path from leaf `index`
 * to the root, in the order a verifier consumes them. A level where the node has no sibling (the
 * lone last node) adds nothing to the path.
 */
export function siblingOffsets(leafCount: number, index: number): number[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafCount) throw new RangeError('no such leaf')
  const sizes = levelSizes(leafCount)
  const offsets: number[] = []
  let start = 0
  let i = index
  for (const size of sizes.slice(0, -1)) {
    const sibling = i ^ 1
    if (sibling < size) offsets.push((start + sibling) * NODE_BYTES + 1)
    start += size
    i >>= 1
  }
  return offsets
}

export function nodeFromBytes(bytes: Buffer): bigint {
  if (bytes.length !== NODE_BYTES) throw new RangeError(`a node is ${NODE_BYTES} bytes, not ${bytes.length}`)
  return BigInt(`0x${bytes.toString('hex')}`)
}

export { NODE_BYTES }
