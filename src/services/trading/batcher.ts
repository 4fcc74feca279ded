/**
 * Group commit: the trades a process receives while its current batch is committing go
 * together into its next batch: one money transaction, each branch locked once, set-based
 * writes, one posting statement (so the ledger's counter row is taken once per batch, not per
 * trade), one commit for all of them. A trade is answered only once its batch has committed.
 *
 * Batches are across all markets (with many markets and a few trades each, per-market batches
 * would be batches of one), and TRADE_BATCHES_IN_FLIGHT of them run at once per process: while
 * one commits, the next is already in the database, queued on the branch locks they share
 * (taken in ascending id, so they cannot deadlock) or running alongside on others. The batch locks the branches of
 * all its markets in ascending id (services/money/transaction.ts), so batches of several
 * processes, and the lifecycle steps that lock a market's branches, never deadlock one
 * another; the database orders them. An idle process sends a lone trade at once: batching adds
 * no wait, only what arrived meanwhile is grouped.
 *
 * A batch fails as a whole only on an error no single order explains (a bug, the database
 * gone): then each of its orders runs again alone, so one bad order cannot take the others
 * down with it, and each gets its own answer.
 */
import type { AppContext } from '../../context.js'
import { DatabaseError } from '../../db/errors.js'
import { AppError } from '../../errors/codes.js'
import { type CommittedBranch, tradesCommitted } from '../markets/versions.js'
import { withMoneyTransaction } from '../money/transaction.js'
import { publishTrades } from '../realtime/publish.js'
import type { FeedTrade } from '../realtime/queries.js'
import { answeredElsewhere, claimKeys, keyOf, type PlacedTrade } from './idempotency.js'
import { tradeMetrics } from './metrics.js'
import { executeOrders, type TradeOrder, type TradeOutcome } from './write.js'

type Answer = { ok: true; placed: PlacedTrade } | { ok: false; error: AppError }

/**
 * Runs `orders` as one batch: claims their keys, executes the rest, commits, and returns one
 * answer per order. Keys must be distinct within the batch (the batcher defers duplicates).
 * `committed` receives the batch's trades as the realtime feed shows them (valid once this
 * resolves: the transaction may run more than once).
 */
export async function runBatch(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock'>,
  orders: readonly TradeOrder[],
  committed: FeedTrade[] = [],
): Promise<Answer[]> {
  return (await runBatchCommitted(ctx, orders, committed)).answers
}

/**
 * runBatch, with the branches' trade numbers as committed (for the read cache's versions) and
 * the committed trades for the feed (`feed` is filled at commit; emptied if the batch is retried).
 */
async function runBatchCommitted(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock'>,
  orders: readonly TradeOrder[],
  feed: FeedTrade[] = [],
): Promise<{ answers: Answer[]; committed: CommittedBranch[]; feed: FeedTrade[] }> {
  const committed: CommittedBranch[] = []
  const answers = await withMoneyTransaction(ctx.db, async (m) => {
    committed.length = 0
    feed.length = 0
    const keyed = orders.flatMap((o) => (o.idempotency ? [o.idempotency] : []))
    const answered = await claimKeys(m.tx, keyed, ctx.clock.now())
    const elsewhere = orders.map((o) =>
      o.idempotency ? answeredElsewhere(answered, o.idempotency) : undefined,
    )
    const mine = orders.filter((_, i) => elsewhere[i] === undefined)
    const outcomes = await executeOrders(m, ctx, mine)
    mine.forEach((order, i) => {
      const outcome = outcomes[i]
      if (outcome?.ok) {
        committed.push({
          marketId: order.market.id,
          branchIndex: outcome.response.trade.branch_index,
          seq: outcome.branchSeq,
        })
        feed.push(feedTrade(order, outcome))
      }
    })
    let next = 0
    return orders.map((_, i): Answer => {
      const other = elsewhere[i]
      if (other instanceof AppError) return { ok: false, error: other }
      if (other) return { ok: true, placed: other }
      const outcome = outcomes[next++]
      if (!outcome) throw new Error('executeOrders returned fewer outcomes than orders')
      return outcome.ok
        ? { ok: true, placed: { response: outcome.response, replayed: false } }
        : { ok: false, error: outcome.error }
    })
  })
  return { answers, committed, feed }
}

function feedTrade(order: TradeOrder, outcome: Extract<TradeOutcome, { ok: true }>): FeedTrade {
  const { fill, response } = outcome
  return {
    id: response.trade.id,
    market_id: response.trade.market_id,
    branch_id: response.trade.branch_id,
    branch_index: response.trade.branch_index,
    branch_seq: String(outcome.branchSeq),
    trader_id: order.userId,
    outcome: order.outcome,
    side: fill.side,
    shares: String(fill.shares),
    cost: String(fill.cost),
    proceeds: String(fill.proceeds),
    fee: String(fill.fee),
    prices_after: [...fill.pricesAfter],
    created_at: response.trade.created_at,
  }
}

interface Waiting {
  order: TradeOrder
  resolve: (placed: PlacedTrade) => void
  reject: (error: unknown) => void
}

/** What a batcher has done since it started: for the bench, tests and metrics. */
export interface BatcherStats {
  /** Batch transactions run (a batch run again order by order counts each run). */
  batches: number
  /** Orders answered. */
  orders: number
  /** The largest batch. */
  largest: number
  /** Batches that failed as a whole and were run again order by order. */
  split: number
}

/** The process's trade queue: `submit` resolves once the order's batch has committed. */
export class TradeBatcher {
  private waiting: Waiting[] = []
  private inFlight = 0
  /** Keys of the orders in batches now running. */
  private readonly runningKeys = new Set<string>()
  readonly stats: BatcherStats = { batches: 0, orders: 0, largest: 0, split: 0 }
  private readonly maxBatch: number
  private readonly maxInFlight: number
  private readonly batchSize: { observe(value: number): void }

  constructor(
    private readonly ctx: Pick<
      AppContext,
      'db' | 'config' | 'clock' | 'log' | 'metrics' | 'readCache' | 'bus'
    >,
    options: { maxBatch?: number; inFlight?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? ctx.config.TRADE_BATCH_MAX
    this.maxInFlight = options.inFlight ?? ctx.config.TRADE_BATCHES_IN_FLIGHT
    this.batchSize = tradeMetrics(ctx.metrics).batchSize
  }

  submit(order: TradeOrder): Promise<PlacedTrade> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ order, resolve, reject })
      this.pump()
    })
  }

  /** Starts batches while there are orders waiting and room in flight. */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.take()
      if (batch.length === 0) return // every waiting order's key is in a running batch
      const keys = batch.flatMap((w) => (w.order.idempotency ? [keyOf(w.order.idempotency)] : []))
      for (const key of keys) this.runningKeys.add(key)
      this.inFlight += 1
      void this.run(batch).then((answer) => {
        this.inFlight -= 1
        for (const key of keys) this.runningKeys.delete(key)
        this.pump()
        answer()
      })
    }
  }

  /**
   * The next batch: the oldest orders, up to maxBatch. An order whose key is already in this
   * batch or in a running one waits for a later batch, where it finds the first one's answer
   * under the key (rather than queueing in the database on the key's row).
   */
  private take(): Waiting[] {
    const batch: Waiting[] = []
    const rest: Waiting[] = []
    const keys = new Set<string>()
    for (const w of this.waiting) {
      const key = w.order.idempotency ? keyOf(w.order.idempotency) : undefined
      const taken = key !== undefined && (keys.has(key) || this.runningKeys.has(key))
      if (batch.length >= this.maxBatch || taken) {
        rest.push(w)
        continue
      }
      if (key !== undefined) keys.add(key)
      batch.push(w)
    }
    this.waiting = rest
    return batch
  }

  /**
   * Runs the batch and returns what answers its orders, without answering them yet: the caller
   * first starts the next batch, so the database works on it while this process writes this
   * batch's responses (a batch of 32 answers is ~10 ms of the event loop's time).
   */
  private async run(batch: Waiting[]): Promise<() => void> {
    this.stats.batches += 1
    this.stats.largest = Math.max(this.stats.largest, batch.length)
    this.batchSize.observe(batch.length)
    let answers: Answer[]
    let committed: CommittedBranch[]
    let feed: FeedTrade[]
    try {
      ;({ answers, committed, feed } = await runBatchCommitted(
        this.ctx,
        batch.map((w) => w.order),
      ))
    } catch (error) {
      if (batch.length === 1 || (error instanceof DatabaseError && error.failure === 'unavailable')) {
        this.stats.orders += batch.length
        return () => {
          for (const w of batch) w.reject(error)
        }
      }
      this.ctx.log.warn({ err: error, orders: batch.length }, 'trade batch failed; running its orders alone')
      this.stats.split += 1
      for (const w of batch) (await this.run([w]))()
      return () => {}
    }
    // Committed, and before any answer: a trader's next read, on any process, must see their
    // trade. Outside the try: it never throws, and nothing after a commit may run the orders
    // again. Bounded by READ_CACHE_TIMEOUT_MS when Redis is slow.
    await tradesCommitted(this.ctx.readCache, committed)
    // Committed: now, and not before, the feed may tell (it never throws nor waits).
    publishTrades(this.ctx, feed)
    this.stats.orders += batch.length
    return () =>
      batch.forEach((w, i) => {
        const answer = answers[i] as Answer
        if (answer.ok) w.resolve(answer.placed)
        else w.reject(answer.error)
      })
  }
}

const batchers = new WeakMap<object, TradeBatcher>()

/** The batcher of this process's context (one per context, created on first use). */
export function tradeBatcher(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log' | 'metrics' | 'readCache' | 'bus'>,
): TradeBatcher {
  let batcher = batchers.get(ctx)
  if (!batcher) {
    batcher = new TradeBatcher(ctx)
    batchers.set(ctx, batcher)
  }
  return batcher
}
