/**
 * Closing anchoring batches: the next committed postings and records, hashed into a Merkle tree
 * whose root is stored as batch n + 1 (status `local` until a chain accepts it, submit.ts).
 *
 * Why the prefix read here is final: a posting's seq and the ledger_sequence row that hands it
 * out are written by the same transaction, so once `last_seq` = N is visible, postings 1..N are
 * all committed and none will ever appear below N (20261125020100_ledger.sql). The records'
 * counter works the same way. A batch therefore never misses an entry that commits later.
 *
 * One closer at a time, whichever worker runs it: a transaction-scoped advisory lock; a second
 * worker finds it taken and leaves the work to the first. The database refuses a batch that does
 * not follow the last one (anchor_batches_contiguous), whatever the code does.
 */
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { hashBatchLeaves, type PostingRow, type RecordRow } from './leaves.js'
import { packTree } from './tree-store.js'

/** 'dmanchr' in ASCII: the closers' advisory lock (the submitter has its own). */
const CLOSE_LOCK_KEY = 0x646d616e636872n

export interface ClosedBatch {
  id: bigint
  firstPosting: bigint
  lastPosting: bigint
  firstRecord: bigint
  lastRecord: bigint
  leafCount: number
  root: bigint
}

interface Frontier {
  next_batch: bigint
  next_posting: bigint
  next_record: bigint
  last_posting_seq: bigint
  last_record_seq: bigint
  oldest_posting_at: Date | null
  oldest_record_at: Date | null
}

const TryCloseLock = sql<{ locked: boolean }>(
  'AnchorTryCloseLock',
  'select pg_try_advisory_xact_lock($1) as locked',
)

// What has committed beyond the last batch, and how long the oldest of it has waited.
const ReadFrontier = sql<Frontier>(
  'AnchorReadFrontier',
  `with last as (
     -- Batches are contiguous, so the last one ends both streams' batched prefixes.
     select coalesce(b.id, 0) + 1 as next_batch,
            coalesce(b.last_posting, 0) + 1 as next_posting,
            coalesce(b.last_record, 0) + 1 as next_record
       from (select 1) one
       left join lateral (select id, last_posting, last_record from public.anchor_batches
                           order by id desc limit 1) b on true
   )
   select last.next_batch, last.next_posting, last.next_record,
          (select last_seq from public.ledger_sequence) as last_posting_seq,
          (select last_seq from public.anchor_record_sequence) as last_record_seq,
          (select created_at from public.ledger_postings where seq = last.next_posting) as oldest_posting_at,
          (select created_at from public.anchor_records where seq = last.next_record) as oldest_record_at
     from last`,
)

const ReadPostings = sql<PostingRow>(
  'AnchorReadPostings',
  `select p.seq, p.entry_id, p.account_id, p.amount, public.anchor_micros(p.created_at) as created_at_us
     from public.ledger_postings p
    where p.seq between $1 and $2
    order by p.seq`,
)

const ReadRecords = sql<RecordRow>(
  'AnchorReadRecords',
  `select seq, kind, market_id, payload from public.anchor_records where seq between $1 and $2 order by seq`,
)

const InsertBatch = sql(
  'AnchorInsertBatch',
  `insert into public.anchor_batches
     (id, first_posting, last_posting, first_record, last_record, leaf_count, root, tree, status, created_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, 'local', $9)`,
)

export interface CloseOptions {
  /** Most leaves (postings and records together) in one batch. */
  maxLeaves: number
  /** A batch closes once its oldest entry has waited this long, however few entries there are. */
  intervalMs: number
  /** Most batches closed by one call (default: every one that is due). */
  maxBatches?: number
}

/**
 * Closes every batch that is due: full ones while the backlog has `maxLeaves` entries, then one
 * with what is left if its oldest entry has waited `intervalMs`. Returns what it closed.
 */
export async function closeDueBatches(ctx: AppContext, options: CloseOptions): Promise<ClosedBatch[]> {
  const closed: ClosedBatch[] = []
  while (closed.length < (options.maxBatches ?? Number.POSITIVE_INFINITY)) {
    const batch = await ctx.db.withTransaction((tx) => closeNextBatch(ctx, tx, options))
    if (!batch) return closed
    closed.push(batch)
    ctx.log.info(
      { batch: String(batch.id), leaves: batch.leafCount, root: `0x${batch.root.toString(16)}` },
      'anchoring batch closed',
    )
  }
  return closed
}

async function closeNextBatch(ctx: AppContext, tx: Transaction, options: CloseOptions) {
  const { locked } = await tx.one(TryCloseLock, [CLOSE_LOCK_KEY.toString()])
  if (!locked) return null
  const frontier = await tx.one(ReadFrontier)
  const pendingPostings = frontier.last_posting_seq - frontier.next_posting + 1n
  const pendingRecords = frontier.last_record_seq - frontier.next_record + 1n
  if (pendingPostings + pendingRecords === 0n) return null
  const now = ctx.clock.now().getTime()
  const waitedLongEnough = [frontier.oldest_posting_at, frontier.oldest_record_at].some(
    (at) => at !== null && now - at.getTime() >= options.intervalMs,
  )
  if (pendingPostings + pendingRecords < BigInt(options.maxLeaves) && !waitedLongEnough) return null

  // Records first: they are few (one per decision or resolution), and must not wait behind a
  // backlog of postings.
  const max = BigInt(options.maxLeaves)
  const recordCount = pendingRecords < max ? pendingRecords : max
  const postingCount = pendingPostings < max - recordCount ? pendingPostings : max - recordCount
  const lastPosting = frontier.next_posting + postingCount - 1n
  const lastRecord = frontier.next_record + recordCount - 1n
  const postings = postingCount > 0n ? await tx.many(ReadPostings, [frontier.next_posting, lastPosting]) : []
  const records = recordCount > 0n ? await tx.many(ReadRecords, [frontier.next_record, lastRecord]) : []
  if (BigInt(postings.length) !== postingCount || BigInt(records.length) !== recordCount) {
    // Cannot happen while the sequences are gap-free; if it did, anchoring a batch with a hole
    // would make the hole permanent.
    throw new Error(
      `anchoring: expected postings ${frontier.next_posting}..${lastPosting} and records ` +
        `${frontier.next_record}..${lastRecord}, found ${postings.length} and ${records.length}`,
    )
  }

  const tree = await hashBatchLeaves(postings, records)
  const batch: ClosedBatch = {
    id: frontier.next_batch,
    firstPosting: frontier.next_posting,
    lastPosting,
    firstRecord: frontier.next_record,
    lastRecord,
    leafCount: tree.leafCount,
    root: tree.root,
  }
  await tx.execute(InsertBatch, [
    batch.id,
    batch.firstPosting,
    batch.lastPosting,
    batch.firstRecord,
    batch.lastRecord,
    batch.leafCount,
    `0x${batch.root.toString(16)}`,
    packTree(tree.levels),
    ctx.clock.now(),
  ])
  return batch
}
