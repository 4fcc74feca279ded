/**
 * The lock order of services/money/transaction.ts is enforced, not only written: a lock asked
 * for out of order throws `LockOrderError` before its statement runs, and the transaction rolls
 * back. Re-locking rows already held is fine (it never waits). Postings are buffered and written
 * at COMMIT, so "post last" needs no care from the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { parseAmount } from '../../src/domain/money.js'
import { lockCashAccounts } from '../../src/services/money/ledger.js'
import { ISSUANCE_ACCOUNT } from '../../src/services/money/postings.js'
import {
  LockOrderError,
  MoneyTransaction,
  withMoneyTransaction,
} from '../../src/services/money/transaction.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { cashOf, newUser } from '../helpers/money.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

const grant = (account: bigint, userId: string) => ({
  kind: 'admin_grant' as const,
  userId,
  postings: [
    { account: ISSUANCE_ACCOUNT, amount: -parseAmount('1') },
    { account, amount: parseAmount('1') },
  ],
})

const LastSeq = sql<{ last_seq: bigint }>('TestLockOrderSeq', 'select last_seq from public.ledger_sequence')

describe('lock order', () => {
  it('refuses a new cash lock after the postings were written, and rolls the transaction back', async () => {
    const [a, b] = [await newUser(t.ctx.db, '0'), await newUser(t.ctx.db, '0')]
    const attempt = withMoneyTransaction(t.ctx.db, async (m) => {
      const cash = await lockCashAccounts(m, [a])
      m.post([grant(cash.get(a)?.id as bigint, a)], new Date())
      await m.flush()
      await lockCashAccounts(m, [a]) // already held: fine
      await lockCashAccounts(m, [a, b]) // b is new: refused
    })
    await expect(attempt).rejects.toBeInstanceOf(LockOrderError)
    expect(await cashOf(t.ctx.db, a)).toBe(0n)
  })

  it('buffers postings until COMMIT: nothing is numbered while the transaction still locks', async () => {
    const [a, b] = [await newUser(t.ctx.db, '0'), await newUser(t.ctx.db, '0')].sort()
    const before = (await t.ctx.db.one(LastSeq)).last_seq
    await withMoneyTransaction(t.ctx.db, async (m) => {
      const first = await lockCashAccounts(m, [a as string])
      m.post([grant(first.get(a as string)?.id as bigint, a as string)], new Date())
      // Still allowed: the posting above is only buffered; the sequence row is not taken yet.
      const second = await lockCashAccounts(m, [b as string])
      m.post([grant(second.get(b as string)?.id as bigint, b as string)], new Date())
      expect((await m.tx.one(LastSeq)).last_seq).toBe(before)
    })
    expect(await cashOf(t.ctx.db, a as string)).toBe(parseAmount('1'))
    expect(await cashOf(t.ctx.db, b as string)).toBe(parseAmount('1'))
    expect((await t.ctx.db.one(LastSeq)).last_seq).toBe(before + 4n)
  })

  it('checks each step against the ones before it (a pure check, before any statement)', () => {
    const m = new MoneyTransaction({} as never)
    m.claimMarkets(['m2'])
    m.claimMarkets(['m1']) // several markets: any order (every market step locks one)
    m.claimBranches(['b2', 'b3'])
    expect(() => m.claimBranches(['b1'])).toThrow(/branches b1 locked after b3/)
    m.claimBranches(['b3', 'b4']) // b3 held, b4 ascending
    expect(() => m.claimMarkets(['m3'])).toThrow(LockOrderError)
    m.claimCash(['u2'])
    expect(() => m.claimBranches(['b9'])).toThrow(/locked after cash/)
    m.claimBranches(['b2']) // held: never waits
    expect(() => m.claimCash(['u1'])).toThrow(/ascending/)
    m.claimCash(['u2', 'u3'])
    expect(m.holdsCash('u3')).toBe(true)
    expect(m.holdsCash('u1')).toBe(false)
  })
})
