/**
 * The ledger's rules as the database enforces them, tried directly in SQL as the service's own
 * role (the table owner, which row-level security does not restrain): an entry that does not sum
 * to zero is refused at commit, postings and entries cannot be changed or removed, a balance moves
 * only through postings, user cash never goes negative, and sequence numbers stay gap-free even
 * when transactions roll back or run at once. Then the two ways credits come into existence
 * (sign-up and admin grants) with their configured amounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, sql, type Transaction } from '../../src/db/database.js'
import { DatabaseError } from '../../src/db/errors.js'
import { parseAmount } from '../../src/domain/money.js'
import { lockCashAccount } from '../../src/services/money/ledger.js'
import {
  FEES_ACCOUNT,
  ISSUANCE_ACCOUNT,
  postEntries,
  UnbalancedEntryError,
} from '../../src/services/money/postings.js'
import { withMoneyTransaction } from '../../src/services/money/transaction.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { cashOf, ledgerViolations, newUser } from '../helpers/money.js'
import { createTestUser } from '../helpers/users.js'

let t: TestApp
let db: Database

beforeAll(async () => {
  t = await createTestApp({ env: { SIGNUP_GRANT_CREDITS: '7.5', ADMIN_GRANT_MAX_CREDITS: '100' } })
  db = t.ctx.db
})
afterAll(() => t?.close())

const InsertEntry = sql<{ id: bigint }>(
  'TestInsertJournalEntry',
  `insert into public.journal_entries (kind, memo, created_at) values ('admin_grant', 'raw SQL', now()) returning id`,
)

// Raw postings of one entry in one statement, numbered and carrying running balances the way
// PostEntries writes them (the counter row; balance_after and user_id from the accounts).
// `skew` falsifies every balance_after by that much, to see the statement trigger refuse it.
const InsertPostings = sql(
  'TestInsertPostings',
  `with counter as (
     update public.ledger_sequence set last_seq = last_seq + cardinality($2::bigint[]) returning last_seq
   ),
   p as (
     select p.account_id, p.amount, p.ord from unnest($2::bigint[], $3::bigint[]) with ordinality as p(account_id, amount, ord)
   )
   insert into public.ledger_postings (seq, entry_id, account_id, user_id, amount, balance_after, created_at)
   select counter.last_seq - cardinality($2::bigint[]) + p.ord, $1, p.account_id, a.user_id, p.amount,
          a.balance + sum(p.amount) over (partition by p.account_id order by p.ord) + $4::bigint, now()
     from counter
     cross join p
     left join public.ledger_accounts a on a.id = p.account_id and a.balance is not null`,
)

async function entryWith(tx: Transaction, postings: Array<[bigint, bigint]>, skew = 0n): Promise<bigint> {
  const { id } = await tx.one(InsertEntry)
  await tx.execute(InsertPostings, [id, postings.map(([a]) => a), postings.map(([, x]) => x), skew])
  return id
}

async function failure(run: () => Promise<unknown>): Promise<DatabaseError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'expected the database to refuse').toBeInstanceOf(DatabaseError)
  return error as DatabaseError
}

const Seq = sql<{ last_seq: bigint }>('TestLedgerSeq', 'select last_seq from public.ledger_sequence')

async function cashAccount(userId: string): Promise<bigint> {
  return withMoneyTransaction(db, async (m) => (await lockCashAccount(m, userId)).id)
}

describe('the database enforces the ledger', () => {
  it('refuses an entry whose postings do not sum to zero, a posting to no account, and a posting with a false running balance', async () => {
    const user = await newUser(db, '10')
    const cash = await cashAccount(user)
    const before = await db.one(Seq)

    const unbalanced = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(tx, [
          [ISSUANCE_ACCOUNT, -5_000_000n],
          [cash, 4_000_000n],
        ]),
      ),
    )
    expect(unbalanced).toMatchObject({ failure: 'constraint', constraint: 'ledger_entry_balanced' })
    const single = await failure(() => db.withTransaction((tx) => entryWith(tx, [[FEES_ACCOUNT, 1n]])))
    expect(single).toMatchObject({ failure: 'constraint', constraint: 'ledger_entry_balanced' })
    const zero = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(tx, [
          [ISSUANCE_ACCOUNT, 0n],
          [cash, 0n],
        ]),
      ),
    )
    expect(zero.failure).toBe('constraint')
    const nowhere = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(tx, [
          [ISSUANCE_ACCOUNT, -1n],
          [987_654_321n, 1n],
        ]),
      ),
    )
    expect(nowhere.failure).toBe('reference')
    // Nothing of the refused entries remains, and their sequence numbers were given back.
    expect(await db.one(Seq)).toEqual(before)
    expect(await cashOf(db, user)).toBe(parseAmount('10'))

    // An entry is checked when the statement that writes it ends (20261201120000): written in
    // two statements, each half is refused on its own.
    const halves = await failure(() =>
      db.withTransaction(async (tx) => {
        const { id } = await tx.one(InsertEntry)
        await tx.execute(InsertPostings, [id, [ISSUANCE_ACCOUNT], [-2_000_000n], 0n])
        await tx.execute(InsertPostings, [id, [cash], [2_000_000n], 0n])
      }),
    )
    expect(halves).toMatchObject({ failure: 'constraint', constraint: 'ledger_entry_balanced' })
    // The running balance a posting carries is checked, not trusted.
    const skewed = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(
          tx,
          [
            [ISSUANCE_ACCOUNT, -2_000_000n],
            [cash, 2_000_000n],
          ],
          1n,
        ),
      ),
    )
    expect(skewed).toMatchObject({ failure: 'constraint', constraint: 'ledger_postings_running_balance' })
    // One account twice in one entry: each posting carries the balance right after it.
    await db.withTransaction((tx) =>
      entryWith(tx, [
        [ISSUANCE_ACCOUNT, -3_000_000n],
        [cash, 2_000_000n],
        [cash, 1_000_000n],
      ]),
    )
    expect(await cashOf(db, user)).toBe(parseAmount('13'))
    expect(await db.one(Seq)).toEqual({ last_seq: before.last_seq + 3n })
    expect(await ledgerViolations(db)).toEqual([])
  })

  it('refuses to change or remove postings, entries and accounts, or to move a balance without a posting', async () => {
    const user = await newUser(db, '10')
    const cash = await cashAccount(user)
    const attempts: Array<[string, string]> = [
      ['update postings', 'update public.ledger_postings set amount = amount * 2'],
      ['delete postings', 'delete from public.ledger_postings'],
      ['truncate postings', 'truncate public.ledger_postings cascade'],
      ['update entries', "update public.journal_entries set memo = 'rewritten'"],
      ['delete entries', 'delete from public.journal_entries'],
      ['truncate entries', 'truncate public.journal_entries cascade'],
      ['delete accounts', `delete from public.ledger_accounts where id = ${cash}`],
      ['truncate accounts', 'truncate public.ledger_accounts cascade'],
      ['set a balance', `update public.ledger_accounts set balance = balance + 1000000 where id = ${cash}`],
    ]
    for (const [what, text] of attempts) {
      const refused = await failure(() =>
        db.withTransaction((tx) => tx.execute(sql(`TestRefused${what.replace(/\W/g, '')}`, text))),
      )
      expect(refused.sqlState, what).toBe('42501')
    }
    expect(await cashOf(db, user)).toBe(parseAmount('10'))
    expect(await ledgerViolations(db)).toEqual([])
  })

  it('never lets user cash go negative, not even between two postings of one statement; postEntries says insufficient_funds', async () => {
    const user = await newUser(db, '3')
    const cash = await cashAccount(user)
    const raw = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(tx, [
          [cash, -3_000_001n],
          [FEES_ACCOUNT, 3_000_001n],
        ]),
      ),
    )
    expect(raw).toMatchObject({ failure: 'constraint', constraint: 'ledger_accounts_balance_nonnegative' })
    // Ends at 1 credit, but went through −0.000001 on the way: refused all the same.
    const between = await failure(() =>
      db.withTransaction((tx) =>
        entryWith(tx, [
          [cash, -3_000_001n],
          [cash, 1_000_001n],
          [FEES_ACCOUNT, 2_000_000n],
        ]),
      ),
    )
    expect(between).toMatchObject({
      failure: 'constraint',
      constraint: 'ledger_accounts_balance_nonnegative',
    })
    const viaService = await db
      .withTransaction((tx) =>
        postEntries(
          tx,
          [
            {
              kind: 'admin_grant',
              postings: [
                { account: cash, amount: -3_000_001n },
                { account: FEES_ACCOUNT, amount: 3_000_001n },
              ],
            },
          ],
          new Date(),
        ),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(viaService).toMatchObject({ status: 422, code: 'insufficient_funds' })
    // Down to exactly zero is allowed.
    await db.withTransaction((tx) =>
      entryWith(tx, [
        [cash, -3_000_000n],
        [FEES_ACCOUNT, 3_000_000n],
      ]),
    )
    expect(await cashOf(db, user)).toBe(0n)
    expect(await ledgerViolations(db)).toEqual([])
  })

  it('postEntries refuses an unbalanced or one-sided entry before it reaches the database', async () => {
    const user = await newUser(db, '1')
    const cash = await cashAccount(user)
    for (const postings of [
      [
        { account: ISSUANCE_ACCOUNT, amount: -2n },
        { account: cash, amount: 1n },
      ],
      [
        { account: cash, amount: 0n },
        { account: ISSUANCE_ACCOUNT, amount: 0n },
      ],
      [{ account: cash, amount: 1n }],
    ]) {
      const error = await db
        .withTransaction((tx) => postEntries(tx, [{ kind: 'admin_grant', postings }], new Date()))
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(UnbalancedEntryError)
    }
  })

  it('numbers postings 1, 2, 3, … without gaps while transactions commit and roll back at once', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => newUser(db, '0')))
    const accounts = await Promise.all(users.map(cashAccount))
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        db.withTransaction(async (tx) => {
          await postEntries(
            tx,
            [
              {
                kind: 'admin_grant',
                userId: users[i % users.length],
                postings: [
                  { account: ISSUANCE_ACCOUNT, amount: -1_000_000n },
                  { account: accounts[i % accounts.length] as bigint, amount: 1_000_000n },
                ],
              },
            ],
            new Date(),
          )
          // Every third one fails after taking its numbers: they must come back.
          if (i % 3 === 0) throw new Error('rolled back on purpose')
        }),
      ),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(26)
    const total = (await Promise.all(users.map((u) => cashOf(db, u)))).reduce((a, b) => a + b, 0n)
    expect(total).toBe(26n * 1_000_000n)
    // Includes: sequence numbers are exactly 1..N and match the counter.
    expect(await ledgerViolations(db)).toEqual([])
  })
})

describe('issuance', () => {
  it('grants the configured sign-up credits once, and admin grants up to the configured maximum', async () => {
    const user = await createTestUser(t)
    const admin = await createTestUser(t, { admin: true })
    expect(await cashOf(db, user.userId)).toBe(parseAmount('7.5'))
    const grant = (amount: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/admin/grants',
        headers: admin.headers,
        payload: { user_id: user.userId, amount },
      })
    const tooMuch = await grant('100.000001')
    expect(tooMuch.statusCode).toBe(400)
    expect(tooMuch.json()).toMatchObject({ code: 'invalid_amount', errors: [{ field: '/body/amount' }] })
    const most = await grant('100')
    expect(most.statusCode, most.body).toBe(201)
    expect(most.json()).toMatchObject({ amount: '100', cash: '107.5' })
    const issued = await db.one(
      sql<{ issued: bigint }>(
        'TestIssuedToUser',
        `select -sum(p.amount) as issued from public.ledger_postings p
           join public.journal_entries e on e.id = p.entry_id
          where p.account_id = 1 and e.user_id = $1`,
      ),
      [user.userId],
    )
    expect(issued.issued).toBe(parseAmount('107.5'))
    expect(await ledgerViolations(db)).toEqual([])
  })
})
