/**
 * Group commit: the trades a process receives while its current batch is committing go
 * together into its next batch: one money transaction, each branch locked once, set-based
 * writes, one posting statement (so the ledger's counter row is taken once per batch, not per
 * trade), one commit for all of them. A trade is answered only once its batch has committed.
 *
 * One batch is in flight per process at a time, across all markets: with many markets and a
 * few trades each, per-market batches would be batches of one. The batch locks the branches of
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
import { withMoneyTransaction } from '../money/transaction.js'
import { answeredElsewhere, claimKeys, type KeyedRequest, type PlacedTrade } from './idempotency.js'
import { executeOrders, type TradeOrder } from './write.js'

/** Most orders per batch: bounds the statements' sizes and the time the batch holds locks. */
export const MAX_BATCH = 256

type Answer = { ok: true; placed: PlacedTrade } | { ok: false; error: AppError }

/**
 * Runs `orders` as one batch: claims their keys, executes the rest, commits, and returns one
 * answer per order. Keys must be distinct within the batch (the batcher defers duplicates).
 */
export async function runBatch(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock'>,
  orders: readonly TradeOrder[],
): Promise<Answer[]> {
  return withMoneyTransaction(ctx.db, async (m) => {
    const keyed = orders.flatMap((o) => (o.idempotency ? [o.idempotency] : []))
    const answered = await claimKeys(m.tx, keyed, ctx.clock.now())
    const elsewhere = orders.map((o) =>
      o.idempotency ? answeredElsewhere(answered, o.idempotency) : undefined,
    )
    const mine = orders.filter((_, i) => elsewhere[i] === undefined)
    const outcomes = await executeOrders(m, ctx, mine)
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
}

interface Waiting {
  order: TradeOrder
  resolve: (placed: PlacedTrade) => void
  reject: (error: unknown) => void
}

const keyOf = (k: KeyedRequest) => `${k.userId}\u0000${k.key}`

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
  private running = false
  readonly stats: BatcherStats = { batches: 0, orders: 0, largest: 0, split: 0 }

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  submit(order: TradeOrder): Promise<PlacedTrade> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ order, resolve, reject })
      if (!this.running) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.waiting.length > 0) await this.run(this.take())
    } finally {
      this.running = false
    }
  }

  /**
   * The next batch: the oldest orders, up to maxBatch. A second order with a key already in
   * the batch waits for the next one, where it finds the first one's answer under the key.
   */
  private take(): Waiting[] {
    const batch: Waiting[] = []
    const rest: Waiting[] = []
    const keys = new Set<string>()
    for (const w of this.waiting) {
      const key = w.order.idempotency ? keyOf(w.order.idempotency) : undefined
      if (batch.length >= this.maxBatch || (key !== undefined && keys.has(key))) {
        rest.push(w)
        continue
      }
      if (key !== undefined) keys.add(key)
      batch.push(w)
    }
    this.waiting = rest
    return batch
  }

  private async run(batch: Waiting[]): Promise<void> {
    let answers: Answer[]
    this.stats.batches += 1
    this.stats.largest = Math.max(this.stats.largest, batch.length)
    try {
      answers = await runBatch(
        this.ctx,
        batch.map((w) => w.order),
      )
    } catch (error) {
      if (batch.length === 1 || (error instanceof DatabaseError && error.failure === 'unavailable')) {
        this.stats.orders += batch.length
        for (const w of batch) w.reject(error)
        return
      }
      this.ctx.log.warn({ err: error, orders: batch.length }, 'trade batch failed; running its orders alone')
      this.stats.split += 1
      for (const w of batch) await this.run([w])
      return
    }
    this.stats.orders += batch.length
    batch.forEach((w, i) => {
      const answer = answers[i] as Answer
      if (answer.ok) w.resolve(answer.placed)
      else w.reject(answer.error)
    })
  }
}

const batchers = new WeakMap<object, TradeBatcher>()

/** The batcher of this process's context (one per context, created on first use). */
export function tradeBatcher(ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>): TradeBatcher {
  let batcher = batchers.get(ctx)
  if (!batcher) {
    batcher = new TradeBatcher(ctx)
    batchers.set(ctx, batcher)
  }
  return batcher
}
