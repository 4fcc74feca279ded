/**
 * Submitting closed batches to the chain, in order, one at a time, and marking each final only
 * when the chain says so.
 *
 * What makes a retry safe: the contract accepts batch n only as `last_batch + 1`, so a batch can
 * never be anchored twice, and before sending batch n the submitter asks the chain where it
 * stands. A process killed after sending but before storing the transaction hash finds, on
 * resume, either the root already on chain (it marks the batch anchored) or the chain still at
 * n - 1 (it waits out `resubmitAfterMs`, then sends again; if the first transaction lands after
 * all, the second reverts with BATCH_NOT_NEXT and the root on chain is the one it finds).
 *
 * One submitter at a time across all workers (a transaction-scoped advisory lock held while it
 * runs), so one account has one writer and its nonces stay in order. Status changes are written
 * outside that transaction, each committed as soon as it is known.
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import {
  type AnchorChain,
  ChainRefusedError,
  type ChainTxStatus,
  ChainUnavailableError,
} from '../../infra/starknet/index.js'

/** 'dmsubmt' in ASCII. */
const SUBMIT_LOCK_KEY = 0x646d7375626d74n

export interface SubmitOptions {
  /** A batch whose submission may still be in flight (crash before its hash was stored) waits this long. */
  resubmitAfterMs: number
  /** Backoff after a failed attempt: this, doubled per attempt, at most maxBackoffMs. */
  backoffMs: number
  maxBackoffMs: number
}

export type SubmitOutcome =
  | { kind: 'idle' } // nothing to submit
  | { kind: 'busy' } // another worker is submitting
  | { kind: 'waiting'; batch: bigint; why: string } // in flight, or backing off
  | { kind: 'conflict'; batch: bigint; why: string }

interface PendingBatch {
  id: bigint
  root: string
  leaf_count: number
  status: 'local' | 'submitted' | 'conflict'
  transaction_hash: string | null
  attempts: number
  submitted_at: Date | null
  next_attempt_at: Date | null
}

const TrySubmitLock = sql<{ locked: boolean }>(
  'AnchorTrySubmitLock',
  'select pg_try_advisory_xact_lock($1) as locked',
)

const NextPendingBatch = sql<PendingBatch>(
  'AnchorNextPendingBatch',
  `select id, root, leaf_count, status, transaction_hash, attempts, submitted_at, next_attempt_at
     from public.anchor_batches where status <> 'anchored' order by id limit 1`,
)

const MarkSending = sql(
  'AnchorMarkSending',
  `update public.anchor_batches set attempts = attempts + 1, submitted_at = $2, next_attempt_at = null
    where id = $1 and status = 'local'`,
)

const MarkSubmitted = sql(
  'AnchorMarkSubmitted',
  `update public.anchor_batches set status = 'submitted', transaction_hash = $2, last_error = null
    where id = $1 and status = 'local'`,
)

const MarkAnchored = sql(
  'AnchorMarkAnchored',
  `update public.anchor_batches
      set status = 'anchored', finality = $2, block_number = $3, anchored_at = $4, last_error = null,
          next_attempt_at = null
    where id = $1 and status <> 'anchored'`,
)

// Back to 'local' with the reason: the next attempt sends a new transaction.
const MarkFailed = sql(
  'AnchorMarkFailed',
  `update public.anchor_batches
      set status = 'local', transaction_hash = null, submitted_at = null, last_error = $2, next_attempt_at = $3
    where id = $1 and status <> 'anchored'`,
)

const MarkSendUncertain = sql(
  'AnchorMarkSendUncertain',
  `update public.anchor_batches set last_error = $2, next_attempt_at = $3 where id = $1 and status = 'local'`,
)

const MarkConflict = sql(
  'AnchorMarkConflict',
  `update public.anchor_batches set status = 'conflict', last_error = $2 where id = $1 and status <> 'anchored'`,
)

/**
 * Moves the anchoring forward as far as it can without waiting: marks accepted batches final,
 * sends the next one. Returns what it is waiting for.
 */
export async function submitPendingBatches(
  ctx: AppContext,
  chain: AnchorChain,
  options: SubmitOptions,
): Promise<SubmitOutcome> {
  return ctx.db.withTransaction(async (lock) => {
    const { locked } = await lock.one(TrySubmitLock, [SUBMIT_LOCK_KEY.toString()])
    if (!locked) return { kind: 'busy' }
    for (;;) {
      const batch = await ctx.db.maybeOne(NextPendingBatch)
      if (!batch) return { kind: 'idle' }
      const outcome = await advance(ctx, chain, batch, options)
      if (outcome !== 'next') return outcome
    }
  })
}

async function advance(
  ctx: AppContext,
  chain: AnchorChain,
  batch: PendingBatch,
  options: SubmitOptions,
): Promise<SubmitOutcome | 'next'> {
  const now = ctx.clock.now()
  if (batch.status === 'conflict') {
    return { kind: 'conflict', batch: batch.id, why: 'the chain holds another root for this batch' }
  }
  if (batch.next_attempt_at && batch.next_attempt_at > now) {
    return { kind: 'waiting', batch: batch.id, why: 'backing off after a failed attempt' }
  }
  try {
    if (batch.status === 'submitted' && batch.transaction_hash) {
      return await followTransaction(ctx, chain, batch, batch.transaction_hash, options)
    }
    return await sendIfNext(ctx, chain, batch, options)
  } catch (error) {
    if (error instanceof ChainUnavailableError || error instanceof ChainRefusedError) {
      await recordFailure(ctx, batch, error.message, options)
      return { kind: 'waiting', batch: batch.id, why: error.message }
    }
    throw error
  }
}

async function followTransaction(
  ctx: AppContext,
  chain: AnchorChain,
  batch: PendingBatch,
  hash: string,
  options: SubmitOptions,
): Promise<SubmitOutcome | 'next'> {
  const status: ChainTxStatus = await chain.status(hash)
  switch (status.state) {
    case 'accepted':
      await markAnchored(ctx, batch, status.finality, status.blockNumber)
      return 'next'
    case 'pending':
      return { kind: 'waiting', batch: batch.id, why: `transaction ${hash} is ${status.finality}` }
    default: {
      // Reverted, refused or forgotten: the batch may still be on chain (an earlier transaction
      // of ours landed first); only the chain's own state tells.
      const found = await compareWithChain(ctx, chain, batch)
      if (found !== 'absent') return found
      const why =
        status.state === 'unknown'
          ? `transaction ${hash} is unknown to the node`
          : `${status.state}: ${status.reason}`
      await recordFailure(ctx, batch, why, options)
      return { kind: 'waiting', batch: batch.id, why }
    }
  }
}

async function sendIfNext(
  ctx: AppContext,
  chain: AnchorChain,
  batch: PendingBatch,
  options: SubmitOptions,
): Promise<SubmitOutcome | 'next'> {
  const found = await compareWithChain(ctx, chain, batch)
  if (found !== 'absent') return found
  const last = await chain.lastBatch()
  if (last !== batch.id - 1n) {
    const why = `the contract's last batch is ${last}, expected ${batch.id - 1n}`
    await recordFailure(ctx, batch, why, options)
    return { kind: 'waiting', batch: batch.id, why }
  }
  const now = ctx.clock.now()
  if (batch.submitted_at && now.getTime() - batch.submitted_at.getTime() < options.resubmitAfterMs) {
    return { kind: 'waiting', batch: batch.id, why: 'a submission may still be in flight' }
  }
  await ctx.db.execute(MarkSending, [batch.id, now])
  let transactionHash: string
  try {
    ;({ transactionHash } = await chain.submit({
      batchId: batch.id,
      root: BigInt(batch.root),
      leafCount: BigInt(batch.leaf_count),
    }))
  } catch (error) {
    if (!(error instanceof ChainUnavailableError)) throw error
    // The node may have received it before the answer was lost: keep submitted_at, so the next
    // attempt first waits out resubmitAfterMs and looks at the chain.
    const why = `sending: ${error.message}`
    await ctx.db.execute(MarkSendUncertain, [batch.id, why.slice(0, 1000), backoffUntil(ctx, batch, options)])
    return { kind: 'waiting', batch: batch.id, why }
  }
  await ctx.db.execute(MarkSubmitted, [batch.id, transactionHash])
  ctx.log.info({ batch: String(batch.id), transactionHash }, 'anchoring batch submitted')
  return { kind: 'waiting', batch: batch.id, why: `transaction ${transactionHash} sent` }
}

/** 'absent' when the chain has no root for the batch; otherwise the batch is settled either way. */
async function compareWithChain(
  ctx: AppContext,
  chain: AnchorChain,
  batch: PendingBatch,
): Promise<'absent' | 'next' | SubmitOutcome> {
  const onChain = await chain.getRoot(batch.id)
  if (!onChain) return 'absent'
  if (onChain.root === BigInt(batch.root) && onChain.leafCount === BigInt(batch.leaf_count)) {
    // Read from the latest block, which the chain has accepted.
    await markAnchored(ctx, batch, 'ACCEPTED_ON_L2', null)
    return 'next'
  }
  const why = `the contract holds root 0x${onChain.root.toString(16)} with ${onChain.leafCount} leaves for batch ${batch.id}, not ${batch.root} with ${batch.leaf_count}`
  await ctx.db.execute(MarkConflict, [batch.id, why])
  ctx.log.error({ batch: String(batch.id) }, why)
  return { kind: 'conflict', batch: batch.id, why }
}

async function markAnchored(
  ctx: AppContext,
  batch: PendingBatch,
  finality: string,
  blockNumber: number | null,
) {
  await ctx.db.execute(MarkAnchored, [batch.id, finality, blockNumber, ctx.clock.now()])
  ctx.log.info({ batch: String(batch.id), finality }, 'anchoring batch final')
}

function backoffUntil(ctx: AppContext, batch: PendingBatch, options: SubmitOptions): Date {
  const delay = Math.min(options.backoffMs * 2 ** Math.min(batch.attempts, 20), options.maxBackoffMs)
  return new Date(ctx.clock.now().getTime() + delay)
}

async function recordFailure(ctx: AppContext, batch: PendingBatch, why: string, options: SubmitOptions) {
  const until = backoffUntil(ctx, batch, options)
  await ctx.db.execute(MarkFailed, [batch.id, why.slice(0, 1000), until])
  ctx.log.warn({ batch: String(batch.id), attempts: batch.attempts, retryAt: until }, `anchoring: ${why}`)
}
