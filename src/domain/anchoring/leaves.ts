/**
 * The leaves: one felt per anchored fact (a ledger posting, a decision record, a resolution).
 *
 * A leaf is `poseidon([tag, …fixed felts, sha_hi, sha_lo])` where the tag is a Cairo short string
 * naming the kind and version, the fixed felts are the fields a Cairo contract or a reader may
 * want to read without the JSON, and (sha_hi, sha_lo) is the SHA-256 of the canonical JSON of all
 * the leaf's plain fields (canonical-json.ts), which binds everything else.
 *
 * Why a leaf can never pass for an internal node: OpenZeppelin's tree hashes an internal node as
 * poseidon over exactly 2 elements, and a leaf is poseidon over 8. Poseidon's padding (append 1,
 * then 0 to an even length) maps inputs of different lengths to different absorbed sequences, so a
 * leaf equal to a node would be a Poseidon collision. (merkle.ts puts each leaf into the tree at
 * its position with a 3-element hash, distinct from both for the same reason.)
 *
 * Each kind has a typed input (bigints, what the services hold), its plain fields (strings, what
 * a proof document carries: `fieldsOf`), and a strict parser from those fields back to the input
 * (`leafFromFields`, what the verifier uses: it trusts nothing but the proof's fields). The parser
 * accepts only the spellings the writer produces and exactly its keys, so fields → input → fields
 * is the identity and the SHA-256 the verifier recomputes is the one that was anchored.
 */
import { canonicalJson, canonicalJsonLimbs, type JsonValue, sha256Int } from './canonical-json.js'
import { AnchoringError, AnchoringErrorCode } from './errors.js'
import {
  assertUnsigned,
  describe,
  parseSignedDecimal,
  parseUnsignedDecimal,
  shortStringFelt,
  U32_LIMIT,
  U64_LIMIT,
  U128_LIMIT,
} from './field.js'
import { poseidon } from './poseidon.js'

export const LEAF_KINDS = ['posting', 'decision', 'resolution'] as const
export type LeafKind = (typeof LEAF_KINDS)[number]

/** Domain tags: the first felt of each leaf. A new layout gets a new version, never a changed one. */
export const LEAF_TAGS: Readonly<Record<LeafKind, bigint>> = Object.freeze({
  posting: shortStringFelt('DM_POSTING_V1'),
  decision: shortStringFelt('DM_DECISION_V1'),
  resolution: shortStringFelt('DM_RESOLUTION_V1'),
})

/** A leaf's hash and the felts it is the Poseidon hash of (tag first). */
export interface Leaf {
  readonly hash: bigint
  readonly felts: readonly bigint[]
}

/** One row of public.ledger_postings, as the anchoring reads it. */
export interface PostingLeafInput {
  readonly seq: bigint
  readonly entryId: bigint
  readonly accountId: bigint
  /** Micro-credits, signed and non-zero in the ledger; see encodeSignedAmount. */
  readonly amount: bigint
  /** created_at as microseconds since the Unix epoch. */
  readonly createdAtUs: bigint
}

/** A decision record (public.anchor_records kind 'decision'). */
export interface DecisionLeafInput {
  /** The records stream's sequence number. */
  readonly seq: bigint
  readonly marketId: string
  /** The agent that took the decision, null for a decision market without one. */
  readonly agentId: string | null
  readonly chosenBranchIndex: number
  readonly decidedAtUs: bigint
  /** The whole record: the prior, every branch's score, the rule's parameters, the choice and its reason. */
  readonly record: JsonValue
}

/** A resolution record (public.anchor_records kind 'resolution'). */
export interface ResolutionLeafInput {
  readonly seq: bigint
  readonly marketId: string
  /** The branch that resolves (0 for a plain market; the chosen branch of a decision market). */
  readonly branchIndex: number
  /** The resolved value as text: an outcome's label, or a scalar value as a decimal string. */
  readonly outcome: string
  readonly resolvedAtUs: bigint
  /** The rest of the resolution (resolver, evidence, dispute), bound through the SHA-256. */
  readonly record: JsonValue
}

export interface PostingFields {
  readonly seq: string
  readonly entry_id: string
  readonly account_id: string
  readonly amount: string
  readonly created_at_us: string
}

export interface DecisionFields {
  readonly seq: string
  readonly market_id: string
  readonly agent_id: string | null
  readonly chosen_branch_index: string
  readonly decided_at_us: string
  readonly record: JsonValue
}

export interface ResolutionFields {
  readonly seq: string
  readonly market_id: string
  readonly branch_index: string
  readonly outcome: string
  readonly resolved_at_us: string
  readonly record: JsonValue
}

/** Any leaf's input, tagged by kind: what a batch is built from. */
export type LeafInput =
  | ({ readonly kind: 'posting' } & PostingLeafInput)
  | ({ readonly kind: 'decision' } & DecisionLeafInput)
  | ({ readonly kind: 'resolution' } & ResolutionLeafInput)

/** The longest outcome text accepted; a label or a decimal, far below this. */
export const MAX_OUTCOME_LENGTH = 1000

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const NIL_UUID = '00000000-0000-0000-0000-000000000000'
const LONE_SURROGATE = /\p{Cs}/u

/**
 * A signed amount in one felt, sign and magnitude: `sign·2^128 + |amount|`, sign 1 for a negative
 * amount. |amount| < 2^128 is required, so the value is < 2^129 < P, each amount has exactly one
 * encoding (zero has sign 0) and a Cairo reader splits it as a u256 (high = sign, low = magnitude).
 * Not two's complement modulo P: that would make a negative amount a huge felt whose meaning
 * depends on knowing P and the intended width.
 */
export function encodeSignedAmount(amount: bigint): bigint {
  // Stryker disable next-line EqualityOperator: at 0, -0n is 0n, so `<=` gives the same magnitude
  const magnitude = amount < 0n ? -amount : amount
  assertUnsigned(magnitude, U128_LIMIT, '|amount|')
  return amount < 0n ? U128_LIMIT + magnitude : magnitude
}

/** The inverse of encodeSignedAmount; refuses a felt that is no encoding (sign > 1, or "-0"). */
export function decodeSignedAmount(felt: bigint): bigint {
  const sign = felt / U128_LIMIT
  const magnitude = felt % U128_LIMIT
  if (felt < 0n || sign > 1n || (sign === 1n && magnitude === 0n)) {
    throw new AnchoringError(AnchoringErrorCode.InvalidInteger, `${felt} is not a sign-and-magnitude amount`)
  }
  return sign === 1n ? -magnitude : magnitude
}

/** A canonical lowercase UUID as the u128 of its 32 hex digits. */
export function uuidToU128(uuid: unknown, name = 'uuid'): bigint {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidUuid,
      `${name} must be a lowercase UUID, got ${describe(uuid)}`,
    )
  }
  return BigInt(`0x${uuid.replaceAll('-', '')}`)
}

/**
 * An optional id: 0 when none. The nil UUID is refused, since it would also be 0 and a reader of
 * the felts could not tell "no agent" from it.
 */
function optionalUuidToU128(uuid: string | null, name: string): bigint {
  if (uuid === null) return 0n
  if (uuid === NIL_UUID)
    throw new AnchoringError(AnchoringErrorCode.InvalidUuid, `${name} may not be the nil UUID`)
  return uuidToU128(uuid, name)
}

/**
 * The resolved value as one felt: the first 31 bytes of the SHA-256 of its UTF-8 text (248 bits,
 * below P). Text with a lone surrogate is refused: UTF-8 would write it as U+FFFD, so two
 * different strings would give the same bytes.
 */
export function outcomeFelt(outcome: string): bigint {
  checkOutcome(outcome)
  return sha256Int(outcome) >> 8n
}

function checkOutcome(outcome: unknown): asserts outcome is string {
  if (
    typeof outcome !== 'string' ||
    outcome.length === 0 ||
    outcome.length > MAX_OUTCOME_LENGTH ||
    LONE_SURROGATE.test(outcome)
  ) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidText,
      `outcome must be well-formed text of 1 to ${MAX_OUTCOME_LENGTH} characters, got ${describe(outcome)}`,
    )
  }
}

function checkIndex(index: number, name: string): bigint {
  if (!Number.isSafeInteger(index)) {
    throw new AnchoringError(AnchoringErrorCode.InvalidInteger, `${name} must be an integer, got ${index}`)
  }
  return assertUnsigned(BigInt(index), U32_LIMIT, name)
}

// ---- fields: typed input → the strings a proof carries

export function postingFields(input: PostingLeafInput): PostingFields {
  return {
    seq: input.seq.toString(),
    entry_id: input.entryId.toString(),
    account_id: input.accountId.toString(),
    amount: input.amount.toString(),
    created_at_us: input.createdAtUs.toString(),
  }
}

export function decisionFields(input: DecisionLeafInput): DecisionFields {
  return {
    seq: input.seq.toString(),
    market_id: input.marketId,
    agent_id: input.agentId,
    chosen_branch_index: String(input.chosenBranchIndex),
    decided_at_us: input.decidedAtUs.toString(),
    record: input.record,
  }
}

export function resolutionFields(input: ResolutionLeafInput): ResolutionFields {
  return {
    seq: input.seq.toString(),
    market_id: input.marketId,
    branch_index: String(input.branchIndex),
    outcome: input.outcome,
    resolved_at_us: input.resolvedAtUs.toString(),
    record: input.record,
  }
}

/** The plain fields of any leaf input (what `leafFromFields` takes back). */
export function fieldsOf(input: LeafInput): PostingFields | DecisionFields | ResolutionFields {
  switch (input.kind) {
    case 'posting':
      return postingFields(input)
    case 'decision':
      return decisionFields(input)
    case 'resolution':
      return resolutionFields(input)
  }
}

// ---- leaves: typed input → felts → hash

function leafOfFelts(felts: bigint[]): Leaf {
  return { hash: poseidon(felts), felts: Object.freeze(felts) }
}

/** Felts: tag, seq, entry_id, account_id, amount (sign and magnitude), created_at_us, sha_hi, sha_lo. */
export function postingLeaf(input: PostingLeafInput): Leaf {
  const sha = canonicalJsonLimbs(postingFields(input))
  return leafOfFelts([
    LEAF_TAGS.posting,
    assertUnsigned(input.seq, U64_LIMIT, 'seq'),
    assertUnsigned(input.entryId, U64_LIMIT, 'entry_id'),
    assertUnsigned(input.accountId, U64_LIMIT, 'account_id'),
    encodeSignedAmount(input.amount),
    assertUnsigned(input.createdAtUs, U64_LIMIT, 'created_at_us'),
    sha.hi,
    sha.lo,
  ])
}

/** Felts: tag, seq, market_id, agent_id (0 when none), chosen_branch_index, decided_at_us, sha_hi, sha_lo. */
export function decisionLeaf(input: DecisionLeafInput): Leaf {
  const sha = canonicalJsonLimbs(decisionFields(input))
  return leafOfFelts([
    LEAF_TAGS.decision,
    assertUnsigned(input.seq, U64_LIMIT, 'seq'),
    uuidToU128(input.marketId, 'market_id'),
    optionalUuidToU128(input.agentId, 'agent_id'),
    checkIndex(input.chosenBranchIndex, 'chosen_branch_index'),
    assertUnsigned(input.decidedAtUs, U64_LIMIT, 'decided_at_us'),
    sha.hi,
    sha.lo,
  ])
}

/** Felts: tag, seq, market_id, branch_index, outcome (outcomeFelt), resolved_at_us, sha_hi, sha_lo. */
export function resolutionLeaf(input: ResolutionLeafInput): Leaf {
  const sha = canonicalJsonLimbs(resolutionFields(input))
  return leafOfFelts([
    LEAF_TAGS.resolution,
    assertUnsigned(input.seq, U64_LIMIT, 'seq'),
    uuidToU128(input.marketId, 'market_id'),
    checkIndex(input.branchIndex, 'branch_index'),
    outcomeFelt(input.outcome),
    assertUnsigned(input.resolvedAtUs, U64_LIMIT, 'resolved_at_us'),
    sha.hi,
    sha.lo,
  ])
}

/** The leaf of any input, by its kind. */
export function leafOf(input: LeafInput): Leaf {
  switch (input.kind) {
    case 'posting':
      return postingLeaf(input)
    case 'decision':
      return decisionLeaf(input)
    case 'resolution':
      return resolutionLeaf(input)
  }
}

// ---- the verifier's way back: plain fields → typed input

const FIELD_KEYS: Readonly<Record<LeafKind, readonly string[]>> = {
  posting: ['account_id', 'amount', 'created_at_us', 'entry_id', 'seq'],
  decision: ['agent_id', 'chosen_branch_index', 'decided_at_us', 'market_id', 'record', 'seq'],
  resolution: ['branch_index', 'market_id', 'outcome', 'record', 'resolved_at_us', 'seq'],
}

function fieldRecord(kind: LeafKind, fields: unknown): Record<string, unknown> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidFields,
      `the fields of a ${kind} leaf must be an object`,
    )
  }
  const keys = Object.keys(fields).sort()
  const expected = FIELD_KEYS[kind]
  if (keys.length !== expected.length || keys.some((key, i) => key !== expected[i])) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidFields,
      `the fields of a ${kind} leaf are exactly ${expected.join(', ')}; got ${keys.join(', ') || 'none'}`,
    )
  }
  return fields as Record<string, unknown>
}

function parseSmallIndex(text: unknown, name: string): number {
  return Number(parseUnsignedDecimal(text, U32_LIMIT, name))
}

/** The record must be JSON canonical JSON can write (a string, number, object…); refused otherwise. */
function parseRecord(value: unknown): JsonValue {
  canonicalJson(value)
  return value as JsonValue
}

function parsePostingFields(fields: unknown): PostingLeafInput {
  const f = fieldRecord('posting', fields)
  return {
    seq: parseUnsignedDecimal(f.seq, U64_LIMIT, 'seq'),
    entryId: parseUnsignedDecimal(f.entry_id, U64_LIMIT, 'entry_id'),
    accountId: parseUnsignedDecimal(f.account_id, U64_LIMIT, 'account_id'),
    amount: parseSignedDecimal(f.amount, 'amount'),
    createdAtUs: parseUnsignedDecimal(f.created_at_us, U64_LIMIT, 'created_at_us'),
  }
}

function parseDecisionFields(fields: unknown): DecisionLeafInput {
  const f = fieldRecord('decision', fields)
  if (f.agent_id !== null) uuidToU128(f.agent_id, 'agent_id')
  uuidToU128(f.market_id, 'market_id')
  return {
    seq: parseUnsignedDecimal(f.seq, U64_LIMIT, 'seq'),
    marketId: f.market_id as string,
    agentId: f.agent_id as string | null,
    chosenBranchIndex: parseSmallIndex(f.chosen_branch_index, 'chosen_branch_index'),
    decidedAtUs: parseUnsignedDecimal(f.decided_at_us, U64_LIMIT, 'decided_at_us'),
    record: parseRecord(f.record),
  }
}

function parseResolutionFields(fields: unknown): ResolutionLeafInput {
  const f = fieldRecord('resolution', fields)
  uuidToU128(f.market_id, 'market_id')
  checkOutcome(f.outcome)
  return {
    seq: parseUnsignedDecimal(f.seq, U64_LIMIT, 'seq'),
    marketId: f.market_id as string,
    branchIndex: parseSmallIndex(f.branch_index, 'branch_index'),
    outcome: f.outcome,
    resolvedAtUs: parseUnsignedDecimal(f.resolved_at_us, U64_LIMIT, 'resolved_at_us'),
    record: parseRecord(f.record),
  }
}

/** Parses a leaf's plain fields strictly into its typed input (throws AnchoringError otherwise). */
export function inputFromFields(kind: LeafKind, fields: unknown): LeafInput {
  switch (kind) {
    case 'posting':
      return { kind, ...parsePostingFields(fields) }
    case 'decision':
      return { kind, ...parseDecisionFields(fields) }
    case 'resolution':
      return { kind, ...parseResolutionFields(fields) }
    default:
      throw new AnchoringError(AnchoringErrorCode.InvalidFields, `unknown leaf kind ${describe(kind)}`)
  }
}

/** Recomputes a leaf from a proof's plain fields alone (throws AnchoringError on malformed fields). */
export function leafFromFields(kind: LeafKind, fields: unknown): Leaf {
  return leafOf(inputFromFields(kind, fields))
}
