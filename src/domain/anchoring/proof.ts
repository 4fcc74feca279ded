/**
 * The proof document and its verifier: what the API hands out, what the `verify` command checks
 * and what the tests tamper with.
 *
 * A document carries the leaf's plain fields, and the verifier recomputes the leaf from them
 * (trusting no hash the document states), places it at (index, leaf_count), checks that the path
 * has exactly the length the tree layout gives there, and folds the path into a root. An `ok`
 * answer says "these fields are leaf `index` of a tree of `leaf_count` leaves whose root is
 * `root`"; it becomes "…anchored as batch `batch_id`" only once the caller has read
 * `get_root(batch_id)` from the chain and found the same (root, leaf_count). Offline, a forger
 * can build a consistent document for any fields: the chain is what makes it a proof.
 *
 * Spelling: felts as canonical lowercase hex (field.ts), index and leaf_count as JSON integers
 * (≤ 2^32, far inside a double's exact range), batch_id as a decimal string (a bigint id).
 */
import { canonicalJson, type JsonValue } from './canonical-json.js'
import { AnchoringError, AnchoringErrorCode } from './errors.js'
import {
  assertUnsigned,
  describe,
  feltToHex,
  parseFeltHex,
  parseUnsignedDecimal,
  U64_LIMIT,
} from './field.js'
import { fieldsOf, LEAF_KINDS, type LeafInput, type LeafKind, leafFromFields, leafOf } from './leaves.js'
import { leafNode, MAX_LEAF_COUNT, type MerkleTree, pathLength, processPath, proofPath } from './merkle.js'

export const PROOF_VERSION = 1

export interface ProofDocument {
  readonly version: 1
  readonly kind: LeafKind
  /** The leaf's plain fields (leaves.ts): decimal strings, UUIDs, and for records a JSON `record`. */
  readonly fields: { readonly [key: string]: JsonValue }
  /** The leaf's hash, hex. */
  readonly leaf: string
  readonly index: number
  readonly leaf_count: number
  /** Siblings from the bottom up, hex. */
  readonly path: readonly string[]
  readonly root: string
  /** The batch the root is anchored as, decimal. */
  readonly batch_id: string
}

/** Why a document was refused; stable codes for the API and the command's exit message. */
export type ProofRejection =
  | 'malformed' // not a version-1 document of the expected shape
  | 'bad_fields' // the fields are not a valid leaf of the kind
  | 'leaf_mismatch' // the fields hash to another leaf than the one stated
  | 'bad_position' // index or leaf_count out of range, or a path of the wrong length for them
  | 'root_mismatch' // the path leads elsewhere than the stated root

export type VerifyResult =
  | {
      readonly ok: true
      readonly root: bigint
      readonly leafCount: bigint
      readonly batchId: bigint
      readonly leaf: bigint
    }
  | { readonly ok: false; readonly code: ProofRejection; readonly reason: string }

/**
 * A proof document for the leaf of `input` at `index` of `tree`, anchored as `batchId`. Throws
 * InvalidTree when the leaf is not the one the tree holds at that index (a caller's bug).
 */
export function proofDocument(args: {
  readonly input: LeafInput
  readonly tree: MerkleTree
  readonly index: number
  readonly batchId: bigint
}): ProofDocument {
  const { input, tree, index, batchId } = args
  const leaf = leafOf(input)
  const node = leafNode(leaf.hash, index, tree.leafCount)
  // Stryker disable next-line OptionalChaining: a tree always has level 0 (an empty one is refused)
  if (tree.levels[0]?.[index] !== node) {
    throw new AnchoringError(
      AnchoringErrorCode.InvalidTree,
      `leaf ${feltToHex(leaf.hash)} is not at index ${index} of this tree`,
    )
  }
  return {
    version: PROOF_VERSION,
    kind: input.kind,
    // Through canonical JSON and back: bigints inside a record become the decimal strings the
    // SHA-256 was taken over, so the document is plain JSON and hashes as it did.
    fields: JSON.parse(canonicalJson(fieldsOf(input))),
    leaf: feltToHex(leaf.hash),
    index,
    leaf_count: tree.leafCount,
    path: proofPath(tree, index).map(feltToHex),
    root: feltToHex(tree.root),
    batch_id: assertBatchId(batchId).toString(),
  }
}

function assertBatchId(batchId: bigint): bigint {
  assertUnsigned(batchId, U64_LIMIT, 'batch_id')
  if (batchId === 0n)
    throw new AnchoringError(
      AnchoringErrorCode.InvalidInteger,
      'batch_id must be at least 1: batches are numbered from 1',
    )
  return batchId
}

const DOCUMENT_KEYS = ['batch_id', 'fields', 'index', 'kind', 'leaf', 'leaf_count', 'path', 'root', 'version']

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function reject(code: ProofRejection, reason: string): VerifyResult {
  return { ok: false, code, reason }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The shape of a document, before any hash: a reason to refuse it, or null. */
function shapeProblem(doc: Record<string, unknown>): string | null {
  const keys = Object.keys(doc).sort()
  if (keys.join() !== DOCUMENT_KEYS.join())
    return `a proof document has exactly the keys ${DOCUMENT_KEYS.join(', ')}`
  if (doc.version !== PROOF_VERSION) return `version must be ${PROOF_VERSION}, got ${describe(doc.version)}`
  if (!LEAF_KINDS.includes(doc.kind as LeafKind)) return `kind must be one of ${LEAF_KINDS.join(', ')}`
  if (!isRecord(doc.fields)) return 'fields must be an object'
  if (!Array.isArray(doc.path)) return 'path must be an array'
  if (!Number.isSafeInteger(doc.index) || !Number.isSafeInteger(doc.leaf_count)) {
    return 'index and leaf_count must be integers'
  }
  return null
}

function positionProblem(index: number, leafCount: number, pathSize: number): string | null {
  if (leafCount < 1 || leafCount > MAX_LEAF_COUNT) return `leaf_count must be in [1, ${MAX_LEAF_COUNT}]`
  if (index < 0 || index >= leafCount) return `index ${index} is not below leaf_count ${leafCount}`
  const expected = pathLength(index, leafCount)
  if (pathSize !== expected) {
    return `leaf ${index} of ${leafCount} has a path of ${expected} siblings, the document has ${pathSize}`
  }
  return null
}

/** Verifies a proof document (see the module comment). Never throws: bad input is `ok: false`. */
export function verifyProof(doc: unknown): VerifyResult {
  try {
    return verifyDocument(doc)
  } catch (error) {
    // A getter that throws (the document is not plain JSON), or any other surprise: a refusal.
    return reject('malformed', `the document could not be read: ${messageOf(error)}`)
  }
}

function verifyDocument(doc: unknown): VerifyResult {
  if (!isRecord(doc)) return reject('malformed', 'a proof document is a JSON object')
  const shape = shapeProblem(doc)
  if (shape !== null) return reject('malformed', shape)
  const index = doc.index as number
  const leafCount = doc.leaf_count as number
  const path = doc.path as unknown[]

  let stated: { leaf: bigint; root: bigint; batchId: bigint; path: bigint[] }
  try {
    stated = {
      leaf: parseFeltHex(doc.leaf, 'leaf'),
      root: parseFeltHex(doc.root, 'root'),
      batchId: parseUnsignedDecimal(doc.batch_id, U64_LIMIT, 'batch_id'),
      path: path.map((element, i) => parseFeltHex(element, `path[${i}]`)),
    }
  } catch (error) {
    return reject('malformed', messageOf(error))
  }
  // The contract numbers batches from 1 (`anchor_root` wants last + 1, and the last starts at 0);
  // get_root(0) answers (0, 0), so a batch 0 could never be checked on the chain.
  if (stated.batchId === 0n)
    return reject('malformed', 'batch_id must be at least 1: batches are numbered from 1')

  const position = positionProblem(index, leafCount, path.length)
  if (position !== null) return reject('bad_position', position)

  let leaf: bigint
  try {
    leaf = leafFromFields(doc.kind as LeafKind, doc.fields).hash
  } catch (error) {
    // An AnchoringError names the bad field; a record nested deep enough to exhaust the stack
    // while it is written as canonical JSON is a bad field too.
    return reject('bad_fields', messageOf(error))
  }
  if (leaf !== stated.leaf) {
    return reject(
      'leaf_mismatch',
      `the fields hash to ${feltToHex(leaf)}, the document states ${feltToHex(stated.leaf)}`,
    )
  }

  const root = processPath(leafNode(leaf, index, leafCount), stated.path)
  if (root !== stated.root) {
    return reject(
      'root_mismatch',
      `the path leads to ${feltToHex(root)}, the document states ${feltToHex(stated.root)}`,
    )
  }
  return { ok: true, root, leafCount: BigInt(leafCount), batchId: stated.batchId, leaf }
}
