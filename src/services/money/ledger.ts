/**
 * The ledger's one writer. Every movement of credits in the service is a call to `postEntries`
 * inside the transaction of the change it pays for; nothing else inserts postings.
 *
 * The database enforces the rules (supabase/migrations/20261125020100_ledger.sql): each entry
 * sums to zero (a deferred constraint trigger), postings are append-only, balances follow the
 * postings and user cash, escrows and bonds never go negative (a CHECK). This module adds what
 * only the caller knows: which accounts, and the order in which locks are taken.
 *
 * Lock order, for every transaction that moves money or moves a market (trades, close,
 * resolve, dispute, void, decide, settle, opening a decision), so that none deadlocks another:
 *   0. a trade's own Idempotency-Key row, inserted first (services/markets/trading.ts): only a
 *      request with the same key waits on it, and it holds nothing else while it waits;
 *   1. the market row, `FOR NO KEY UPDATE` (`lockMarket`, services/markets/repository.ts), by
 *      every step that moves the market. Trades never lock it; their foreign keys to it take
 *      `FOR KEY SHARE`, which NO KEY UPDATE lets through. (With FOR UPDATE there, a close that
 *      held the market and waited for a branch deadlocked with the trade that held the branch
 *      and checked its foreign key: 4 closes in 10 under 6 trading loops.)
 *   2. branch rows, `FOR UPDATE`: a trade its one branch; a step on a market all of them, in
 *      id order (`lockMarketAndBranches`), before anything else it locks or writes;
 *   3. user cash accounts, in ascending user id, all of them before anything is posted
 *      (`lockCashAccounts`; a transaction that settles several branches locks the cash of all
 *      their traders first). Enforced: locking a new cash row after `postEntries` throws;
 *   4. the ledger_sequence counter row, taken by `postEntries`, last, right before COMMIT.
 * Escrow and bond accounts are only touched under their branch's or market's lock. A step's
 * time is read after step 2, a trade's after its branch lock: what commits first is stamped
 * first.
 */
import { type Queryable, sql, type Transaction } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import { ErrorCode, errors } from '../../errors/codes.js'

/** Platform accounts, created with these ids by the ledger migration. */
export const ISSUANCE_ACCOUNT = 1n
export const FEES_ACCOUNT = 2n

export type JournalKind =
  | 'signup_grant'
  | 'admin_grant'
  | 'subsidy'
  | 'trade'
  | 'payout'
  | 'subsidy_return'
  | 'refund'
  | 'bond'
  | 'bond_return'
  | 'bond_forfeit'

export interface Posting {
  readonly account: bigint
  /** Micro-credits; positive credits the account, negative debits it. Never 0. */
  readonly amount: bigint
}

export interface JournalEntryInput {
  readonly kind: JournalKind
  /** Whose entry this is (trader, grantee, payee): they can read it. */
  readonly userId?: string | null
  readonly marketId?: string | null
  readonly branchId?: string | null
  readonly tradeId?: string | null
  readonly actorId?: string | null
  readonly memo?: string | null
  readonly postings: readonly Posting[]
}

export interface PostedPosting {
  seq: bigint
  entry_id: bigint
  account_id: bigint
  amount: bigint
  balance_after: bigint | null
}

/**
 * Writes the entries and their postings in one statement. The statement also advances the
 * gap-free counter, whose row lock it holds until COMMIT: call this last in the transaction.
 *
 * What the counter costs (measured with bench/trades.ts, bare SQL trade transactions, 16
 * connections, PostgreSQL 15 on the 2-core CI machine, whose WAL flush takes ~0.8 ms):
 *   - 100 markets: 449 trades/s with the counter, 945/s with the counter replaced by a plain
 *     sequence (not gap-free, not commit-ordered). Every money-moving transaction of the
 *     platform queues on the one row for this statement (~0.8 ms: three postings, their
 *     triggers) plus its commit's WAL flush (~0.8 ms), so the platform tops out near
 *     1 / 1.6 ms whatever the number of markets: here the counter, not the markets, is the limit.
 *   - one hot market: 358/s against 404/s; trades there already queue on the branch row for
 *     the whole transaction, so the counter adds only the overlap.
 * Why pay it: anchoring needs "postings 1..N are final and complete", which a
 * sequence cannot promise (gaps on rollback, numbers in start order, not commit order). How it
 * gets cheaper: group commit posts a batch of trades per transaction, so the
 * ~1.6 ms is paid once per batch, not per trade; beyond that, a single sequencer process could
 * number committed postings after the fact (an append-only side table), taking the counter off
 * the trade path altogether.
 */
const PostEntries = sql<PostedPosting>(
  'PostEntries',
  `with ids as materialized (
     select nextval('public.journal_entries_id_seq') as id, ord
       from generate_series(1, $1::int) as ord
   ),
   entries as (
     insert into public.journal_entries (id, kind, user_id, market_id, branch_id, trade_id, actor_id, memo, created_at)
     select ids.id, e.kind, e.user_id, e.market_id, e.branch_id, e.trade_id, e.actor_id, e.memo, $9
       from unnest($2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[])
            with ordinality as e(kind, user_id, market_id, branch_id, trade_id, actor_id, memo, ord)
       join ids on ids.ord = e.ord
   ),
   counter as (
     update public.ledger_sequence set last_seq = last_seq + cardinality($11::bigint[])
     returning last_seq
   )
   insert into public.ledger_postings (seq, entry_id, account_id, amount, created_at)
   select counter.last_seq - cardinality($11::bigint[]) + p.ord, ids.id, p.account_id, p.amount, $9
     from counter
     cross join unnest($10::int[], $11::bigint[], $12::bigint[]) with ordinality as p(entry_ord, account_id, amount, ord)
     join ids on ids.ord = p.entry_ord
   returning seq, entry_id, account_id, amount, balance_after`,
)

/** A transaction asked for a lock out of the order above: a bug, caught before it deadlocks. */
export class LockOrderError extends Error {
  constructor(message: string) {
    super(`lock order: ${message}`)
    this.name = 'LockOrderError'
  }
}

// What each open transaction has done, in lock-order terms: the cash rows it has locked, and
// whether it has posted (taken the ledger_sequence row). Keyed by the transaction object, so
// it goes with it.
const progress = new WeakMap<Transaction, { cash: Set<string>; posted: boolean }>()

function progressOf(tx: Transaction) {
  let state = progress.get(tx)
  if (!state) {
    state = { cash: new Set(), posted: false }
    progress.set(tx, state)
  }
  return state
}

/**
 * Records that `tx` is about to lock the cash rows of `userIds`; throws LockOrderError when it
 * has already posted and one of them is new: that row lock, taken while the ledger_sequence
 * row is held, could wait on a trade that waits for the sequence row. For writers that lock
 * cash with their own statement (trades lock cash with their positions); lockCashAccounts calls it.
 */
export function noteCashLocks(tx: Transaction, userIds: readonly string[]): void {
  const state = progressOf(tx)
  if (state.posted) {
    const fresh = userIds.filter((id) => !state.cash.has(id))
    if (fresh.length > 0) {
      throw new LockOrderError(`cash of ${fresh.join(', ')} locked after the ledger was posted`)
    }
  }
  for (const id of userIds) state.cash.add(id)
}

export class UnbalancedEntryError extends Error {
  constructor(readonly kind: JournalKind) {
    super(`a ${kind} journal entry must have two or more non-zero postings summing to zero`)
    this.name = 'UnbalancedEntryError'
  }
}

/**
 * Posts the entries (each ≥ 2 non-zero postings summing to zero; checked here for a clear error,
 * and again by the database at commit). Returns the postings in order with their sequence
 * numbers and the balances they left.
 *
 * A posting that would overdraw user cash fails the balance CHECK: it surfaces as
 * `insufficient_funds`, which callers that checked the balance under lock never see.
 */
export async function postEntries(
  tx: Transaction,
  entries: readonly JournalEntryInput[],
  now: Date,
): Promise<PostedPosting[]> {
  if (entries.length === 0) return []
  const entryOrd: number[] = []
  const accounts: bigint[] = []
  const amounts: bigint[] = []
  entries.forEach((entry, i) => {
    let sum = 0n
    let count = 0
    for (const posting of entry.postings) {
      if (posting.amount === 0n) continue
      entryOrd.push(i + 1)
      accounts.push(posting.account)
      amounts.push(posting.amount)
      sum += posting.amount
      count++
    }
    if (sum !== 0n || count < 2) throw new UnbalancedEntryError(entry.kind)
  })
  const column = <T>(pick: (e: JournalEntryInput) => T | null | undefined) =>
    entries.map((e) => pick(e) ?? null)
  progressOf(tx).posted = true
  try {
    return await tx.many(PostEntries, [
      entries.length,
      column((e) => e.kind),
      column((e) => e.userId),
      column((e) => e.marketId),
      column((e) => e.branchId),
      column((e) => e.tradeId),
      column((e) => e.actorId),
      column((e) => e.memo),
      now,
      entryOrd,
      accounts,
      amounts,
    ])
  } catch (error) {
    if (
      error instanceof DatabaseError &&
      error.failure === 'constraint' &&
      error.constraint === 'ledger_accounts_balance_nonnegative'
    ) {
      throw errors.unprocessable(
        ErrorCode.InsufficientFunds,
        'Insufficient funds',
        'The account does not hold enough credits for this',
      )
    }
    throw error
  }
}

// ---------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------

export interface CashAccount {
  id: bigint
  balance: bigint
}

const EnsureCashAccount = sql(
  'EnsureCashAccount',
  `insert into public.ledger_accounts (kind, user_id, balance) values ('user_cash', $1, 0)
   on conflict (user_id) where kind = 'user_cash' do nothing`,
)

// FOR UPDATE: the caller is about to spend from (or credit) this cash; the lock makes the
// balance it reads the one its postings apply to, so two transactions of one user cannot both
// spend the same credits (the CHECK would refuse the second anyway, but with a worse error).
const LockCashAccounts = sql<{ id: bigint; user_id: string; balance: bigint }>(
  'LockCashAccounts',
  `select id, user_id, balance from public.ledger_accounts
    where kind = 'user_cash' and user_id = any($1::uuid[])
    order by user_id
    for update`,
)

const FindCashAccount = sql<{ id: bigint; balance: bigint }>(
  'FindCashAccount',
  `select id, balance from public.ledger_accounts where kind = 'user_cash' and user_id = $1`,
)

/**
 * Locks the cash accounts of `userIds` (ascending user id, the ledger's lock order), creating
 * the missing ones first. Returns them by user id.
 */
export async function lockCashAccounts(
  tx: Transaction,
  userIds: readonly string[],
): Promise<Map<string, CashAccount>> {
  const unique = [...new Set(userIds)].sort()
  noteCashLocks(tx, unique)
  let rows = await tx.many(LockCashAccounts, [unique])
  if (rows.length < unique.length) {
    const have = new Set(rows.map((r) => r.user_id))
    for (const userId of unique) if (!have.has(userId)) await tx.execute(EnsureCashAccount, [userId])
    rows = await tx.many(LockCashAccounts, [unique])
  }
  return new Map(rows.map((r) => [r.user_id, { id: r.id, balance: r.balance }]))
}

/** Locks one user's cash account (created if missing). */
export async function lockCashAccount(tx: Transaction, userId: string): Promise<CashAccount> {
  const account = (await lockCashAccounts(tx, [userId])).get(userId)
  if (!account) throw new Error(`cash account of ${userId} could not be created`)
  return account
}

/** A user's cash, 0 when they have no account yet. No lock: for display. */
export async function cashBalance(db: Queryable, userId: string): Promise<bigint> {
  return (await db.maybeOne(FindCashAccount, [userId]))?.balance ?? 0n
}

const InsertAccount = sql<{ id: bigint }>(
  'InsertLedgerAccount',
  `insert into public.ledger_accounts (kind, branch_id, market_id, balance) values ($1, $2, $3, 0) returning id`,
)

/** A new escrow account for a market branch (created with the branch). */
export async function createEscrowAccount(tx: Transaction, branchId: string): Promise<bigint> {
  return (await tx.one(InsertAccount, ['branch_escrow', branchId, null])).id
}

const FindMarketBondsAccount = sql<{ id: bigint; balance: bigint }>(
  'FindMarketBondsAccount',
  `select id, balance from public.ledger_accounts where kind = 'market_bonds' and market_id = $1`,
)

/** The account holding a market's dispute bonds; created on first use (under the market's lock). */
export async function marketBondsAccount(tx: Transaction, marketId: string): Promise<bigint> {
  const found = await tx.maybeOne(FindMarketBondsAccount, [marketId])
  if (found) return found.id
  return (await tx.one(InsertAccount, ['market_bonds', null, marketId])).id
}
