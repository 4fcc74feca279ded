/**
 * How a batch's Merkle tree is kept in `anchor_batches.tree`: every node, 32 bytes big-endian,
 * level by level from the leaves up to the root, in domain/anchoring's layout (levelWidths,
 * siblingPositions: the store keeps no layout of its own).
 *
 * A proof then needs only the siblings on one path, a few 32-byte slices that PostgreSQL cuts
 * out of the column (`substring`), instead of the batch's postings read and hashed again: for
 * a 10,000-leaf batch that is 14 slices rather than 10,000 rows and ~20,000 hashes.
 */
import { levelWidths, siblingPositions } from '../../domain/anchoring/index.js'

const NODE_BYTES = 32

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
  const starts = [0]
  for (const width of levelWidths(leafCount)) starts.push((starts.at(-1) as number) + width)
  return siblingPositions(index, leafCount).map(
    ({ level, position }) => ((starts[level] as number) + position) * NODE_BYTES + 1,
  )
}

export function nodeFromBytes(bytes: Buffer): bigint {
  if (bytes.length !== NODE_BYTES) throw new RangeError(`a node is ${NODE_BYTES} bytes, not ${bytes.length}`)
  return BigInt(`0x${bytes.toString('hex')}`)
}

export { NODE_BYTES }
