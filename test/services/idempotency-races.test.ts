/**
 * An Idempotency-Key names one trade and one answer. Retries racing the original (sent at the
 * same moment) get the original's answer, never a fresh refusal computed after the original
 * spent the cash (an outside test saw 115 such `insufficient_*` answers for trades that had
 * gone through); a refused trade's retry gets the same refusal even once it would succeed; the
 * key names the market by its resolved id, so slug and id are the same request. Also here:
 * outcome labels match exactly (up to case), a stray blank is an unknown outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { parseAmount } from '../../src/domain/money.js'
import { isAppError } from '../../src/errors/codes.js'
import { createMarket } from '../../src/services/markets/create.js'
import { closeMarketEarly } from '../../src/services/markets/lifecycle.js'
import { adminGrant } from '../../src/services/money/issuance.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { ledgerViolations, newUser, principalOf } from '../helpers/money.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp({ env: { TRADE_FEE_BPS: '100' } })
})
afterAll(() => t?.close())

const TradesOf = sql<{ n: bigint }>(
  'TestTradesOfTrader',
  'select count(*) as n from public.trades where trader_id = $1',
)

async function market(creator: string, slug?: string) {
  return createMarket(t.ctx, creator, {
    question: 'Do retries get the first answer?',
    kind: 'binary',
    subsidy: '500',
    closeAt: new Date(Date.now() + 3_600_000),
    ...(slug ? { slug } : {}),
  })
}

function codeOf(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'ok'
  return isAppError(result.reason) ? result.reason.code : String(result.reason)
}

describe('Idempotency-Key under races', () => {
  it('three identical buys at once that only one can afford: one trade, three identical answers', async () => {
    const creator = await newUser(t.ctx.db, '10000')
    const trader = await newUser(t.ctx.db, '1000')
    const m = await market(creator)
    const body = { outcome: 'YES', side: 'buy' as const, amount: '900' }
    for (let round = 0; round < 3; round++) {
      const key = `buy-900-${round}`
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => placeTrade(t.ctx, trader, m.id, body, key)),
      )
      const codes = results.map(codeOf)
      if (round === 0) {
        // The first round can afford it once: every answer is that one trade.
        expect(codes).toEqual(['ok', 'ok', 'ok'])
        const placed = results.map(
          (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof placeTrade>>>).value,
        )
        expect(new Set(placed.map((p) => p.response.trade.id)).size).toBe(1)
        expect(placed.filter((p) => !p.replayed)).toHaveLength(1)
        const later = await placeTrade(t.ctx, trader, m.id, body, key)
        expect(later).toEqual({ response: placed[0]?.response, replayed: true })
      } else {
        // Later rounds cannot afford it: one refusal, the same for all three.
        expect(codes).toEqual(['insufficient_funds', 'insufficient_funds', 'insufficient_funds'])
      }
    }
    expect((await t.ctx.db.one(TradesOf, [trader])).n).toBe(1n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('three identical sells of the whole holding at once: one sale, the others replay it', async () => {
    const creator = await newUser(t.ctx.db, '10000')
    const trader = await newUser(t.ctx.db, '1000')
    const m = await market(creator)
    const bought = await placeTrade(t.ctx, trader, m.id, { outcome: 0, side: 'buy', amount: '50' })
    const body = { outcome: 0, side: 'sell' as const, shares: bought.response.position.shares }
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => placeTrade(t.ctx, trader, m.id, body, 'sell-all')),
    )
    expect(results.map(codeOf)).toEqual(['ok', 'ok', 'ok'])
    const ids = results.map((r) => (r.status === 'fulfilled' ? r.value.response.trade.id : ''))
    expect(new Set(ids).size).toBe(1)
    expect((await t.ctx.db.one(TradesOf, [trader])).n).toBe(2n)
  })

  it('a refused trade stays refused under its key, even once it would succeed', async () => {
    const creator = await newUser(t.ctx.db, '10000')
    const admin = await newUser(t.ctx.db, '0')
    const trader = await newUser(t.ctx.db, '100')
    const m = await market(creator)
    const body = { outcome: 1, side: 'buy' as const, amount: '500' }
    const first = await Promise.allSettled([placeTrade(t.ctx, trader, m.id, body, 'too-big')])
    expect(first.map(codeOf)).toEqual(['insufficient_funds'])
    await adminGrant(t.ctx, { adminId: admin, userId: trader, amount: parseAmount('1000') })
    const retry = await Promise.allSettled([placeTrade(t.ctx, trader, m.id, body, 'too-big')])
    expect(retry.map(codeOf)).toEqual(['insufficient_funds'])
    const reason = (retry[0] as PromiseRejectedResult).reason
    expect(reason.status).toBe(422)
    expect(reason.headers).toEqual({ 'idempotent-replayed': 'true' })
    expect(reason.detail).toBe((first[0] as PromiseRejectedResult).reason.detail)
    // The same key with another body is still a conflict; a new key trades.
    await expect(
      placeTrade(t.ctx, trader, m.id, { ...body, amount: '400' }, 'too-big'),
    ).rejects.toMatchObject({
      code: 'idempotency_conflict',
    })
    expect((await placeTrade(t.ctx, trader, m.id, body, 'fresh')).replayed).toBe(false)

    // A trade refused because the market closed is answered the same way.
    await closeMarketEarly(t.ctx, principalOf(creator), m.id)
    const closed = await Promise.allSettled([placeTrade(t.ctx, trader, m.id, body, 'after-close')])
    expect(closed.map(codeOf)).toEqual(['market_closed'])
    const again = await Promise.allSettled([placeTrade(t.ctx, trader, m.id, body, 'after-close')])
    expect(again.map(codeOf)).toEqual(['market_closed'])
    expect((again[0] as PromiseRejectedResult).reason.headers).toEqual({ 'idempotent-replayed': 'true' })
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('the key names the market by id: a retry by slug replays the trade made by id', async () => {
    const creator = await newUser(t.ctx.db, '10000')
    const trader = await newUser(t.ctx.db, '1000')
    const m = await market(creator, `retry-by-slug-${Date.now()}`)
    const body = { outcome: 0, side: 'buy' as const, amount: '5' }
    const first = await placeTrade(t.ctx, trader, m.id, body, 'by-id')
    const bySlug = await placeTrade(t.ctx, trader, m.slug, body, 'by-id')
    expect(bySlug).toEqual({ response: first.response, replayed: true })
    const bySlugUpper = await placeTrade(t.ctx, trader, m.slug.toUpperCase(), body, 'by-id')
    expect(bySlugUpper.replayed).toBe(true)
  })
})

describe('outcome labels', () => {
  it('match exactly; another case, leading or trailing blanks are an unknown outcome listing the labels', async () => {
    const creator = await newUser(t.ctx.db, '10000')
    const trader = await newUser(t.ctx.db, '1000')
    const m = await market(creator)
    const placed = await placeTrade(t.ctx, trader, m.id, { outcome: 'YES', side: 'buy', amount: '1' })
    expect(placed.response.trade.outcome).toMatchObject({ index: 0, label: 'YES' })
    for (const label of ['yes', 'Yes', 'yes ', ' YES', '\tyes', 'YES\n', 'ye', 'YESS']) {
      await expect(
        placeTrade(t.ctx, trader, m.id, { outcome: label, side: 'buy', amount: '1' }),
      ).rejects.toMatchObject({
        code: 'unknown_outcome',
        status: 422,
        detail: expect.stringContaining("0 'YES', 1 'NO'"),
      })
    }
  })
})
