/**
 * Expiry of stored Idempotency-Keys. A key answers retries of its request for
 * IDEMPOTENCY_KEY_TTL_HOURS (the window in which clients retry; Stripe keeps 24 hours too); after
 * that a daily job deletes it, so the table holds about a day of trades rather than every trade
 * ever made, and the same key may name a new request. The trade itself keeps its key
 * (`trades.idempotency_key`) for the record.
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'

/** Every day at 03:17 UTC (off the hour, when the queue is quiet). */
export const PURGE_IDEMPOTENCY_KEYS_CRON = '17 3 * * *'

// Oldest first, a bounded batch per statement (idempotency_keys_created_idx): each delete is short
// and holds few row locks, however many keys a busy day left behind.
const DeleteExpiredKeys = sql(
  'DeleteExpiredIdempotencyKeys',
  `with expired as (
     select user_id, key from public.idempotency_keys
      where created_at < $1
      order by created_at
      limit $2
   )
   delete from public.idempotency_keys k
    using expired e
    where k.user_id = e.user_id and k.key = e.key`,
)

/**
 * Deletes the keys older than the configured time to live, in batches; returns how many. Running
 * it twice, or on two workers at once, deletes each key once and nothing else.
 */
export async function purgeIdempotencyKeys(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config'>,
  options: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 5000
  const before = new Date(ctx.clock.now().getTime() - ctx.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000)
  let total = 0
  for (;;) {
    const deleted = await ctx.db.execute(DeleteExpiredKeys, [before, batchSize])
    total += deleted
    if (deleted < batchSize) return total
  }
}
