/**
 * The anchoring core: leaves for postings, decision records and resolutions, a Poseidon Merkle
 * tree OpenZeppelin's Cairo verifier accepts, proof documents and their verifier. Pure: no I/O,
 * no clock; the batch job, the API, the `verify` command and the tests share it.
 */
export {
  canonicalJson,
  canonicalJsonLimbs,
  type JsonValue,
  sha256Int,
  sha256Limbs,
} from './canonical-json.js'
export { AnchoringError, AnchoringErrorCode, isAnchoringError } from './errors.js'
export {
  assertFelt,
  assertUnsigned,
  FIELD_PRIME,
  feltToHex,
  parseFeltHex,
  parseSignedDecimal,
  parseUnsignedDecimal,
  shortStringFelt,
  U32_LIMIT,
  U64_LIMIT,
  U128_LIMIT,
} from './field.js'
export {
  type DecisionFields,
  type DecisionLeafInput,
  decisionFields,
  decisionLeaf,
  decodeSignedAmount,
  encodeSignedAmount,
  fieldsOf,
  inputFromFields,
  LEAF_KINDS,
  LEAF_TAGS,
  type Leaf,
  type LeafInput,
  type LeafKind,
  leafFromFields,
  leafOf,
  MAX_OUTCOME_LENGTH,
  outcomeFelt,
  type PostingFields,
  type PostingLeafInput,
  postingFields,
  postingLeaf,
  type ResolutionFields,
  type ResolutionLeafInput,
  resolutionFields,
  resolutionLeaf,
  uuidToU128,
} from './leaves.js'
export {
  buildTree,
  buildTreeSteps,
  commutativeHash,
  LEAF_AT_TAG,
  leafNode,
  levelWidths,
  MAX_LEAF_COUNT,
  type MerkleTree,
  merkleRoot,
  pathLength,
  processPath,
  proofPath,
  siblingPositions,
  treeOfNodes,
} from './merkle.js'
export {
  PROOF_VERSION,
  type ProofDocument,
  type ProofRejection,
  proofDocument,
  type VerifyResult,
  verifyProof,
} from './proof.js'
