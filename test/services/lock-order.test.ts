/**
 * The ledger's lock order is enforced, not only written: a transaction that has posted (and so
 * holds the ledger_sequence row until COMMIT) may not lock a cash row it did not lock before,
 * since that row's holder may be a trade waiting for the sequence row. Re-locking rows it
 * already holds is fine (it never waits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAmount } from '../../src/domain/money.js'
import {
  ISSUANCE_ACCOUNT,
  LockOrderError,
  lockCashAccounts,
  postEntries,
} from '../../src/services/money/ledger.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { newUser } from '../helpers/money.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

describe('lock order', () => {
  it('refuses a new cash lock after postEntries, and rolls the transaction back', async () => {
    const [a, b] = [await newUser(t.ctx.db, '0'), await newUser(t.ctx.db, '0')]
    const attempt = t.ctx.db.withTransaction(async (tx) => {
      const cash = await lockCashAccounts(tx, [a])
      const account = cash.get(a)?.id as bigint
      await postEntries(
        tx,
        [
          {
            kind: 'admin_grant',
            userId: a,
            postings: [
              { account: ISSUANCE_ACCOUNT, amount: -parseAmount('1') },
              { account, amount: parseAmount('1') },
            ],
          },
        ],
        new Date(),
      )
      await lockCashAccounts(tx, [a]) // already held: fine
      await lockCashAccounts(tx, [a, b]) // b is new: refused
    })
    await expect(attempt).rejects.toBeInstanceOf(LockOrderError)
  })
})
