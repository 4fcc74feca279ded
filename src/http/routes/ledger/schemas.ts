/** The shapes of the anchoring endpoints (GET /v1/ledger/anchors and the proofs). */
import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp } from '../markets/schemas.js'

const Range = Type.Object(
  { first: Type.String(), last: Type.String() },
  { description: 'Inclusive sequence range; empty when last is first - 1' },
)

export const AnchorBatch = Type.Object({
  id: Type.String({ description: 'Consecutive from 1; the batch id on the contract' }),
  postings: Range,
  records: Range,
  leaf_count: Type.Integer(),
  root: Type.String({ description: 'Poseidon Merkle root (0x hex felt)' }),
  status: Type.Union(
    [Type.Literal('local'), Type.Literal('submitted'), Type.Literal('anchored'), Type.Literal('conflict')],
    {
      description:
        'local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id',
    },
  ),
  final: Type.Boolean(),
  transaction_hash: Nullable(Type.String()),
  finality: Nullable(Type.String({ description: 'ACCEPTED_ON_L2 or ACCEPTED_ON_L1 once anchored' })),
  block_number: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  submitted_at: Nullable(Timestamp),
  anchored_at: Nullable(Timestamp),
})

export const AnchoringStatus = Type.Object({
  unbatched_postings: Type.String(),
  unbatched_records: Type.String(),
  pending_batches: Type.Integer(),
  conflicts: Type.Integer(),
  last_anchored_batch: Nullable(Type.String()),
  lag_seconds: Type.Integer({ description: 'Age of the oldest entry not yet in an anchored batch' }),
})

export const Chain = Type.Object({
  contract_address: Nullable(
    Type.String({ description: 'The anchor contract; null when no chain is configured' }),
  ),
})

export const ProofDocumentSchema = Type.Object(
  {
    version: Type.Literal(1),
    kind: Type.Union([Type.Literal('posting'), Type.Literal('decision'), Type.Literal('resolution')]),
    fields: Type.Record(Type.String(), Type.Unknown(), {
      description: "The leaf's plain fields; the verifier recomputes the leaf from them alone",
    }),
    leaf: Type.String({ description: 'The leaf hash (0x hex felt)' }),
    index: Type.Integer({ description: "The leaf's position in its batch" }),
    leaf_count: Type.Integer(),
    path: Type.Array(Type.String(), {
      description: 'Siblings from the bottom up (OpenZeppelin verify_poseidon order)',
    }),
    root: Type.String(),
    batch_id: Type.String(),
  },
  { description: 'Checks offline with `decision-markets verify`, and against the chain with --rpc-url' },
)

export const ServedProof = Type.Object({
  proof: ProofDocumentSchema,
  batch: AnchorBatch,
  chain: Chain,
})
