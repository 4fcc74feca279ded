/**
 * Issuance: the only way credits come into existence. Each grant is a journal entry from the
 * issuance account (whose balance is minus everything ever issued) to a user's cash, so
 * "total credits held = total issued" holds by construction.
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import { formatAmount } from '../../domain/money.js'
import { errors } from '../../errors/codes.js'
import { lockCashAccount } from './ledger.js'
import { ISSUANCE_ACCOUNT } from './postings.js'
import { type MoneyTransaction, withMoneyTransaction } from './transaction.js'

const FindSignupGrant = sql<{ id: bigint }>(
  'FindSignupGrant',
  `select id from public.journal_entries where kind = 'signup_grant' and user_id = $1`,
)

/**
 * Grants the sign-up credits to a user, once: calling it again (a retried sign-up, a second
 * first-request race) changes nothing. Runs in the caller's transaction (profile creation), so
 * the grant exists if and only if the profile does. Returns whether it granted.
 *
 * Once per user: the user's cash row is locked first, so two concurrent calls see each other's
 * grant; the unique index on signup_grant entries backs that up in the database.
 */
export async function grantSignupCredits(
  m: MoneyTransaction,
  userId: string,
  amount: bigint,
  now: Date,
): Promise<boolean> {
  const { tx } = m
  const cash = await lockCashAccount(m, userId)
  if (amount <= 0n) return false
  if (await tx.maybeOne(FindSignupGrant, [userId])) return false
  m.post(
    [
      {
        kind: 'signup_grant',
        userId,
        memo: 'Sign-up credits',
        postings: [
          { account: ISSUANCE_ACCOUNT, amount: -amount },
          { account: cash.id, amount },
        ],
      },
    ],
    now,
  )
  return true
}

export interface AdminGrant {
  entryId: string
  userId: string
  amount: bigint
  cash: bigint
  memo: string | null
  createdAt: Date
}

const UserExists = sql<{ id: string }>('GrantUserExists', 'select id from auth.users where id = $1')

/** An admin grants credits to a user (POST /v1/admin/grants). Authorisation is the caller's. */
export async function adminGrant(
  ctx: AppContext,
  input: { adminId: string; userId: string; amount: bigint; memo?: string | null },
): Promise<AdminGrant> {
  const max = ctx.config.ADMIN_GRANT_MAX_CREDITS
  if (input.amount <= 0n) throw errors.invalidAmount('/body/amount', 'amount must be positive')
  if (input.amount > max) {
    throw errors.invalidAmount('/body/amount', `amount must be at most ${formatAmount(max)} credits`)
  }
  const now = ctx.clock.now()
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    if (!(await tx.maybeOne(UserExists, [input.userId]))) {
      throw errors.notFound('User', `No user with id ${input.userId}`)
    }
    const cash = await lockCashAccount(m, input.userId)
    m.post(
      [
        {
          kind: 'admin_grant',
          userId: input.userId,
          actorId: input.adminId,
          memo: input.memo ?? null,
          postings: [
            { account: ISSUANCE_ACCOUNT, amount: -input.amount },
            { account: cash.id, amount: input.amount },
          ],
        },
      ],
      now,
    )
    // The entry id is part of the answer: post now rather than at COMMIT (nothing is locked
    // after this).
    const [, credited] = await m.flush()
    return {
      entryId: String(credited?.entry_id),
      userId: input.userId,
      amount: input.amount,
      cash: credited?.balance_after ?? cash.balance + input.amount,
      memo: input.memo ?? null,
      createdAt: now,
    }
  })
}
