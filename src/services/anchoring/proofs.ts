/**
 * Proofs: for a posting (its owner and admins) or a record (anyone), the leaf's plain fields,
 * its path to the batch's root, and where that root stands on the chain. The document verifies
 * with nothing but itself and the chain (`decision-markets verify`, domain/anchoring's
 * verifyProof).
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import {
  canonicalJson,
  feltToHex,
  fieldsOf,
  type LeafInput,
  leafOf,
  type ProofDocument,
} from '../../domain/anchoring/index.js'
import type { Principal } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import { assertAllowed } from '../identity/access.js'
import { findMarket } from '../markets/repository.js'
import { type PostingRow, postingInput, type RecordRow, recordInput } from './leaves.js'
import { type BatchRow, FindBatch, presentBatch } from './queries.js'
import { nodeFromBytes, siblingOffsets } from './tree-store.js'

const FindPosting = sql<PostingRow & { owner_id: string | null; entry_user_id: string | null }>(
  'AnchorFindPosting',
  `select p.seq, p.entry_id, p.account_id, p.amount, public.anchor_micros(p.created_at) as created_at_us,
          p.user_id as owner_id, e.user_id as entry_user_id
     from public.ledger_postings p join public.journal_entries e on e.id = p.entry_id
    where p.seq = $1`,
)

const FindRecord = sql<RecordRow>(
  'AnchorFindRecord',
  'select seq, kind, market_id, payload from public.anchor_records where seq = $1',
)

const BatchOfPosting = sql<{ id: bigint; first_posting: bigint }>(
  'AnchorBatchOfPosting',
  `select id, first_posting from public.anchor_batches
    where first_posting <= $1 and last_posting >= $1 order by id limit 1`,
)

const BatchOfRecord = sql<{ id: bigint; offset: bigint }>(
  'AnchorBatchOfRecord',
  `select id, (last_posting - first_posting + 1) + ($1 - first_record) as offset from public.anchor_batches
    where first_record <= $1 and last_record >= $1 order by id limit 1`,
)

// The siblings on one path, cut out of the stored tree (tree-store.ts).
const PathNodes = sql<{ nodes: Buffer[] }>(
  'AnchorPathNodes',
  `select array(select substring(b.tree from o for 32) from unnest($2::int[]) with ordinality as t(o, n) order by n) as nodes
     from public.anchor_batches b where b.id = $1`,
)

export interface ServedProof {
  proof: Omit<ProofDocument, 'path'> & { path: string[] }
  batch: ReturnType<typeof presentBatch>
  chain: { contract_address: string | null }
}

/** The proof of posting `seq`, for the user its account or entry belongs to, and admins. */
export async function postingProof(
  ctx: AppContext,
  principal: Principal | null,
  seq: bigint,
): Promise<ServedProof> {
  const posting = await ctx.db.maybeOne(FindPosting, [seq])
  if (!posting) throw errors.notFound('Posting', `No posting has sequence number ${seq}`)
  const ownerId = posting.owner_id ?? posting.entry_user_id
  assertAllowed(principal, 'ledger.proof', { ownerId })
  const batch = await ctx.db.maybeOne(BatchOfPosting, [seq])
  if (!batch) throw notYetBatched(ctx, `posting ${seq}`)
  return proofAt(ctx, batch.id, Number(seq - batch.first_posting), postingInput(posting))
}

/** The proof of record `seq` (a decision or a resolution): public, as the record is. */
export async function recordProof(ctx: AppContext, seq: bigint): Promise<ServedProof> {
  const record = await ctx.db.maybeOne(FindRecord, [seq])
  if (!record) throw errors.notFound('Record', `No decision or resolution record has sequence number ${seq}`)
  const batch = await ctx.db.maybeOne(BatchOfRecord, [seq])
  if (!batch) throw notYetBatched(ctx, `record ${seq}`)
  return proofAt(ctx, batch.id, Number(batch.offset), recordInput(record))
}

const LatestRecordOfMarket = sql<{ seq: bigint }>(
  'AnchorLatestRecordOfMarket',
  `select seq from public.anchor_records where market_id = $1 and kind = $2 order by seq desc limit 1`,
)

/** The proof of a market's decision record (or its latest resolution record). */
export async function marketRecordProof(
  ctx: AppContext,
  marketRef: string,
  kind: 'decision' | 'resolution',
): Promise<ServedProof> {
  const market = await findMarket(ctx.db, marketRef)
  const found = await ctx.db.maybeOne(LatestRecordOfMarket, [market.id, kind])
  if (!found) {
    throw errors.notFound(
      'Record',
      kind === 'decision' ? 'This market has not been decided' : 'This market has not been resolved',
    )
  }
  return recordProof(ctx, found.seq)
}

async function proofAt(
  ctx: AppContext,
  batchId: bigint,
  index: number,
  input: LeafInput,
): Promise<ServedProof> {
  const batch = (await ctx.db.one(FindBatch, [batchId])) as BatchRow
  const offsets = siblingOffsets(batch.leaf_count, index)
  const { nodes } = await ctx.db.one(PathNodes, [batchId, offsets])
  const proof: ServedProof['proof'] = {
    version: 1,
    kind: input.kind,
    // Through canonical JSON and back, as domain/anchoring's proofDocument does: the fields are
    // then the plain JSON the leaf's SHA-256 was taken over.
    fields: JSON.parse(canonicalJson(fieldsOf(input))),
    leaf: feltToHex(leafOf(input).hash),
    index,
    leaf_count: batch.leaf_count,
    path: nodes.map((node) => feltToHex(nodeFromBytes(node))),
    root: batch.root,
    batch_id: String(batch.id),
  }
  return {
    proof,
    batch: presentBatch(batch),
    chain: { contract_address: ctx.config.STARKNET_CONTRACT_ADDRESS ?? null },
  }
}

function notYetBatched(ctx: AppContext, what: string): AppError {
  return new AppError({
    code: ErrorCode.ProofNotReady,
    status: 409,
    title: 'Not anchored yet',
    detail: `${what} is not in a batch yet; batches close every ${ctx.config.ANCHOR_BATCH_MAX_LEAVES} entries or ${ctx.config.ANCHOR_INTERVAL_SECONDS} s`,
    headers: { 'retry-after': String(Math.min(ctx.config.ANCHOR_INTERVAL_SECONDS, 3600)) },
  })
}
