/**
 * Properties of the tree and the proofs over random batches: every index of every tree verifies,
 * and any single change to a leaf field, a path element, the index or the leaf count is refused.
 * Poseidon costs ~0.3 ms a call here, so the run counts are kept small enough for the mutation run.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildTree,
  FIELD_PRIME,
  feltToHex,
  fieldsOf,
  inputFromFields,
  type LeafInput,
  leafNode,
  leafOf,
  pathLength,
  processPath,
  proofDocument,
  proofPath,
  U64_LIMIT,
  U128_LIMIT,
  verifyProof,
} from '../../src/domain/anchoring/index.js'

const felt = fc.bigInt({ min: 0n, max: FIELD_PRIME - 1n })
const u64 = fc.bigInt({ min: 0n, max: U64_LIMIT - 1n })
const uuid = fc.uuid().map((text) => text.toLowerCase())
const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<never>

const posting: fc.Arbitrary<LeafInput> = fc.record({
  kind: fc.constant('posting' as const),
  seq: u64,
  entryId: u64,
  accountId: u64,
  amount: fc.bigInt({ min: -(U128_LIMIT - 1n), max: U128_LIMIT - 1n }),
  createdAtUs: u64,
})
const decision: fc.Arbitrary<LeafInput> = fc.record({
  kind: fc.constant('decision' as const),
  seq: u64,
  marketId: uuid,
  agentId: fc.option(
    uuid.filter((id) => id !== '00000000-0000-0000-0000-000000000000'),
    { nil: null },
  ),
  chosenBranchIndex: fc.integer({ min: 0, max: 15 }),
  decidedAtUs: u64,
  record: json,
})
const resolution: fc.Arbitrary<LeafInput> = fc.record({
  kind: fc.constant('resolution' as const),
  seq: u64,
  marketId: uuid,
  branchIndex: fc.integer({ min: 0, max: 15 }),
  outcome: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
  resolvedAtUs: u64,
  record: json,
})
const leafInput = fc.oneof(posting, decision, resolution)

describe('trees of random felts', () => {
  it('every index of a tree of 1..200 leaves verifies, with a path of the layout length', () => {
    fc.assert(
      // The size is drawn first: fc.array alone keeps to short arrays unless told otherwise.
      fc.property(
        fc.integer({ min: 1, max: 200 }).chain((n) => fc.array(felt, { minLength: n, maxLength: n })),
        (leaves) => {
          const tree = buildTree(leaves)
          leaves.forEach((leaf, i) => {
            const path = proofPath(tree, i)
            expect(path).toHaveLength(pathLength(i, leaves.length))
            expect(processPath(leafNode(leaf, i, leaves.length), path)).toBe(tree.root)
          })
        },
      ),
      { numRuns: 6 },
    )
    // Up to 6 trees of 200 leaves, each hashed and every path folded: seconds on a busy machine.
  }, 30_000)

  it('sizes 1..24 all verify at every index (odd counts at several depths)', () => {
    for (let n = 1; n <= 24; n++) {
      const leaves = Array.from({ length: n }, (_, i) => BigInt(i) * 7919n + 1n)
      const tree = buildTree(leaves)
      for (let i = 0; i < n; i++)
        expect(processPath(leafNode(leaves[i]!, i, n), proofPath(tree, i))).toBe(tree.root)
    }
  })
})

describe('leaves of random records', () => {
  it('fields → input → fields is the identity and the leaf is recomputed from the fields', () => {
    fc.assert(
      fc.property(leafInput, (input) => {
        const fields = JSON.parse(
          JSON.stringify(fieldsOf(input), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
        )
        const back = inputFromFields(input.kind, fields)
        expect(fieldsOf(back)).toEqual(fields)
        expect(leafOf(back).hash).toBe(leafOf(input).hash)
      }),
      { numRuns: 60 },
    )
  })
})

type Tamper = (doc: Record<string, unknown>, doc2: { leafCount: number }) => Record<string, unknown> | null

/** One change to one part of a document; null when the drawn change would be no change. */
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  // A field: replaced by the same field of another random record of the same kind.
  fc.tuple(leafInput, fc.nat()).map(
    ([other, pick]): Tamper =>
      (doc) => {
        if (other.kind !== doc.kind) return null
        const fields = doc.fields as Record<string, unknown>
        const otherFields = JSON.parse(
          JSON.stringify(fieldsOf(other), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
        ) as Record<string, unknown>
        const keys = Object.keys(fields)
        const key = keys[pick % keys.length]!
        if (JSON.stringify(fields[key]) === JSON.stringify(otherFields[key])) return null
        return { ...doc, fields: { ...fields, [key]: otherFields[key] } }
      },
  ),
  // A path element: replaced by another felt.
  fc.tuple(felt, fc.nat()).map(
    ([value, pick]): Tamper =>
      (doc) => {
        const path = doc.path as string[]
        if (path.length === 0) return null
        const at = pick % path.length
        if (path[at] === feltToHex(value)) return null
        return { ...doc, path: path.map((element, i) => (i === at ? feltToHex(value) : element)) }
      },
  ),
  // The index: any other value, inside the tree or not.
  fc.integer({ min: -2, max: 40 }).map(
    (index): Tamper =>
      (doc) =>
        index === doc.index ? null : { ...doc, index },
  ),
  // The leaf count: any other value.
  fc.integer({ min: 0, max: 40 }).map(
    (count): Tamper =>
      (doc) =>
        count === doc.leaf_count ? null : { ...doc, leaf_count: count },
  ),
)

describe('proof documents of random batches', () => {
  it('verify at any index, and fail after any one change of a field, path element, index or count', () => {
    let applied = 0
    fc.assert(
      fc.property(
        fc.array(leafInput, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.array(tamper, { minLength: 1, maxLength: 4 }),
        (batch, pick, tampers) => {
          const tree = buildTree(batch.map((input) => leafOf(input).hash))
          const index = pick % batch.length
          const doc = JSON.parse(
            JSON.stringify(proofDocument({ input: batch[index]!, tree, index, batchId: 1n })),
          )
          expect(verifyProof(doc)).toMatchObject({
            ok: true,
            root: tree.root,
            leafCount: BigInt(batch.length),
          })
          for (const change of tampers) {
            const tampered = change(doc, { leafCount: batch.length })
            if (tampered === null) continue
            applied++
            expect(verifyProof(tampered).ok).toBe(false)
          }
        },
      ),
      { numRuns: 25 },
    )
    // Most drawn changes are real ones (a drawn no-op is skipped, not counted).
    expect(applied).toBeGreaterThan(25)
  })
})
