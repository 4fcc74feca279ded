/**
 * What the API and /readyz show of anchoring: the batches, and how far anchoring lags behind
 * the ledger.
 */
import { type Queryable, sql } from '../../db/database.js'
import { decodeSeqCursor, encodeSeqCursor } from '../cursors.js'

export interface BatchRow {
  id: bigint
  first_posting: bigint
  last_posting: bigint
  first_record: bigint
  last_record: bigint
  leaf_count: number
  root: string
  status: 'local' | 'submitted' | 'anchored' | 'conflict'
  transaction_hash: string | null
  finality: string | null
  block_number: bigint | null
  attempts: number
  last_error: string | null
  next_attempt_at: Date | null
  created_at: Date
  submitted_at: Date | null
  anchored_at: Date | null
}

const BATCH_COLUMNS = `id, first_posting, last_posting, first_record, last_record, leaf_count, root, status,
  transaction_hash, finality, block_number, attempts, last_error, next_attempt_at, created_at, submitted_at, anchored_at`

const ListBatches = sql<BatchRow>(
  'AnchorListBatches',
  `select ${BATCH_COLUMNS} from public.anchor_batches
    where ($1::bigint is null or id < $1) order by id desc limit $2`,
)

export const FindBatch = sql<BatchRow>(
  'AnchorFindBatch',
  `select ${BATCH_COLUMNS} from public.anchor_batches where id = $1`,
)

export interface AnchoringStatus {
  /** Postings and records committed but in no batch yet. */
  unbatched_postings: string
  unbatched_records: string
  /** Batches not yet final on a chain (local, submitted, conflict). */
  pending_batches: number
  conflicts: number
  last_anchored_batch: string | null
  /** Seconds since the oldest entry that is not yet in an anchored batch was committed. */
  lag_seconds: number
}

const ReadStatus = sql<{
  unbatched_postings: bigint
  unbatched_records: bigint
  pending_batches: bigint
  conflicts: bigint
  last_anchored: bigint | null
  oldest_unanchored_at: Date | null
}>(
  'AnchorReadStatus',
  `with batched as (
     select coalesce(b.last_posting, 0) as posting, coalesce(b.last_record, 0) as record
       from (select 1) one
       left join lateral (select last_posting, last_record from public.anchor_batches
                           order by id desc limit 1) b on true
   ), anchored as (
     -- Batches are anchored in order: the last anchored one ends the anchored prefixes.
     select coalesce(b.last_posting, 0) as posting, coalesce(b.last_record, 0) as record, b.id
       from (select 1) one
       left join lateral (select id, last_posting, last_record from public.anchor_batches
                           where id < coalesce((select min(id) from public.anchor_batches where status <> 'anchored'),
                                               9223372036854775807)
                           order by id desc limit 1) b on true
   )
   select (select last_seq from public.ledger_sequence) - batched.posting as unbatched_postings,
          (select last_seq from public.anchor_record_sequence) - batched.record as unbatched_records,
          (select count(*) from public.anchor_batches where status <> 'anchored') as pending_batches,
          (select count(*) from public.anchor_batches where status = 'conflict') as conflicts,
          anchored.id as last_anchored,
          least((select created_at from public.ledger_postings where seq = anchored.posting + 1),
                (select created_at from public.anchor_records where seq = anchored.record + 1)) as oldest_unanchored_at
     from batched, anchored`,
)

export async function anchoringStatus(db: Queryable, now: Date): Promise<AnchoringStatus> {
  const row = await db.one(ReadStatus)
  return {
    unbatched_postings: String(row.unbatched_postings),
    unbatched_records: String(row.unbatched_records),
    pending_batches: Number(row.pending_batches),
    conflicts: Number(row.conflicts),
    last_anchored_batch: row.last_anchored === null ? null : String(row.last_anchored),
    lag_seconds:
      row.oldest_unanchored_at === null
        ? 0
        : Math.max(0, Math.round((now.getTime() - row.oldest_unanchored_at.getTime()) / 1000)),
  }
}

export function presentBatch(row: BatchRow) {
  return {
    id: String(row.id),
    postings: { first: String(row.first_posting), last: String(row.last_posting) },
    records: { first: String(row.first_record), last: String(row.last_record) },
    leaf_count: row.leaf_count,
    root: row.root,
    status: row.status,
    final: row.status === 'anchored',
    transaction_hash: row.transaction_hash,
    finality: row.finality,
    block_number: row.block_number === null ? null : Number(row.block_number),
    attempts: row.attempts,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    submitted_at: row.submitted_at?.toISOString() ?? null,
    anchored_at: row.anchored_at?.toISOString() ?? null,
  }
}

export async function listBatches(db: Queryable, options: { limit: number; cursor?: string }) {
  const before = decodeSeqCursor('anchors', options.cursor) ?? null
  const rows = await db.many(ListBatches, [before, options.limit + 1])
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    items: page.map(presentBatch),
    next_cursor: rows.length > options.limit && last ? encodeSeqCursor('anchors', last.id) : null,
  }
}
