/**
 * The ledger's one writer. Every movement of credits is a journal entry posted through a money
 * transaction (`m.post`, services/money/transaction.ts), which buffers them and calls
 * `postEntries` once, right before COMMIT; nothing else inserts postings.
 *
 * The database enforces the rules (supabase/migrations/20261125020100_ledger.sql): each entry
 * sums to zero (a deferred constraint trigger), postings are append-only, balances follow the
 * postings and user cash, escrows and bonds never go negative (a CHECK). The lock order every
 * money transaction follows is written, and checked, in services/money/transaction.ts.
 */
import { sql, type Transaction } from '../../db/database.js'
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
 * gap-free counter (`ledger_sequence`), whose row lock it holds until COMMIT; only the money
 * transaction calls it, right before COMMIT (services/money/transaction.ts).
 *
 * The sequence, and why it is paid once per batch rather than numbered afterwards. Anchoring
 * needs "postings 1..N are final and complete, in commit order". The counter row gives all
 * three at once: a number is taken under the row lock and the lock is held to the end of the
 * commit, so numbers are handed out in commit order; a rollback gives its numbers back; and
 * nothing above N can become visible after N (the next taker waits for N's commit). A plain
 * sequence gives none of it (gaps on rollback, numbers in start order). Numbering committed
 * postings afterwards by transaction id (below the oldest running xid) would be complete but
 * not in commit order: two transactions that touch one account can commit in the other order
 * from their ids, and that account's `balance_after` chain would then run backwards.
 *
 * What it costs: every money-moving transaction of the platform queues on the row for this
 * statement plus its commit's WAL flush (~1.6 ms on the 2-core CI machine; 449 → 945 bare SQL
 * trades/s on 100 markets with the counter replaced by a plain sequence, one trade per
 * transaction). Group commit (services/trading/batcher.ts) pays it once per batch of trades,
 * across all markets, so the ~1.6 ms is shared by every trade of the batch, and the number
 * stays exact. See bench/README.md for the figures.
 */
//
// Each posting carries the running balance of its account and the account's owner, computed
// here from the account rows, locked in the statement (ascending id; only accounts that keep a
// balance: the platform accounts keep none, and nobody queues on them). The statement trigger
// of 20261201120000_ledger_statement_triggers.sql applies the balances, one UPDATE per account,
// and refuses the statement unless every entry balances and every posting carries exactly the
// balance its account went through.
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
   ),
   accounts as (
     select a.id, a.balance, a.user_id from public.ledger_accounts a
      where a.id = any($11::bigint[]) and a.balance is not null
      order by a.id
        for update
   ),
   postings as (
     select p.entry_ord, p.account_id, p.amount, p.ord,
            a.balance + sum(p.amount) over (partition by p.account_id order by p.ord) as balance_after,
            a.user_id
       from unnest($10::int[], $11::bigint[], $12::bigint[]) with ordinality as p(entry_ord, account_id, amount, ord)
       left join accounts a on a.id = p.account_id
   )
   insert into public.ledger_postings (seq, entry_id, account_id, user_id, amount, balance_after, created_at)
   select counter.last_seq - cardinality($11::bigint[]) + p.ord, ids.id, p.account_id, p.user_id, p.amount,
          p.balance_after, $9
     from counter
     cross join postings p
     join ids on ids.ord = p.entry_ord
    order by p.ord
   returning seq, entry_id, account_id, amount, balance_after`,
)

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
