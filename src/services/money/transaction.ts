/**
 * The money transaction: the one way to run a transaction that moves money or moves a market,
 * with the lock order of the whole platform checked as it runs rather than written in comments.
 *
 *   withMoneyTransaction(db, async (m) => {
 *     const market = await lockMarket(m, id)        // 1. market rows   (markets/repository.ts)
 *     const branches = await lockBranches(m, id)    // 2. branch rows, ascending id
 *     const cash = await lockCashAccounts(m, users) // 3. user cash rows, ascending user id
 *     m.post(entries, now)                          // 4. the ledger: buffered…
 *   })                                              //    …and written once, right before COMMIT
 *
 * Every lock function of the platform takes a `MoneyTransaction`, never a bare transaction, and
 * reports what it is about to lock (`claimMarkets`, `claimBranches`, `claimCash`); a claim out
 * of order throws `LockOrderError` before the statement runs. Why this order, step by step:
 *
 *   0. a trade's own Idempotency-Key row, inserted first (services/trading): only a request
 *      with the same key waits on it, and it holds nothing else while it waits;
 *   1. the market row, `FOR NO KEY UPDATE`, by every step that moves the market. Trades never
 *      lock it; their foreign keys to it take `FOR KEY SHARE`, which NO KEY UPDATE lets
 *      through (with FOR UPDATE, a close holding the market and waiting for a branch
 *      deadlocked with the trade holding the branch and checking its foreign key);
 *   2. branch rows, `FOR UPDATE`, in ascending id across the whole transaction: a trade batch
 *      the branches it trades in (of any number of markets), a step on a market all of its
 *      branches. Two batches, or a batch and a close, that share branches take them in the
 *      same order, so neither waits on the other while holding what the other needs;
 *   3. user cash rows, in ascending user id, all of them before anything is posted;
 *   4. the ledger_sequence counter row, taken by the posting statement, last, right before
 *      COMMIT. It is the one row every money-moving transaction of the platform shares; held
 *      from the posting statement to the end of the commit, it is what makes posting numbers
 *      gap-free and in commit order (services/money/postings.ts). Posting last keeps that window
 *      to one statement and the commit; buffering the postings makes "last" structural: no
 *      caller can post and then go on locking.
 *
 * Re-locking rows already held is always allowed (it never waits). Escrow and bond accounts
 * are only touched under their branch's or market's lock.
 */
import type { Database, Transaction, TransactionOptions } from '../../db/database.js'
import { type JournalEntryInput, type PostedPosting, postEntries } from './postings.js'

/** A transaction asked for a lock out of the order above: a bug, caught before it deadlocks. */
export class LockOrderError extends Error {
  constructor(message: string) {
    super(`lock order: ${message}`)
    this.name = 'LockOrderError'
  }
}

const STEPS = ['none', 'markets', 'branches', 'cash', 'posted'] as const
type Step = (typeof STEPS)[number]

/** What one open money transaction has locked, and the postings it will write. */
export class MoneyTransaction {
  private step: Step = 'none'
  private readonly held = {
    markets: new Set<string>(),
    branches: new Set<string>(),
    cash: new Set<string>(),
  }
  private highest = { branches: '', cash: '' }
  private pending: { entries: readonly JournalEntryInput[]; at: Date }[] = []
  private readonly unpostedByAccount = new Map<bigint, bigint>()

  constructor(readonly tx: Transaction) {}

  /** Step 1: market rows. Only before any branch, cash or posting. */
  claimMarkets(marketIds: readonly string[]): void {
    this.claim('markets', marketIds, false)
  }

  /** Step 2: branch rows, in ascending id. Only before any cash or posting. */
  claimBranches(branchIds: readonly string[]): void {
    this.claim('branches', branchIds, true)
  }

  /** Step 3: user cash rows (by user id), in ascending user id. Only before posting. */
  claimCash(userIds: readonly string[]): void {
    this.claim('cash', userIds, true)
  }

  /** Whether this transaction holds the cash row of `userId`. */
  holdsCash(userId: string): boolean {
    return this.held.cash.has(userId)
  }

  /**
   * Step 4: journal entries to post, written by one statement right before COMMIT (or at an
   * explicit `flush`). Checked for balance when written; a posting that would overdraw cash
   * fails the whole transaction with `insufficient_funds`.
   */
  post(entries: readonly JournalEntryInput[], at: Date): void {
    if (entries.length === 0) return
    this.pending.push({ entries, at })
    for (const entry of entries) {
      for (const p of entry.postings) {
        this.unpostedByAccount.set(p.account, (this.unpostedByAccount.get(p.account) ?? 0n) + p.amount)
      }
    }
  }

  /**
   * The sum of this transaction's buffered postings to `account`: a balance read from the
   * database plus this is the balance as this transaction will leave it. Every balance read
   * inside a money transaction must add it (an escrow's remainder after the refunds posted
   * before it, a trader's cash after an earlier branch's payout).
   */
  unposted(account: bigint): bigint {
    return this.unpostedByAccount.get(account) ?? 0n
  }

  /**
   * Writes the buffered postings now, for a caller that needs their numbers or entry ids in
   * its answer. From here on the transaction holds the ledger_sequence row: it may write rows
   * it already locked, but lock nothing new.
   */
  async flush(): Promise<PostedPosting[]> {
    const batches = this.pending
    this.pending = []
    this.unpostedByAccount.clear()
    if (batches.length === 0) return []
    this.step = 'posted'
    const posted: PostedPosting[] = []
    // One statement per distinct time (in practice one: a transaction reads its time once).
    for (const group of groupByTime(batches)) {
      posted.push(...(await postEntries(this.tx, group.entries, group.at)))
    }
    return posted
  }

  private claim(step: 'markets' | 'branches' | 'cash', ids: readonly string[], ascending: boolean): void {
    const held = this.held[step]
    const fresh = [...new Set(ids)].filter((id) => !held.has(id)).sort()
    if (fresh.length === 0) return
    const at = STEPS.indexOf(this.step)
    if (at > STEPS.indexOf(step)) {
      throw new LockOrderError(
        `${step} ${fresh.join(', ')} locked after ${this.step === 'posted' ? 'posting' : this.step}`,
      )
    }
    if (ascending && step !== 'markets') {
      const highest = this.highest[step]
      const first = fresh[0] as string
      if (highest !== '' && first < highest) {
        throw new LockOrderError(`${step} ${first} locked after ${highest} (ascending order)`)
      }
      this.highest[step] = fresh[fresh.length - 1] as string
    }
    for (const id of fresh) held.add(id)
    this.step = step
  }
}

function groupByTime(batches: readonly { entries: readonly JournalEntryInput[]; at: Date }[]) {
  const groups = new Map<number, { at: Date; entries: JournalEntryInput[] }>()
  for (const batch of batches) {
    const key = batch.at.getTime()
    const group = groups.get(key) ?? { at: batch.at, entries: [] }
    group.entries.push(...batch.entries)
    groups.set(key, group)
  }
  return [...groups.values()]
}

/**
 * Runs `fn` in a transaction as a money transaction: locks claimed in order, postings written
 * last. Retried on deadlock or serialization failure like any transaction (`options.attempts`).
 */
export function withMoneyTransaction<T>(
  db: Pick<Database, 'withTransaction'>,
  fn: (m: MoneyTransaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  return db.withTransaction(async (tx) => {
    const m = new MoneyTransaction(tx)
    const result = await fn(m)
    await m.flush()
    return result
  }, options)
}
