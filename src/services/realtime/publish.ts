/**
 * Publishing a committed trade batch to the bus: one message per batch, to every process, with
 * the trades as the feed shows them (so the processes that relay them to clients need no read)
 * and the traders (whose private channels then read their new postings from the database).
 *
 * Only after COMMIT (services/trading/batcher.ts calls it once runBatch has returned), so no
 * client ever sees a trade that rolled back. Never awaited and never throws: a publish lost here
 * (Redis away, this process killed right after the commit) is found by the subscribers'
 * processes, by a gap in the next trade's seq or by their catch-up poll (feed.ts), and read from
 * the database.
 */
import type { AppContext } from '../../context.js'
import type { FeedTrade } from './queries.js'

export interface FeedMessage {
  /** When the batch committed (ms since the epoch): dm_realtime_publish_lag_seconds starts here. */
  committedAt: number
  trades: FeedTrade[]
  /** The traders of the batch: their `user` channels have news. */
  users: string[]
}

export function publishTrades(ctx: Pick<AppContext, 'bus'>, trades: readonly FeedTrade[]): void {
  if (trades.length === 0) return
  const message: FeedMessage = {
    committedAt: Date.now(),
    trades: [...trades],
    users: [...new Set(trades.map((t) => t.trader_id))],
  }
  ctx.bus.publish(JSON.stringify(message))
}
