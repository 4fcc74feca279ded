/**
 * Leaves: fixed vectors written out by hand (the canonical JSON text, its SHA-256 from Python's
 * hashlib, the felts, and the Poseidon hash of those literal felts from starknet.js), the signed
 * amount encoding, and the strict way back from a proof's plain fields.
 */
import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  type DecisionLeafInput,
  decisionFields,
  decisionLeaf,
  decodeSignedAmount,
  encodeSignedAmount,
  FIELD_PRIME,
  fieldsOf,
  inputFromFields,
  LEAF_TAGS,
  type LeafInput,
  leafFromFields,
  leafOf,
  MAX_OUTCOME_LENGTH,
  outcomeFelt,
  type PostingLeafInput,
  postingFields,
  postingLeaf,
  type ResolutionLeafInput,
  resolutionLeaf,
  U64_LIMIT,
  U128_LIMIT,
  uuidToU128,
} from '../../src/domain/anchoring/index.js'
import { poseidon } from '../../src/domain/anchoring/poseidon.js'
import { codeOf } from './anchoring-errors.js'

const POSTING: PostingLeafInput = {
  seq: 1001n,
  entryId: 42n,
  accountId: 7n,
  amount: -2_500_000n,
  createdAtUs: 1_764_547_200_123_456n,
}

const MARKET = '5f0c2a9e-1b3d-4e6f-9a8b-7c6d5e4f3a2b'
const AGENT = '0b9f6c1e-3d2a-4c5b-8e7f-1a2b3c4d5e6f'

const DECISION: DecisionLeafInput = {
  seq: 3n,
  marketId: MARKET,
  agentId: AGENT,
  chosenBranchIndex: 1,
  decidedAtUs: 1_764_547_200_000_000n,
  record: {
    prior: { branch: 0, confidence: 0.7 },
    branches: [
      { index: 0, score: 0.42 },
      { index: 1, score: 0.61 },
    ],
    rule: { threshold_bps: 200 },
    choice: 1,
    reason: 'best_beats_default',
  },
}

const RESOLUTION: ResolutionLeafInput = {
  seq: 4n,
  marketId: MARKET,
  branchIndex: 1,
  outcome: 'YES',
  resolvedAtUs: 1_764_600_000_000_000n,
  record: { resolver: AGENT, evidence: 'https://example.org/report' },
}

describe('tags', () => {
  it('are Cairo short strings', () => {
    expect(LEAF_TAGS.posting).toBe(0x444d5f504f5354494e475f5631n) // 'DM_POSTING_V1'
    expect(LEAF_TAGS.decision).toBe(0x444d5f4445434953494f4e5f5631n) // 'DM_DECISION_V1'
    expect(LEAF_TAGS.resolution).toBe(0x444d5f5245534f4c5554494f4e5f5631n) // 'DM_RESOLUTION_V1'
  })
})

describe('a posting leaf, written out', () => {
  it('canonical JSON of its fields', () => {
    expect(canonicalJson(postingFields(POSTING))).toBe(
      '{"account_id":"7","amount":"-2500000","created_at_us":"1764547200123456","entry_id":"42","seq":"1001"}',
    )
  })

  it('felts and hash', () => {
    const leaf = postingLeaf(POSTING)
    expect(leaf.felts).toEqual([
      0x444d5f504f5354494e475f5631n,
      1001n,
      42n,
      7n,
      0x1000000000000000000000000002625a0n, // 2^128 + 2500000: sign 1, magnitude 2.5 credits
      1764547200123456n,
      // hashlib.sha256 of the JSON above: 02e880deeb10d67b12a9728afa55e4be 5b9246c177824128f291845469d9c66f
      0x2e880deeb10d67b12a9728afa55e4ben,
      0x5b9246c177824128f291845469d9c66fn,
    ])
    expect(leaf.hash).toBe(0x49a83d20575dd38a9ca545fde7ae3d970039befe720fffd87517ddbdea3d451n)
    expect(leaf.hash).toBe(poseidon(leaf.felts))
    expect(Object.isFrozen(leaf.felts)).toBe(true)
  })

  it('comes back from its fields alone', () => {
    expect(leafFromFields('posting', postingFields(POSTING))).toEqual(postingLeaf(POSTING))
  })
})

describe('a decision leaf, written out', () => {
  it('canonical JSON of its fields binds the whole record', () => {
    expect(canonicalJson(decisionFields(DECISION))).toBe(
      '{"agent_id":"0b9f6c1e-3d2a-4c5b-8e7f-1a2b3c4d5e6f","chosen_branch_index":"1",' +
        '"decided_at_us":"1764547200000000","market_id":"5f0c2a9e-1b3d-4e6f-9a8b-7c6d5e4f3a2b",' +
        '"record":{"branches":[{"index":0,"score":0.42},{"index":1,"score":0.61}],"choice":1,' +
        '"prior":{"branch":0,"confidence":0.7},"reason":"best_beats_default","rule":{"threshold_bps":200}},"seq":"3"}',
    )
  })

  it('felts and hash', () => {
    const leaf = decisionLeaf(DECISION)
    expect(leaf.felts).toEqual([
      0x444d5f4445434953494f4e5f5631n,
      3n,
      0x5f0c2a9e1b3d4e6f9a8b7c6d5e4f3a2bn,
      0x0b9f6c1e3d2a4c5b8e7f1a2b3c4d5e6fn,
      1n,
      1764547200000000n,
      // hashlib: 4637d9e26685d2356344aec43288770d 084176e5853d7a6989f02083b2f85c5e
      0x4637d9e26685d2356344aec43288770dn,
      0x084176e5853d7a6989f02083b2f85c5en,
    ])
    expect(leaf.hash).toBe(0x1f03b8d46bdca9fec873e93ab8e9b4fa6cdd93b97d18c6c4d8a14773e56155fn)
  })

  it('one changed score, or a memo added, changes the leaf (bound only through the SHA-256)', () => {
    const base = decisionLeaf(DECISION).hash
    const record = DECISION.record as { branches: { index: number; score: number }[] }
    const rescored = { ...record, branches: [record.branches[0]!, { index: 1, score: 0.6100001 }] }
    expect(decisionLeaf({ ...DECISION, record: rescored }).hash).not.toBe(base)
    expect(decisionLeaf({ ...DECISION, record: { ...record, memo: 'x' } }).hash).not.toBe(base)
  })

  it('without an agent: felt 0, and null in the fields', () => {
    const none = decisionLeaf({ ...DECISION, agentId: null })
    expect(none.felts[3]).toBe(0n)
    expect(decisionFields({ ...DECISION, agentId: null }).agent_id).toBeNull()
    expect(leafFromFields('decision', decisionFields({ ...DECISION, agentId: null }))).toEqual(none)
  })

  it('refuses the nil UUID as an agent (it would read as "no agent")', () => {
    expect(() => decisionLeaf({ ...DECISION, agentId: '00000000-0000-0000-0000-000000000000' })).toThrow(
      'agent_id may not be the nil UUID',
    )
  })
})

describe('a resolution leaf', () => {
  it('felts: tag, seq, market, branch, outcome hash, time, SHA limbs', () => {
    const leaf = resolutionLeaf(RESOLUTION)
    expect(leaf.felts.slice(0, 6)).toEqual([
      0x444d5f5245534f4c5554494f4e5f5631n,
      4n,
      0x5f0c2a9e1b3d4e6f9a8b7c6d5e4f3a2bn,
      1n,
      // hashlib.sha256(b'YES') without its last byte
      0xf9171164593756e56fb197327b529a4955590566560dbe62d586bff41be9d2n,
      1764600000000000n,
    ])
    expect(leaf.felts).toHaveLength(8)
    expect(leaf.hash).toBe(poseidon(leaf.felts))
    expect(leafFromFields('resolution', fieldsOf({ kind: 'resolution', ...RESOLUTION }))).toEqual(leaf)
  })

  it('the outcome: 248 bits, well-formed text of bounded length', () => {
    expect(outcomeFelt('YES')).toBe(0xf9171164593756e56fb197327b529a4955590566560dbe62d586bff41be9d2n)
    expect(outcomeFelt('x'.repeat(MAX_OUTCOME_LENGTH)) < 2n ** 248n).toBe(true)
    for (const bad of ['', 'x'.repeat(MAX_OUTCOME_LENGTH + 1), 'a\ud800', '\udc00b']) {
      expect(codeOf(() => outcomeFelt(bad))).toBe('invalid_text')
    }
    // A surrogate pair is one well-formed character.
    expect(outcomeFelt('\ud83d\ude00')).toBeTypeOf('bigint')
  })
})

describe('the signed amount', () => {
  it('sign and magnitude, zero unsigned', () => {
    expect(encodeSignedAmount(5n)).toBe(5n)
    expect(encodeSignedAmount(-5n)).toBe(U128_LIMIT + 5n)
    expect(encodeSignedAmount(0n)).toBe(0n)
    expect(encodeSignedAmount(U128_LIMIT - 1n)).toBe(U128_LIMIT - 1n)
    expect(encodeSignedAmount(-(U128_LIMIT - 1n))).toBe(2n * U128_LIMIT - 1n)
    expect(encodeSignedAmount(-(2n ** 63n)) < FIELD_PRIME).toBe(true)
  })

  it('refuses a magnitude of 2^128 either way', () => {
    expect(codeOf(() => encodeSignedAmount(U128_LIMIT))).toBe('invalid_integer')
    expect(codeOf(() => encodeSignedAmount(-U128_LIMIT))).toBe('invalid_integer')
  })

  it('decodes exactly what it encodes, refuses what no amount encodes to', () => {
    for (const amount of [1n, -1n, 0n, 2_500_000n, -(2n ** 63n), U128_LIMIT - 1n, -(U128_LIMIT - 1n)]) {
      expect(decodeSignedAmount(encodeSignedAmount(amount))).toBe(amount)
    }
    for (const felt of [U128_LIMIT, 2n * U128_LIMIT, 2n * U128_LIMIT + 1n, -1n]) {
      expect(codeOf(() => decodeSignedAmount(felt))).toBe('invalid_integer')
    }
  })

  it('a negative and a positive amount of the same size are different leaves', () => {
    expect(postingLeaf({ ...POSTING, amount: 2_500_000n }).hash).not.toBe(postingLeaf(POSTING).hash)
  })
})

describe('range checks on the way in', () => {
  it.each([
    ['seq = 2^64', { seq: U64_LIMIT }],
    ['seq negative', { seq: -1n }],
    ['entry_id = 2^64', { entryId: U64_LIMIT }],
    ['account_id negative', { accountId: -7n }],
    ['created_at_us negative', { createdAtUs: -1n }],
    ['created_at_us = 2^64', { createdAtUs: U64_LIMIT }],
    ['|amount| = 2^128', { amount: -U128_LIMIT }],
  ])('a posting with %s is refused', (_name, change) => {
    expect(codeOf(() => postingLeaf({ ...POSTING, ...change }))).toBe('invalid_integer')
  })

  it('the widest values fit', () => {
    const widest = {
      seq: U64_LIMIT - 1n,
      entryId: U64_LIMIT - 1n,
      accountId: U64_LIMIT - 1n,
      amount: -(U128_LIMIT - 1n),
      createdAtUs: U64_LIMIT - 1n,
    }
    expect(leafFromFields('posting', postingFields(widest))).toEqual(postingLeaf(widest))
  })

  it('branch indexes are u32 integers', () => {
    expect(codeOf(() => decisionLeaf({ ...DECISION, chosenBranchIndex: -1 }))).toBe('invalid_integer')
    expect(codeOf(() => decisionLeaf({ ...DECISION, chosenBranchIndex: 1.5 }))).toBe('invalid_integer')
    expect(codeOf(() => decisionLeaf({ ...DECISION, chosenBranchIndex: 2 ** 32 }))).toBe('invalid_integer')
    expect(decisionLeaf({ ...DECISION, chosenBranchIndex: 2 ** 32 - 1 }).felts[4]).toBe(2n ** 32n - 1n)
    expect(codeOf(() => resolutionLeaf({ ...RESOLUTION, branchIndex: Number.NaN }))).toBe('invalid_integer')
  })

  it('UUIDs: lowercase canonical only', () => {
    expect(uuidToU128(MARKET)).toBe(0x5f0c2a9e1b3d4e6f9a8b7c6d5e4f3a2bn)
    expect(uuidToU128('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(U128_LIMIT - 1n)
    for (const bad of [MARKET.toUpperCase(), MARKET.replaceAll('-', ''), `{${MARKET}}`, ` ${MARKET}`, 42]) {
      expect(codeOf(() => uuidToU128(bad))).toBe('invalid_uuid')
    }
    expect(codeOf(() => decisionLeaf({ ...DECISION, marketId: MARKET.toUpperCase() }))).toBe('invalid_uuid')
  })

  it('a record that is not canonical JSON is refused', () => {
    expect(codeOf(() => decisionLeaf({ ...DECISION, record: { score: Number.NaN } }))).toBe('invalid_json')
  })
})

describe('leafFromFields: strict', () => {
  const posting = postingFields(POSTING)
  const decision = decisionFields(DECISION)

  it.each([
    ['padded seq', { ...posting, seq: '01001' }],
    ['signed seq', { ...posting, seq: '+1001' }],
    ['a number for a string', { ...posting, seq: 1001 }],
    ['"-0" amount', { ...posting, amount: '-0' }],
    ['hex account', { ...posting, account_id: '0x7' }],
  ])('posting with %s: invalid_integer', (_name, fields) => {
    expect(codeOf(() => leafFromFields('posting', fields))).toBe('invalid_integer')
  })

  it.each([
    ['a missing field', (({ amount: _, ...rest }) => rest)(posting)],
    ['the last field missing', (({ seq: _, ...rest }) => rest)(posting)],
    ['an extra field', { ...posting, memo: 'x' }],
    ['null', null],
    ['an array', [posting]],
    ['a string', JSON.stringify(posting)],
  ])('posting with %s: invalid_fields', (_name, fields) => {
    expect(codeOf(() => leafFromFields('posting', fields))).toBe('invalid_fields')
  })

  it('names the expected fields', () => {
    expect(() => leafFromFields('posting', {})).toThrow(
      'the fields of a posting leaf are exactly account_id, amount, created_at_us, entry_id, seq; got none',
    )
  })

  it('decision: ids and record checked', () => {
    expect(codeOf(() => leafFromFields('decision', { ...decision, agent_id: AGENT.toUpperCase() }))).toBe(
      'invalid_uuid',
    )
    expect(codeOf(() => leafFromFields('decision', { ...decision, agent_id: 0 }))).toBe('invalid_uuid')
    expect(codeOf(() => leafFromFields('decision', { ...decision, market_id: null }))).toBe('invalid_uuid')
    expect(codeOf(() => leafFromFields('decision', { ...decision, chosen_branch_index: '01' }))).toBe(
      'invalid_integer',
    )
    expect(codeOf(() => leafFromFields('decision', { ...decision, record: undefined }))).toBe('invalid_json')
    expect(codeOf(() => leafFromFields('decision', { ...decision, seq: '3', extra: 1 }))).toBe(
      'invalid_fields',
    )
  })

  it('resolution: outcome text checked', () => {
    const fields = fieldsOf({ kind: 'resolution', ...RESOLUTION })
    expect(codeOf(() => leafFromFields('resolution', { ...fields, outcome: 1 }))).toBe('invalid_text')
    expect(codeOf(() => leafFromFields('resolution', { ...fields, outcome: '' }))).toBe('invalid_text')
    expect(codeOf(() => leafFromFields('resolution', { ...fields, market_id: 'x' }))).toBe('invalid_uuid')
  })

  it('an unknown kind is refused', () => {
    expect(codeOf(() => leafFromFields('trade' as never, posting))).toBe('invalid_fields')
  })

  it('fields → input → fields is the identity, for every kind', () => {
    const inputs: LeafInput[] = [
      { kind: 'posting', ...POSTING },
      { kind: 'decision', ...DECISION },
      { kind: 'resolution', ...RESOLUTION },
    ]
    for (const input of inputs) {
      const fields = fieldsOf(input)
      const back = inputFromFields(input.kind, fields)
      expect(back).toEqual(input)
      expect(fieldsOf(back)).toEqual(fields)
      expect(leafOf(back)).toEqual(leafOf(input))
    }
  })

  it('a record with bigints hashes like its JSON form (what a proof document carries)', () => {
    const withBig = { ...DECISION, record: { volume: 12_345_678_901_234_567_890n } }
    const fields = JSON.parse(canonicalJson(decisionFields(withBig)))
    expect(fields.record).toEqual({ volume: '12345678901234567890' })
    expect(leafFromFields('decision', fields).hash).toBe(decisionLeaf(withBig).hash)
  })
})

describe('refusals name the field', () => {
  const posting = postingFields(POSTING)
  const decision = decisionFields(DECISION)
  const resolution = fieldsOf({ kind: 'resolution', ...RESOLUTION })

  it.each([
    ['posting', { ...posting, seq: 'x' }, 'seq must be'],
    ['posting', { ...posting, entry_id: 'x' }, 'entry_id must be'],
    ['posting', { ...posting, account_id: 'x' }, 'account_id must be'],
    ['posting', { ...posting, amount: 'x' }, 'amount must be'],
    ['posting', { ...posting, created_at_us: 'x' }, 'created_at_us must be'],
    ['decision', { ...decision, seq: 'x' }, 'seq must be'],
    ['decision', { ...decision, market_id: 'x' }, 'market_id must be a lowercase UUID, got "x"'],
    ['decision', { ...decision, agent_id: 'x' }, 'agent_id must be a lowercase UUID'],
    ['decision', { ...decision, chosen_branch_index: 'x' }, 'chosen_branch_index must be'],
    ['decision', { ...decision, decided_at_us: 'x' }, 'decided_at_us must be'],
    ['resolution', { ...resolution, seq: 'x' }, 'seq must be'],
    ['resolution', { ...resolution, market_id: 'x' }, 'market_id must be a lowercase UUID'],
    ['resolution', { ...resolution, branch_index: 'x' }, 'branch_index must be'],
    ['resolution', { ...resolution, resolved_at_us: 'x' }, 'resolved_at_us must be'],
    [
      'resolution',
      { ...resolution, outcome: '' },
      'outcome must be well-formed text of 1 to 1000 characters, got ""',
    ],
  ] as const)('%s fields: %j', (kind, fields, message) => {
    expect(() => inputFromFields(kind, fields)).toThrow(message)
  })

  it('inputFromFields checks ids, outcome and record itself, not only when the leaf is hashed', () => {
    expect(codeOf(() => inputFromFields('decision', { ...decision, agent_id: AGENT.toUpperCase() }))).toBe(
      'invalid_uuid',
    )
    expect(codeOf(() => inputFromFields('decision', { ...decision, market_id: 7 }))).toBe('invalid_uuid')
    expect(codeOf(() => inputFromFields('decision', { ...decision, record: undefined }))).toBe('invalid_json')
    expect(codeOf(() => inputFromFields('resolution', { ...resolution, market_id: 'x' }))).toBe(
      'invalid_uuid',
    )
    expect(codeOf(() => inputFromFields('resolution', { ...resolution, outcome: 'a\ud800' }))).toBe(
      'invalid_text',
    )
    expect(codeOf(() => inputFromFields('resolution', { ...resolution, record: Number.NaN }))).toBe(
      'invalid_json',
    )
  })

  it.each([
    ['seq', { seq: -1n }, 'seq must be an integer in [0, 18446744073709551616), got -1'],
    ['entry_id', { entryId: -1n }, 'entry_id must be'],
    ['account_id', { accountId: -1n }, 'account_id must be'],
    ['created_at_us', { createdAtUs: -1n }, 'created_at_us must be'],
    ['|amount|', { amount: U128_LIMIT }, `|amount| must be an integer in [0, ${U128_LIMIT})`],
  ])('a posting: %s', (_name, change, message) => {
    expect(() => postingLeaf({ ...POSTING, ...change })).toThrow(message)
  })

  it.each([
    ['seq', { seq: -1n }, 'seq must be'],
    ['market_id', { marketId: 'x' }, 'market_id must be'],
    ['chosen_branch_index', { chosenBranchIndex: 1.5 }, 'chosen_branch_index must be an integer, got 1.5'],
    [
      'chosen_branch_index',
      { chosenBranchIndex: -1 },
      'chosen_branch_index must be an integer in [0, 4294967296)',
    ],
    ['decided_at_us', { decidedAtUs: -1n }, 'decided_at_us must be'],
  ])('a decision: %s', (_name, change, message) => {
    expect(() => decisionLeaf({ ...DECISION, ...change })).toThrow(message)
  })

  it.each([
    ['seq', { seq: -1n }, 'seq must be'],
    ['market_id', { marketId: 'x' }, 'market_id must be'],
    ['branch_index', { branchIndex: -1 }, 'branch_index must be'],
    ['resolved_at_us', { resolvedAtUs: -1n }, 'resolved_at_us must be'],
  ])('a resolution: %s', (_name, change, message) => {
    expect(() => resolutionLeaf({ ...RESOLUTION, ...change })).toThrow(message)
  })

  it('the object and key checks say what they expected and what they got', () => {
    expect(() => leafFromFields('posting', 'seq=1')).toThrow('the fields of a posting leaf must be an object')
    expect(() => leafFromFields('posting', { seq: '1', amount: '2' })).toThrow(
      'the fields of a posting leaf are exactly account_id, amount, created_at_us, entry_id, seq; got amount, seq',
    )
    // A field renamed: the same number of keys, one of them wrong.
    const { created_at_us, ...rest } = posting
    expect(codeOf(() => leafFromFields('posting', { ...rest, created_at: created_at_us }))).toBe(
      'invalid_fields',
    )
    expect(() => leafFromFields('trade' as never, posting)).toThrow('unknown leaf kind "trade"')
    expect(() => uuidToU128('x')).toThrow('uuid must be a lowercase UUID, got "x"')
    expect(() => decodeSignedAmount(U128_LIMIT)).toThrow(`${U128_LIMIT} is not a sign-and-magnitude amount`)
  })

  it('a UUID with anything after it is refused', () => {
    expect(codeOf(() => uuidToU128(`${MARKET}0`))).toBe('invalid_uuid')
    expect(codeOf(() => uuidToU128(`${MARKET}\n`))).toBe('invalid_uuid')
  })
})
