/**
 * Group commit (services/trading/batcher.ts): trades that arrive while a batch commits share the
 * next batch, across markets, and each is still judged on its own in arrival order. A refusal
 * inside a batch is that trade's answer and the others go through; two requests with one key in
 * one burst trade once; a market past close_at refuses its trades in a batch that fills others;
 * and a batch that fails as a whole (an order no check foresaw) is run again order by order, so
 * only the bad order fails. The ledger's invariants hold after each.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { parseAmount } from '../../src/domain/money.js'
import { AppError } from '../../src/errors/codes.js'
import { createMarket } from '../../src/services/markets/create.js'
import { TradeBatcher, tradeBatcher } from '../../src/services/trading/batcher.js'
import { tradingMarket } from '../../src/services/trading/orders.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { cashOf, ledgerViolations, newUser, TestClock } from '../helpers/money.js'

const HOUR = 3_600_000
const clock = new TestClock()
let t: TestApp

beforeAll(async () => {
  t = await createTestApp({ clock, env: { TRADE_FEE_BPS: '100' } })
})
afterAll(() => t?.close())

async function market(question: string, closeInMs = 24 * HOUR) {
  const creator = await newUser(t.ctx.db, '1000')
  return createMarket(t.ctx, creator, {
    question,
    kind: 'binary',
    subsidy: '100',
    closeAt: new Date(clock.now().getTime() + closeInMs),
  })
}

const TradesOf = sql<{ n: bigint }>(
  'TestGroupTradesOf',
  'select count(*)::bigint as n from public.trades where trader_id = $1',
)

const settled = <T>(promises: Promise<T>[]) => Promise.allSettled(promises)

describe('group commit', () => {
  it('puts the trades that arrive together, on many markets, in few transactions, each answered as if alone', async () => {
    const markets = await Promise.all(Array.from({ length: 5 }, (_, i) => market(`Batched ${i}?`)))
    const traders = await Promise.all(Array.from({ length: 20 }, () => newUser(t.ctx.db, '100')))
    const batcher = tradeBatcher(t.ctx)
    const before = { ...batcher.stats }
    const results = await Promise.all(
      traders.flatMap((trader, i) =>
        [0, 1, 2].map((n) =>
          placeTrade(t.ctx, trader, (markets[(i + n) % markets.length] as { id: string }).id, {
            outcome: n % 2,
            side: 'buy',
            amount: '2',
          }),
        ),
      ),
    )
    expect(results).toHaveLength(60)
    const batches = batcher.stats.batches - before.batches
    expect(batches).toBeGreaterThanOrEqual(2)
    expect(batches, 'sixty trades sent at once share transactions').toBeLessThan(30)
    expect(batcher.stats.largest).toBeGreaterThan(1)
    // Each trader's three answers carry their cash after each of their trades (in whichever
    // order they reached the batcher): one trader's cash is carried from order to order.
    for (const [i, trader] of traders.entries()) {
      const cash = results.slice(i * 3, i * 3 + 3).map((r) => r.response.cash)
      expect(cash.sort()).toEqual(['94', '96', '98'])
      expect(await cashOf(t.ctx.db, trader)).toBe(parseAmount('94'))
    }
    // Trades of one market were applied one after the other: each saw the prices the one
    // before it left (branch_seq is gap-free per branch).
    const seqs = await t.ctx.db.many(
      sql<{ branch_id: string; seqs: string[] }>(
        'TestGroupSeqs',
        `select branch_id, array_agg(branch_seq::text order by branch_seq) as seqs
           from public.trades where market_id = any($1::uuid[]) group by branch_id`,
      ),
      [markets.map((m) => m.id)],
    )
    for (const row of seqs) expect(row.seqs).toEqual(row.seqs.map((_, i) => String(i + 1)))
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('answers a refusal inside a batch with its own 4xx, and fills the others', async () => {
    const m = await market('Refusals inside a batch?')
    const rich = await Promise.all(Array.from({ length: 6 }, () => newUser(t.ctx.db, '50')))
    const poor = await Promise.all(Array.from({ length: 6 }, () => newUser(t.ctx.db, '1')))
    const outcomes = await settled([
      ...rich.map((u) => placeTrade(t.ctx, u, m.id, { outcome: 0, side: 'buy', amount: '10' })),
      ...poor.map((u) => placeTrade(t.ctx, u, m.id, { outcome: 1, side: 'buy', amount: '10' })),
      ...poor.map((u) => placeTrade(t.ctx, u, m.id, { outcome: 1, side: 'sell', shares: 'all' })),
      // Slippage bound: at most 0.01 credits for 5 shares cannot be met.
      placeTrade(t.ctx, rich[0] as string, m.id, { outcome: 1, side: 'buy', shares: '5', max_cost: '0.01' }),
    ])
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as AppError).code))
    expect(codes.slice(0, 6)).toEqual(Array(6).fill('ok'))
    expect(codes.slice(6, 12)).toEqual(Array(6).fill('insufficient_funds'))
    expect(codes.slice(12, 18)).toEqual(Array(6).fill('insufficient_shares'))
    expect(codes[18]).toBe('slippage_exceeded')
    for (const u of poor) {
      expect(await cashOf(t.ctx.db, u)).toBe(parseAmount('1'))
      expect((await t.ctx.db.one(TradesOf, [u])).n).toBe(0n)
    }
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('trades once for two requests with one key in one burst, and gives both the same answer', async () => {
    const m = await market('One key, one burst?')
    const trader = await newUser(t.ctx.db, '100')
    const key = `burst-${randomUUID()}`
    const body = { outcome: 0, side: 'buy' as const, amount: '3' }
    const [a, b, c] = await Promise.all([
      placeTrade(t.ctx, trader, m.id, body, key),
      placeTrade(t.ctx, trader, m.id, body, key),
      placeTrade(t.ctx, trader, m.id, { outcome: 1, side: 'buy', amount: '3' }),
    ])
    expect(b?.response).toEqual(a?.response)
    expect([a?.replayed, b?.replayed].sort()).toEqual([false, true])
    expect(c?.replayed).toBe(false)
    expect((await t.ctx.db.one(TradesOf, [trader])).n).toBe(2n)
    // Another body under the same key is a conflict, whichever batch it lands in.
    await expect(placeTrade(t.ctx, trader, m.id, { ...body, amount: '4' }, key)).rejects.toMatchObject({
      status: 409,
      code: 'idempotency_conflict',
    })
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('refuses the trades of a market past close_at in a batch that fills the trades of another', async () => {
    const closing = await market('Closing soon?', HOUR)
    const open = await market('Still open?', 48 * HOUR)
    const traders = await Promise.all(Array.from({ length: 4 }, () => newUser(t.ctx.db, '100')))
    // Cache the market facts while both are open, then pass the close: the batch's own time,
    // read under its branch locks, decides.
    await Promise.all([tradingMarket(t.ctx, closing.id), tradingMarket(t.ctx, open.id)])
    clock.advance(HOUR)
    const outcomes = await settled(
      traders.flatMap((u) => [
        placeTrade(t.ctx, u, closing.id, { outcome: 0, side: 'buy', amount: '1' }, `close-${u}`),
        placeTrade(t.ctx, u, open.id, { outcome: 0, side: 'buy', amount: '1' }),
      ]),
    )
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as AppError).code))
    expect(codes).toEqual(traders.flatMap(() => ['market_closed', 'ok']))
    // The refusal is the key's answer: a retry gets it again, marked as a replay.
    const retry = await placeTrade(
      t.ctx,
      traders[0] as string,
      closing.id,
      { outcome: 0, side: 'buy', amount: '1' },
      `close-${traders[0]}`,
    ).catch((e: unknown) => e)
    expect(retry).toBeInstanceOf(AppError)
    expect((retry as AppError).code).toBe('market_closed')
    expect((retry as AppError).headers).toMatchObject({ 'idempotent-replayed': 'true' })
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('runs a batch that fails as a whole again order by order: only the bad order fails', async () => {
    const m = await tradingMarket(t.ctx, (await market('A bad order in a batch?')).id)
    const traders = await Promise.all(Array.from({ length: 5 }, () => newUser(t.ctx.db, '100')))
    // A batcher of its own, whose queue the test fills before it starts: one batch of six. The
    // ghost is a user id with no auth.users row: its cash account cannot be created (foreign
    // key), which fails the batch's transaction, not a check.
    const batcher = new TradeBatcher(t.ctx, { inFlight: 1 })
    const ghost = randomUUID()
    const order = (userId: string) => ({
      market: m,
      branchId: m.branches[0]?.id as string,
      userId,
      outcome: 0,
      terms: { side: 'buy' as const, amount: parseAmount('2') },
    })
    const outcomes = await settled([
      batcher.submit(order(traders[0] as string)),
      ...[...traders.slice(1, 3), ghost, ...traders.slice(3)].map((u) => batcher.submit(order(u))),
    ])
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    expect(batcher.stats.split).toBe(1)
    for (const u of traders) expect(await cashOf(t.ctx.db, u)).toBe(parseAmount('98'))
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('runs two batches at once when asked (TRADE_BATCHES_IN_FLIGHT=2), keeping a key out of both', async () => {
    const markets = await Promise.all([market('Two in flight A?'), market('Two in flight B?')])
    const facts = await Promise.all(markets.map((m) => tradingMarket(t.ctx, m.id)))
    const traders = await Promise.all(Array.from({ length: 10 }, () => newUser(t.ctx.db, '100')))
    const batcher = new TradeBatcher(t.ctx, { inFlight: 2 })
    const order = (userId: string, i: number, key?: string) => {
      const m = facts[i % 2] as (typeof facts)[number]
      return {
        market: m,
        branchId: m.branches[0]?.id as string,
        userId,
        outcome: i % 2,
        terms: { side: 'buy' as const, amount: parseAmount('1') },
        ...(key ? { idempotency: { userId, key, hash: `hash-${key}` } } : {}),
      }
    }
    // Each trader: three plain buys and the same keyed buy three times, all at once.
    const placed = await Promise.all(
      traders.flatMap((u) => [
        ...[0, 1, 2].map((i) => batcher.submit(order(u, i))),
        ...[0, 1, 2].map(() => batcher.submit(order(u, 3, `k-${u}`))),
      ]),
    )
    expect(batcher.stats.batches).toBeGreaterThan(1)
    for (const [n, u] of traders.entries()) {
      const keyed = placed.slice(n * 6 + 3, n * 6 + 6)
      expect(new Set(keyed.map((p) => p.response.trade.id)).size).toBe(1)
      expect(keyed.filter((p) => !p.replayed)).toHaveLength(1)
      expect((await t.ctx.db.one(TradesOf, [u])).n).toBe(4n)
      expect(await cashOf(t.ctx.db, u)).toBe(parseAmount('96'))
    }
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})
