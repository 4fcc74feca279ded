/**
 * Proof documents: one built for a batch of postings and records verifies, and every kind of
 * tampering or malformation is an `ok: false` with its code, never an exception.
 */
import { describe, expect, it } from 'vitest'
import {
  buildTree,
  FIELD_PRIME,
  feltToHex,
  isAnchoringError,
  type LeafInput,
  leafNode,
  leafOf,
  MAX_LEAF_COUNT,
  type ProofDocument,
  processPath,
  proofDocument,
  verifyProof,
} from '../../src/domain/anchoring/index.js'

const MARKET = '5f0c2a9e-1b3d-4e6f-9a8b-7c6d5e4f3a2b'

/** A batch as the design lays it out: postings in seq order, then records in seq order. */
const BATCH: LeafInput[] = [
  {
    kind: 'posting',
    seq: 11n,
    entryId: 5n,
    accountId: 2n,
    amount: -1_000_000n,
    createdAtUs: 1_764_547_200_000_001n,
  },
  {
    kind: 'posting',
    seq: 12n,
    entryId: 5n,
    accountId: 9n,
    amount: 1_000_000n,
    createdAtUs: 1_764_547_200_000_001n,
  },
  {
    kind: 'posting',
    seq: 13n,
    entryId: 6n,
    accountId: 2n,
    amount: 250n,
    createdAtUs: 1_764_547_200_500_000n,
  },
  {
    kind: 'decision',
    seq: 1n,
    marketId: MARKET,
    agentId: null,
    chosenBranchIndex: 0,
    decidedAtUs: 1_764_547_201_000_000n,
    record: { reason: 'below_threshold', scores: [0.5, 0.51], volume: 123n },
  },
  {
    kind: 'resolution',
    seq: 2n,
    marketId: MARKET,
    branchIndex: 0,
    outcome: '42.5',
    resolvedAtUs: 1_764_547_202_000_000n,
    record: { evidence: null },
  },
]
const TREE = buildTree(BATCH.map((input) => leafOf(input).hash))
const DOCS = BATCH.map((input, index) => proofDocument({ input, tree: TREE, index, batchId: 7n }))

function withChange(doc: ProofDocument, change: Record<string, unknown>): unknown {
  return { ...structuredClone(doc), ...change }
}

describe('a proof document', () => {
  it('carries plain JSON: it survives JSON.stringify and parse and still verifies', () => {
    for (const doc of DOCS) {
      const parsed = JSON.parse(JSON.stringify(doc))
      expect(parsed).toEqual(doc)
      expect(verifyProof(parsed)).toEqual({
        ok: true,
        root: TREE.root,
        leafCount: 5n,
        batchId: 7n,
        leaf: BigInt(doc.leaf),
      })
    }
  })

  it('of a posting, in full', () => {
    const doc = DOCS[1]!
    expect(doc).toEqual({
      version: 1,
      kind: 'posting',
      fields: {
        seq: '12',
        entry_id: '5',
        account_id: '9',
        amount: '1000000',
        created_at_us: '1764547200000001',
      },
      leaf: feltToHex(leafOf(BATCH[1]!).hash),
      index: 1,
      leaf_count: 5,
      path: [TREE.levels[0]![0]!, TREE.levels[1]![1]!, TREE.levels[2]![1]!].map(feltToHex),
      root: feltToHex(TREE.root),
      batch_id: '7',
    })
  })

  it('of a decision: the record with its bigint as a decimal string', () => {
    expect(DOCS[3]!.fields.record).toEqual({ reason: 'below_threshold', scores: [0.5, 0.51], volume: '123' })
  })

  it('is not built for a leaf the tree does not hold there', () => {
    let code = ''
    try {
      proofDocument({ input: BATCH[0]!, tree: TREE, index: 1, batchId: 7n })
    } catch (error) {
      if (isAnchoringError(error)) code = error.code
    }
    expect(code).toBe('invalid_tree')
    expect(() => proofDocument({ input: BATCH[0]!, tree: TREE, index: 1, batchId: 7n })).toThrow(
      `leaf ${DOCS[0]!.leaf} is not at index 1 of this tree`,
    )
    expect(() => proofDocument({ input: BATCH[0]!, tree: TREE, index: 0, batchId: -1n })).toThrow(
      'batch_id must be an integer in [0, 18446744073709551616)',
    )
    expect(() => proofDocument({ input: BATCH[0]!, tree: TREE, index: 0, batchId: 0n })).toThrow(
      'batch_id must be at least 1',
    )
  })
})

describe('verifyProof refuses', () => {
  const posting = DOCS[0]!
  const decision = DOCS[3]!

  it.each([
    ['not an object', 'proof', 'a proof document is a JSON object'],
    ['null', null, 'a proof document is a JSON object'],
    ['an array', [posting], 'a proof document is a JSON object'],
    ['version 2', withChange(posting, { version: 2 }), 'version must be 1, got number'],
    ['version "1"', withChange(posting, { version: '1' }), 'version must be 1, got "1"'],
    [
      'an unknown kind',
      withChange(posting, { kind: 'trade' }),
      'kind must be one of posting, decision, resolution',
    ],
    [
      'a missing key',
      (({ batch_id: _, ...rest }) => rest)(posting),
      'a proof document has exactly the keys batch_id, fields, index, kind, leaf, leaf_count, path, root, version',
    ],
    ['an extra key', withChange(posting, { note: 'x' }), 'a proof document has exactly the keys'],
    ['fields not an object', withChange(posting, { fields: 'seq=11' }), 'fields must be an object'],
    ['fields null', withChange(posting, { fields: null }), 'fields must be an object'],
    ['fields an array', withChange(posting, { fields: [] }), 'fields must be an object'],
    ['path not an array', withChange(posting, { path: posting.path.join(',') }), 'path must be an array'],
    ['index a string', withChange(posting, { index: '0' }), 'index and leaf_count must be integers'],
    ['index fractional', withChange(posting, { index: 0.5 }), 'index and leaf_count must be integers'],
    ['leaf_count a bigint', withChange(posting, { leaf_count: 5n }), 'index and leaf_count must be integers'],
    [
      'a padded leaf',
      withChange(posting, { leaf: posting.leaf.replace('0x', '0x00') }),
      'leaf must be lowercase',
    ],
    [
      'an upper-case root',
      withChange(posting, { root: posting.root.toUpperCase().replace('0X', '0x') }),
      'root must be lowercase',
    ],
    [
      'a padded path element',
      withChange(posting, { path: [`0x0${posting.path[0]!.slice(2)}`, ...posting.path.slice(1)] }),
      'path[0] must be lowercase',
    ],
    [
      'a path element ≥ P',
      withChange(posting, { path: [posting.path[0], `0x${FIELD_PRIME.toString(16)}`, posting.path[2]] }),
      'path[1] must be a felt in [0, P)',
    ],
    [
      'a path element as a number',
      withChange(posting, { path: [1, ...posting.path.slice(1)] }),
      'path[0] must be lowercase 0x hex without leading zeros, got number',
    ],
    [
      'a decimal batch id with a sign',
      withChange(posting, { batch_id: '+7' }),
      'batch_id must be a decimal string',
    ],
    [
      'a batch id ≥ 2^64',
      withChange(posting, { batch_id: (2n ** 64n).toString() }),
      'batch_id must be an integer',
    ],
    ['a numeric batch id', withChange(posting, { batch_id: 7 }), 'batch_id must be a decimal string'],
    [
      'batch 0, which the chain never holds',
      withChange(posting, { batch_id: '0' }),
      'batch_id must be at least 1',
    ],
  ])('%s: malformed', (_name, doc, reason) => {
    const result = verifyProof(doc)
    expect(result).toMatchObject({ ok: false, code: 'malformed' })
    if (!result.ok) expect(result.reason).toContain(reason)
  })

  it.each([
    ['index = leaf_count', { index: 5 }],
    ['a negative index', { index: -1 }],
    ['leaf_count 0', { leaf_count: 0 }],
    ['leaf_count beyond the ceiling', { leaf_count: MAX_LEAF_COUNT + 1 }],
    ['an extra 0 in the path', { path: [...posting.path, '0x0'] }],
    ['a path one short', { path: posting.path.slice(0, -1) }],
    ['leaf_count 3 (two siblings, not three)', { leaf_count: 3 }],
  ])('%s: bad_position', (_name, change) => {
    const result = verifyProof(withChange(posting, change))
    expect(result).toMatchObject({ ok: false, code: 'bad_position' })
  })

  it('the OpenZeppelin second-preimage trick: an internal node as the leaf with the shortened path', () => {
    const forged = withChange(posting, { leaf: feltToHex(TREE.levels[1]![0]!), path: posting.path.slice(1) })
    expect(verifyProof(forged).ok).toBe(false)
  })

  it.each([
    ['an amount', { amount: '-1000001' }],
    ['a seq', { seq: '12' }],
    ['an account', { account_id: '3' }],
    ['a time, by one microsecond', { created_at_us: '1764547200000002' }],
  ])('a tampered posting field (%s): leaf_mismatch', (_name, change) => {
    const result = verifyProof(withChange(posting, { fields: { ...posting.fields, ...change } }))
    expect(result).toMatchObject({ ok: false, code: 'leaf_mismatch' })
  })

  it('a tampered record (one score), or a memo added to it: leaf_mismatch', () => {
    const fields = structuredClone(decision.fields) as { record: { scores: number[]; memo?: string } }
    fields.record.scores[1] = 0.52
    expect(verifyProof(withChange(decision, { fields }))).toMatchObject({ ok: false, code: 'leaf_mismatch' })
    const memo = structuredClone(decision.fields) as { record: { memo?: string } }
    memo.record.memo = 'x'
    expect(verifyProof(withChange(decision, { fields: memo }))).toMatchObject({
      ok: false,
      code: 'leaf_mismatch',
    })
  })

  it('tampered fields AND the leaf restated to match: root_mismatch', () => {
    const fields = { ...posting.fields, amount: '-2000000' }
    const leaf = feltToHex(
      leafOf({ ...(BATCH[0] as LeafInput & { kind: 'posting' }), amount: -2_000_000n }).hash,
    )
    expect(verifyProof(withChange(posting, { fields, leaf }))).toMatchObject({
      ok: false,
      code: 'root_mismatch',
    })
  })

  it.each([
    ['padded seq', { seq: '011' }],
    ['a missing field', { seq: undefined }],
    ['an extra field', { memo: 'x' }],
  ])('fields with %s: bad_fields', (_name, change) => {
    const fields = JSON.parse(JSON.stringify({ ...posting.fields, ...change }))
    expect(verifyProof(withChange(posting, { fields }))).toMatchObject({ ok: false, code: 'bad_fields' })
  })

  it('fields of another kind: bad_fields', () => {
    expect(verifyProof(withChange(posting, { kind: 'decision' }))).toMatchObject({
      ok: false,
      code: 'bad_fields',
    })
  })

  it.each([
    ['index 1', { index: 1 }],
    ['index 2', { index: 2 }],
    ['leaf_count 8', { leaf_count: 8 }],
    ['leaf_count 6', { leaf_count: 6 }],
    ['another root', { root: DOCS[1]!.leaf }],
    ['the path reordered', { path: [posting.path[1], posting.path[0], posting.path[2]] }],
    ['a path element changed', { path: ['0x1', ...posting.path.slice(1)] }],
  ])('%s (same path length, so only the hash can tell): root_mismatch', (_name, change) => {
    expect(verifyProof(withChange(posting, change))).toMatchObject({ ok: false, code: 'root_mismatch' })
  })

  it('another batch id still verifies offline: only the chain binds the batch', () => {
    expect(verifyProof(withChange(posting, { batch_id: '8' }))).toMatchObject({ ok: true, batchId: 8n })
  })

  it('never throws: a record nested too deep for the stack is refused, as is a getter that throws', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const result = verifyProof(withChange(decision, { fields: { ...decision.fields, record: deep } }))
    expect(result).toMatchObject({
      ok: false,
      code: 'bad_fields',
      reason: 'Maximum call stack size exceeded',
    })
    const hostile = {
      ...decision,
      get fields(): never {
        throw new Error('boom')
      },
    }
    expect(verifyProof(hostile)).toEqual({
      ok: false,
      code: 'malformed',
      reason: 'the document could not be read: boom',
    })
  })

  it('reasons name what is wrong', () => {
    expect(verifyProof(withChange(posting, { leaf_count: 0 }))).toMatchObject({
      reason: `leaf_count must be in [1, ${MAX_LEAF_COUNT}]`,
    })
    // The largest count is taken: then the path is the one that is wrong.
    expect(verifyProof(withChange(posting, { leaf_count: MAX_LEAF_COUNT }))).toMatchObject({
      reason: `leaf 0 of ${MAX_LEAF_COUNT} has a path of 32 siblings, the document has 3`,
    })
    const fields = { ...posting.fields, amount: '-7' }
    expect(verifyProof(withChange(posting, { fields }))).toMatchObject({
      reason: expect.stringMatching(/^the fields hash to 0x[0-9a-f]+, the document states 0x[0-9a-f]+$/),
    })
    expect(verifyProof(withChange(posting, { index: 1 }))).toMatchObject({
      reason: `the path leads to ${feltToHex(processPath(leafNode(BigInt(posting.leaf), 1, 5), posting.path.map(BigInt)))}, the document states ${posting.root}`,
    })
    expect(verifyProof(withChange(posting, { index: 5 }))).toEqual({
      ok: false,
      code: 'bad_position',
      reason: 'index 5 is not below leaf_count 5',
    })
    expect(verifyProof(withChange(posting, { path: [] }))).toEqual({
      ok: false,
      code: 'bad_position',
      reason: 'leaf 0 of 5 has a path of 3 siblings, the document has 0',
    })
  })
})
