/**
 * Ledger accounts: user cash (locked in the money transaction's step 3), branch escrows and
 * market bond accounts. Postings to them are written by services/money/postings.ts.
 */
import { type Queryable, sql } from '../../db/database.js'
import type { MoneyTransaction } from './transaction.js'

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
  m: MoneyTransaction,
  userIds: readonly string[],
): Promise<Map<string, CashAccount>> {
  const unique = [...new Set(userIds)].sort()
  m.claimCash(unique)
  const tx = m.tx
  let rows = await tx.many(LockCashAccounts, [unique])
  if (rows.length < unique.length) {
    const have = new Set(rows.map((r) => r.user_id))
    for (const userId of unique) if (!have.has(userId)) await tx.execute(EnsureCashAccount, [userId])
    rows = await tx.many(LockCashAccounts, [unique])
  }
  // The balance as this transaction will leave it so far: postings are written at COMMIT.
  return new Map(rows.map((r) => [r.user_id, { id: r.id, balance: r.balance + m.unposted(r.id) }]))
}

/** Locks one user's cash account (created if missing). */
export async function lockCashAccount(m: MoneyTransaction, userId: string): Promise<CashAccount> {
  const account = (await lockCashAccounts(m, [userId])).get(userId)
  if (!account) throw new Error(`cash account of ${userId} could not be created`)
  return account
}

const AccountBalance = sql<{ balance: bigint }>(
  'AccountBalance',
  'select balance from public.ledger_accounts where id = $1',
)

/**
 * An account's balance as this money transaction leaves it so far: the stored balance plus
 * the postings the transaction has buffered for COMMIT (an escrow's remainder after the
 * refunds posted before it). The caller holds what guards the account (its branch's lock).
 */
export async function accountBalance(m: MoneyTransaction, accountId: bigint): Promise<bigint> {
  return (await m.tx.one(AccountBalance, [accountId])).balance + m.unposted(accountId)
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
export async function createEscrowAccount(tx: Queryable, branchId: string): Promise<bigint> {
  return (await tx.one(InsertAccount, ['branch_escrow', branchId, null])).id
}

const FindMarketBondsAccount = sql<{ id: bigint; balance: bigint }>(
  'FindMarketBondsAccount',
  `select id, balance from public.ledger_accounts where kind = 'market_bonds' and market_id = $1`,
)

/** The account holding a market's dispute bonds; created on first use (under the market's lock). */
export async function marketBondsAccount(tx: Queryable, marketId: string): Promise<bigint> {
  const found = await tx.maybeOne(FindMarketBondsAccount, [marketId])
  if (found) return found.id
  return (await tx.one(InsertAccount, ['market_bonds', null, marketId])).id
}
