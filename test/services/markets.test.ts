/**
 * The market services against a real database: creation, trading, lifecycle, settlement, with
 * the ledger's invariants checked after each story. Services take a user id (or principal), not
 * a request; the HTTP layer is tested in test/http/markets.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { formatAmount, MICRO, parseAmount } from '../../src/domain/money.js'
import { createMarket } from '../../src/services/markets/create.js'
import {
  closeMarketAtDeadline,
  closeMarketEarly,
  disputeResolution,
  resolveMarket,
  settleDispute,
  voidMarket,
} from '../../src/services/markets/lifecycle.js'
import { settleMarket, settleStep } from '../../src/services/markets/settlement.js'
import { grantSignupCredits } from '../../src/services/money/issuance.js'
import { withMoneyTransaction } from '../../src/services/money/transaction.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { quoteTradeFor } from '../../src/services/trading/quotes.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import {
  cashOf,
  escrowOf,
  feesCollected,
  ledgerViolations,
  newUser,
  principalOf,
  TestClock,
} from '../helpers/money.js'

const clock = new TestClock()
let t: TestApp
let ADMIN: ReturnType<typeof principalOf>

beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: { TRADE_FEE_BPS: '100', DISPUTE_WINDOW_S: '3600', SETTLEMENT_CHUNK_SIZE: '2' },
  })
  ADMIN = principalOf(await newUser(t.ctx.db, '0'), 'admin')
})
afterAll(() => t?.close())

const HOUR = 3_600_000
const credits = (s: string) => parseAmount(s)

async function binaryMarket(creator: string, overrides: Partial<Parameters<typeof createMarket>[2]> = {}) {
  return createMarket(t.ctx, creator, {
    question: 'Will it rain in Paris tomorrow?',
    kind: 'binary',
    subsidy: '100',
    closeAt: new Date(clock.now().getTime() + 24 * HOUR),
    ...overrides,
  })
}

async function expectCode(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${code}`).toMatchObject({ status, code })
}

describe('sign-up credits', () => {
  it('are granted once per user, however often asked', async () => {
    const user = await newUser(t.ctx.db, '0')
    const again = await withMoneyTransaction(t.ctx.db, (m) =>
      grantSignupCredits(m, user, credits('1000'), clock.now()),
    )
    expect(again).toBe(true)
    const thrice = await withMoneyTransaction(t.ctx.db, (m) =>
      grantSignupCredits(m, user, credits('1000'), clock.now()),
    )
    expect(thrice).toBe(false)
    expect(await cashOf(t.ctx.db, user)).toBe(credits('1000'))
  })
})

describe('creating a market', () => {
  it('escrows the subsidy from the creator and schedules the close in the same transaction', async () => {
    const creator = await newUser(t.ctx.db, '500')
    const market = await binaryMarket(creator)
    expect(market).toMatchObject({
      kind: 'binary',
      status: 'open',
      creator_id: creator,
      resolver_id: creator,
    })
    expect(market.slug).toMatch(/^will-it-rain-in-paris-tomorrow-[a-z0-9]+$/)
    expect(await cashOf(t.ctx.db, creator)).toBe(credits('400'))
    expect(await escrowOf(t.ctx.db, market.id)).toBe(credits('100'))
    const job = await t.ctx.db.one(
      sql<{ start_after: Date }>(
        'TestCloseJob',
        `select start_after from pgboss.job where name = 'market-close' and data->>'marketId' = $1`,
      ),
      [market.id],
    )
    expect(job.start_after.toISOString()).toBe(market.close_at.toISOString())
  })

  it('refuses what it cannot fund or does not understand', async () => {
    const poor = await newUser(t.ctx.db, '50')
    await expectCode(binaryMarket(poor), 422, 'insufficient_funds')
    await expectCode(binaryMarket(poor, { subsidy: '1.0000001' }), 400, 'invalid_amount')
    await expectCode(binaryMarket(poor, { subsidy: '1' }), 400, 'invalid_amount')
    await expectCode(
      binaryMarket(poor, { closeAt: new Date(clock.now().getTime() - 1) }),
      400,
      'validation_failed',
    )
    await expectCode(
      binaryMarket(poor, { kind: 'categorical', outcomes: ['A', 'a'], subsidy: '10' }),
      400,
      'validation_failed',
    )
    await expectCode(binaryMarket(poor, { kind: 'scalar', subsidy: '10' }), 400, 'validation_failed')
    expect(await cashOf(t.ctx.db, poor)).toBe(credits('50'))
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})

describe('trading', () => {
  it('buys by amount, buys by shares, sells, with fees to the fee account and rounding to the maker', async () => {
    const creator = await newUser(t.ctx.db)
    const alice = await newUser(t.ctx.db)
    const market = await binaryMarket(creator)
    const feesBefore = await feesCollected(t.ctx.db)

    const buy = await placeTrade(t.ctx, alice, market.id, { outcome: 'YES', side: 'buy', amount: '10' })
    expect(buy.replayed).toBe(false)
    const r = buy.response
    expect(r.trade).toMatchObject({ side: 'buy', outcome: { index: 0, label: 'YES' } })
    // amount is the most paid, fee included; the fee is 1% of the cost, rounded up.
    const cost = parseAmount(r.trade.cost)
    const fee = parseAmount(r.trade.fee)
    expect(cost + fee).toBeLessThanOrEqual(credits('10'))
    expect(fee).toBe((cost * 100n + 9_999n) / 10_000n)
    expect(r.prices[0]).toBeGreaterThan(0.5)
    expect(parseAmount(r.cash)).toBe(credits('1000') - cost - fee)
    expect(r.position).toMatchObject({ shares: r.trade.shares })

    const byShares = await placeTrade(t.ctx, alice, market.id, { outcome: 1, side: 'buy', shares: '5' })
    expect(byShares.response.trade).toMatchObject({ shares: '5', outcome: { label: 'NO' } })

    const sell = await placeTrade(t.ctx, alice, market.id, { outcome: 'YES', side: 'sell', shares: 'all' })
    expect(sell.response.position.shares).toBe('0')
    expect(sell.response.trade.shares).toBe(r.trade.shares)
    // A round trip never profits the trader.
    expect(parseAmount(sell.response.trade.proceeds)).toBeLessThan(cost)

    expect(await feesCollected(t.ctx.db)).toBeGreaterThan(feesBefore)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('quotes without changing anything, for callers and anonymous visitors alike', async () => {
    const creator = await newUser(t.ctx.db)
    const bob = await newUser(t.ctx.db)
    const market = await binaryMarket(creator)
    const anonymous = await quoteTradeFor(t.ctx, null, market.id, { outcome: 0, side: 'buy', amount: '20' })
    const mine = await quoteTradeFor(t.ctx, bob, market.slug, { outcome: 0, side: 'buy', amount: '20' })
    expect(mine).toEqual(anonymous)
    const traded = await placeTrade(t.ctx, bob, market.id, { outcome: 0, side: 'buy', amount: '20' })
    expect(traded.response.trade.shares).toBe(mine.shares)
    expect(traded.response.trade.cost).toBe(mine.cost)
    await expectCode(
      quoteTradeFor(t.ctx, bob, market.id, { outcome: 1, side: 'sell', shares: '1' }),
      422,
      'insufficient_shares',
    )
  })

  it('refuses bad trades with clear codes and changes nothing', async () => {
    const creator = await newUser(t.ctx.db)
    const carol = await newUser(t.ctx.db, '5')
    const market = await binaryMarket(creator)
    const before = await cashOf(t.ctx.db, carol)
    const cases: Array<[Parameters<typeof placeTrade>[3], number, string]> = [
      [{ outcome: 0, side: 'buy', amount: '6' }, 422, 'insufficient_funds'],
      [{ outcome: 0, side: 'buy', amount: '0.001' }, 422, 'amount_below_minimum'],
      [{ outcome: 0, side: 'sell', shares: '1' }, 422, 'insufficient_shares'],
      [{ outcome: 'MAYBE', side: 'buy', amount: '1' }, 422, 'unknown_outcome'],
      [{ outcome: 7, side: 'buy', amount: '1' }, 422, 'unknown_outcome'],
      [{ outcome: 0, side: 'buy', amount: '1.1234567' }, 400, 'invalid_amount'],
      [{ outcome: 0, side: 'buy', amount: '-1' }, 400, 'invalid_amount'],
      [{ outcome: 0, side: 'buy', amount: '1e3' }, 400, 'invalid_amount'],
      [{ outcome: 0, side: 'buy', amount: '1', shares: '1' }, 400, 'invalid_trade'],
      [{ outcome: 0, side: 'buy', amount: '1', min_shares: '100' }, 422, 'slippage_exceeded'],
      [{ outcome: 0, side: 'buy', shares: '2', max_cost: '0.5' }, 422, 'slippage_exceeded'],
      [{ outcome: 0, side: 'buy', shares: '0' }, 422, 'trade_too_small'],
      [{ outcome: 0, side: 'sell', amount: '1' }, 400, 'invalid_trade'],
    ]
    for (const [body, status, code] of cases) {
      await expectCode(placeTrade(t.ctx, carol, market.id, body), status, code)
    }
    await expectCode(
      placeTrade(t.ctx, carol, '00000000-0000-4000-8000-000000000000', {
        outcome: 0,
        side: 'buy',
        amount: '1',
      }),
      404,
      'not_found',
    )
    await expectCode(
      placeTrade(t.ctx, carol, 'no-such-market', { outcome: 0, side: 'buy', amount: '1' }),
      404,
      'not_found',
    )
    expect(await cashOf(t.ctx.db, carol)).toBe(before)
  })

  it('refuses a trade above the configured maximum', async () => {
    const small = await createTestApp({ clock, env: { TRADE_MAX_CREDITS: '5' } })
    try {
      const creator = await newUser(small.ctx.db)
      const dave = await newUser(small.ctx.db)
      const market = await createMarket(small.ctx, creator, {
        question: 'Max trade?',
        kind: 'binary',
        subsidy: '100',
        closeAt: new Date(clock.now().getTime() + HOUR),
      })
      await expectCode(
        placeTrade(small.ctx, dave, market.id, { outcome: 0, side: 'buy', amount: '6' }),
        422,
        'amount_above_maximum',
      )
      await expectCode(
        placeTrade(small.ctx, dave, market.id, { outcome: 0, side: 'buy', shares: '50' }),
        422,
        'amount_above_maximum',
      )
    } finally {
      await small.close()
    }
  })

  it('Idempotency-Key: same body replays, other body conflicts, concurrent duplicates trade once', async () => {
    const creator = await newUser(t.ctx.db)
    const erin = await newUser(t.ctx.db)
    const market = await binaryMarket(creator)
    const body = { outcome: 0, side: 'buy' as const, amount: '3' }
    const first = await placeTrade(t.ctx, erin, market.id, body, 'key-1')
    const again = await placeTrade(t.ctx, erin, market.id, { ...body }, 'key-1')
    expect(again.replayed).toBe(true)
    expect(again.response).toEqual(first.response)
    await expectCode(
      placeTrade(t.ctx, erin, market.id, { ...body, amount: '4' }, 'key-1'),
      409,
      'idempotency_conflict',
    )

    const racing = await Promise.allSettled(
      Array.from({ length: 8 }, () => placeTrade(t.ctx, erin, market.id, body, 'key-2')),
    )
    const placed = racing.filter((r) => r.status === 'fulfilled').map((r) => r.value)
    expect(placed).toHaveLength(8)
    expect(new Set(placed.map((p) => p.response.trade.id)).size).toBe(1)
    expect(placed.filter((p) => !p.replayed)).toHaveLength(1)
    const trades = await t.ctx.db.one(
      sql<{ n: bigint }>('TestTradesOfErin', 'select count(*) as n from public.trades where trader_id = $1'),
      [erin],
    )
    expect(trades.n).toBe(2n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('serialises concurrent trades of one branch and never overdraws a trader', async () => {
    const creator = await newUser(t.ctx.db)
    const frank = await newUser(t.ctx.db, '10')
    const market = await binaryMarket(creator)
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        placeTrade(t.ctx, frank, market.id, { outcome: i % 2, side: 'buy', amount: '3' }),
      ),
    )
    const ok = results.filter((r) => r.status === 'fulfilled')
    expect(ok.length).toBe(3)
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'insufficient_funds' })
    }
    expect(await cashOf(t.ctx.db, frank)).toBeGreaterThanOrEqual(0n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})

describe('lifecycle', () => {
  it('closes at close_at through the job, and early by the creator only', async () => {
    const creator = await newUser(t.ctx.db)
    const other = await newUser(t.ctx.db)
    const market = await binaryMarket(creator, { closeAt: new Date(clock.now().getTime() + HOUR) })
    // Run early (clock skew): nothing happens, the job is scheduled again.
    await closeMarketAtDeadline(t.ctx, market.id)
    await placeTrade(t.ctx, other, market.id, { outcome: 0, side: 'buy', amount: '1' })
    clock.advance(HOUR)
    await expectCode(
      placeTrade(t.ctx, other, market.id, { outcome: 0, side: 'buy', amount: '1' }),
      409,
      'market_closed',
    )
    await closeMarketAtDeadline(t.ctx, market.id)
    await closeMarketAtDeadline(t.ctx, market.id) // twice: no change
    const closed = await t.ctx.db.one(
      sql<{ status: string; closed_at: Date }>(
        'TestStatus',
        'select status, closed_at from public.markets where id = $1',
      ),
      [market.id],
    )
    expect(closed.status).toBe('closed')

    const second = await binaryMarket(creator)
    await expectCode(closeMarketEarly(t.ctx, principalOf(other), second.id), 403, 'forbidden')
    const early = await closeMarketEarly(t.ctx, principalOf(creator), second.id)
    expect(early.status).toBe('closed')
    await expectCode(closeMarketEarly(t.ctx, principalOf(creator), second.id), 409, 'invalid_market_state')
    await expectCode(
      placeTrade(t.ctx, other, second.id, { outcome: 0, side: 'buy', amount: '1' }),
      409,
      'market_closed',
    )
  })

  it('resolves, pays every holder, returns the unused subsidy, and settles only once', async () => {
    const creator = await newUser(t.ctx.db)
    const traders = await Promise.all([1, 2, 3, 4, 5].map(() => newUser(t.ctx.db)))
    const market = await binaryMarket(creator)
    for (const [i, trader] of traders.entries()) {
      await placeTrade(t.ctx, trader, market.id, { outcome: i % 2, side: 'buy', amount: String(10 + i) })
    }
    await placeTrade(t.ctx, traders[0]!, market.id, { outcome: 1, side: 'buy', amount: '2' })
    const sharesOf = async (user: string, outcome: number) =>
      (
        await t.ctx.db.one(
          sql<{ shares: bigint }>(
            'TestShares',
            'select shares from public.positions where market_id = $1 and user_id = $2 and outcome = $3',
          ),
          [market.id, user, outcome],
        )
      ).shares
    const yesShares = await Promise.all(traders.filter((_, i) => i % 2 === 0).map((u) => sharesOf(u, 0)))
    const cashBefore = await Promise.all(traders.map((u) => cashOf(t.ctx.db, u)))
    const creatorBefore = await cashOf(t.ctx.db, creator)

    await expectCode(
      resolveMarket(t.ctx, principalOf(traders[0]!), market.id, {
        outcome: 'YES',
        evidence: { note: 'sunny' },
      }),
      403,
      'forbidden',
    )
    await expectCode(
      resolveMarket(t.ctx, principalOf(creator), market.id, { outcome: 'YES', evidence: {} }),
      400,
      'validation_failed',
    )
    const resolved = await resolveMarket(t.ctx, principalOf(creator), market.id, {
      outcome: 'YES',
      evidence: { url: 'https://weather.example/paris' },
    })
    expect(resolved.status).toBe('resolved')
    const settleJobs = () =>
      t.ctx.db.many(
        sql<{ start_after: Date }>(
          'TestSettleJobs',
          `select start_after from pgboss.job where name = 'market-settle' and data->>'marketId' = $1
            order by created_on`,
        ),
        [market.id],
      )
    expect((await settleJobs()).map((j) => j.start_after)).toEqual([resolved.dispute_until])
    // Run before the window ends (the queue's clock ahead of ours): nothing is paid, and the
    // job comes back at the window's end instead of leaving the market resolved for good.
    expect(await settleMarket(t.ctx, market.id)).toBe('waiting')
    expect((await settleJobs()).map((j) => j.start_after)).toEqual([
      resolved.dispute_until,
      resolved.dispute_until,
    ])
    clock.advance(HOUR)

    // Two settlement runs at once (a duplicated job): each holder is paid once.
    const [a, b] = await Promise.all([settleMarket(t.ctx, market.id), settleMarket(t.ctx, market.id)])
    expect([a, b]).toEqual(['done', 'done'])
    expect(await settleMarket(t.ctx, market.id)).toBe('done')

    const yesHolders = traders.filter((_, i) => i % 2 === 0)
    for (const [j, user] of yesHolders.entries()) {
      const i = traders.indexOf(user)
      expect(await cashOf(t.ctx.db, user)).toBe(cashBefore[i]! + yesShares[j]!)
    }
    for (const user of traders.filter((_, i) => i % 2 === 1)) {
      expect(await cashOf(t.ctx.db, user)).toBe(cashBefore[traders.indexOf(user)]!)
    }
    expect(await escrowOf(t.ctx.db, market.id)).toBe(0n)
    expect(await cashOf(t.ctx.db, creator)).toBeGreaterThan(creatorBefore)
    const final = await t.ctx.db.one(
      sql<{ status: string }>('TestFinal', 'select status from public.markets where id = $1'),
      [market.id],
    )
    expect(final.status).toBe('finalized')
    await expectCode(voidMarket(t.ctx, ADMIN, market.id, 'too late'), 409, 'invalid_market_state')
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('disputes: a holder posts a bond within the window; an admin upholds and corrects, or rejects', async () => {
    const creator = await newUser(t.ctx.db)
    const holder = await newUser(t.ctx.db)
    const outsider = await newUser(t.ctx.db)
    const market = await binaryMarket(creator)
    await placeTrade(t.ctx, holder, market.id, { outcome: 'NO', side: 'buy', amount: '20' })
    await resolveMarket(t.ctx, principalOf(creator), market.id, {
      outcome: 'YES',
      evidence: { note: 'I say so' },
    })
    await expectCode(
      disputeResolution(t.ctx, principalOf(outsider), market.id, { reason: 'wrong' }),
      403,
      'not_a_holder',
    )
    const cash = await cashOf(t.ctx.db, holder)
    const dispute = await disputeResolution(t.ctx, principalOf(holder), market.id, {
      reason: 'It did not rain',
    })
    expect(await cashOf(t.ctx.db, holder)).toBe(cash - credits('10'))
    await expectCode(
      disputeResolution(t.ctx, principalOf(holder), market.id, { reason: 'again' }),
      409,
      'conflict',
    )
    clock.advance(2 * HOUR)
    expect(await settleMarket(t.ctx, market.id)).toBe('waiting') // the open dispute blocks payouts
    await expectCode(
      settleDispute(t.ctx, principalOf(holder), dispute.id, { decision: 'reject' }),
      403,
      'forbidden',
    )
    const settled = await settleDispute(t.ctx, ADMIN, dispute.id, { decision: 'uphold', outcome: 'NO' })
    expect(settled.dispute.status).toBe('upheld')
    expect(settled.market.resolution_outcome).toBe(1)
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    const shares = await t.ctx.db.one(
      sql<{ shares: bigint }>('TestNoShares', `select shares from public.positions where user_id = $1`),
      [holder],
    )
    // Bond back, and the NO shares paid one credit each.
    expect(await cashOf(t.ctx.db, holder)).toBe(cash + shares.shares)

    const second = await binaryMarket(creator)
    await placeTrade(t.ctx, holder, second.id, { outcome: 'NO', side: 'buy', amount: '5' })
    await resolveMarket(t.ctx, principalOf(creator), second.id, { outcome: 'YES', evidence: { note: 'yes' } })
    const before = await cashOf(t.ctx.db, holder)
    const fees = await feesCollected(t.ctx.db)
    const d2 = await disputeResolution(t.ctx, principalOf(holder), second.id, { reason: 'no' })
    await settleDispute(t.ctx, ADMIN, d2.id, { decision: 'reject', note: 'evidence is clear' })
    expect(await feesCollected(t.ctx.db)).toBe(fees + credits('10'))
    expect(await settleMarket(t.ctx, second.id)).toBe('done')
    expect(await cashOf(t.ctx.db, holder)).toBe(before - credits('10'))
    clock.advance(2 * HOUR)
    await expectCode(
      disputeResolution(t.ctx, principalOf(holder), second.id, { reason: 'late' }),
      409,
      'dispute_window_closed',
    )
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('void refunds every trader at cost, fees included, and the whole subsidy to the creator', async () => {
    const creator = await newUser(t.ctx.db)
    const traders = await Promise.all([1, 2, 3, 4, 5].map(() => newUser(t.ctx.db)))
    const market = await binaryMarket(creator)
    const creatorCash = await cashOf(t.ctx.db, creator)
    const start = await Promise.all(traders.map((u) => cashOf(t.ctx.db, u)))
    for (const [i, trader] of traders.entries()) {
      await placeTrade(t.ctx, trader, market.id, { outcome: i % 2, side: 'buy', amount: String(5 + 7 * i) })
    }
    // traders[0] sells after the price moved: a profit that the void takes back.
    await placeTrade(t.ctx, traders[0]!, market.id, { outcome: 0, side: 'sell', shares: 'all' })
    await placeTrade(t.ctx, traders[1]!, market.id, { outcome: 0, side: 'buy', amount: '3' })
    await expectCode(voidMarket(t.ctx, principalOf(creator), market.id, 'nope'), 403, 'forbidden')
    const voided = await voidMarket(t.ctx, ADMIN, market.id, 'The question was ambiguous')
    expect(voided.status).toBe('voided')
    await expectCode(
      placeTrade(t.ctx, traders[2]!, market.id, { outcome: 0, side: 'buy', amount: '1' }),
      409,
      'market_closed',
    )
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    for (const [i, user] of traders.entries()) expect(await cashOf(t.ctx.db, user)).toBe(start[i])
    expect(await cashOf(t.ctx.db, creator)).toBe(creatorCash + credits('100'))
    expect(await escrowOf(t.ctx.db, market.id)).toBe(0n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('void claws back what a profiteer can pay and still refunds the others out of the subsidy', async () => {
    const creator = await newUser(t.ctx.db)
    const early = await newUser(t.ctx.db, '100')
    const late = await newUser(t.ctx.db, '1000')
    const market = await binaryMarket(creator, { subsidy: '10' })
    await placeTrade(t.ctx, early, market.id, { outcome: 0, side: 'buy', amount: '100' })
    await placeTrade(t.ctx, late, market.id, { outcome: 0, side: 'buy', amount: '900' })
    await placeTrade(t.ctx, early, market.id, { outcome: 0, side: 'sell', shares: 'all' })
    const profiteer = await cashOf(t.ctx.db, early)
    expect(profiteer).toBeGreaterThan(credits('100'))
    // The profiteer spends the profit elsewhere before the void.
    const elsewhere = await binaryMarket(late, { subsidy: '10' })
    await placeTrade(t.ctx, early, elsewhere.id, {
      outcome: 1,
      side: 'buy',
      amount: formatAmount(profiteer - MICRO),
    })
    await voidMarket(t.ctx, ADMIN, market.id, 'void')
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    expect(await cashOf(t.ctx.db, early)).toBe(0n)
    expect(await escrowOf(t.ctx.db, market.id)).toBe(0n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('settles in resumable chunks: each step commits a chunk of holders', async () => {
    const creator = await newUser(t.ctx.db)
    const traders = await Promise.all(Array.from({ length: 5 }, () => newUser(t.ctx.db)))
    const market = await binaryMarket(creator)
    for (const trader of traders)
      await placeTrade(t.ctx, trader, market.id, { outcome: 0, side: 'buy', amount: '2' })
    await resolveMarket(t.ctx, principalOf(creator), market.id, { outcome: 0, evidence: { note: 'yes' } })
    clock.advance(2 * HOUR)
    const steps: string[] = []
    for (;;) {
      const step = await settleStep(t.ctx, market.id)
      steps.push(step)
      if (step !== 'progress') break
    }
    // 5 holders in chunks of 2 = 3 steps, then returning the subsidy, then finalising.
    expect(steps).toEqual(['progress', 'progress', 'progress', 'progress', 'done'])
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('categorical and scalar markets pay by their outcome space', async () => {
    const creator = await newUser(t.ctx.db)
    const x = await newUser(t.ctx.db)
    const y = await newUser(t.ctx.db)
    const cat = await binaryMarket(creator, {
      kind: 'categorical',
      outcomes: ['Red', 'Green', 'Blue'],
      subsidy: '50',
    })
    await placeTrade(t.ctx, x, cat.id, { outcome: 'Green', side: 'buy', shares: '10' })
    await placeTrade(t.ctx, y, cat.id, { outcome: 'Blue', side: 'buy', shares: '10' })
    const xCash = await cashOf(t.ctx.db, x)
    const yCash = await cashOf(t.ctx.db, y)
    await resolveMarket(t.ctx, principalOf(creator), cat.id, {
      outcome: 'Green',
      evidence: { note: 'green' },
    })
    clock.advance(2 * HOUR)
    await settleMarket(t.ctx, cat.id)
    expect(await cashOf(t.ctx.db, x)).toBe(xCash + 10n * MICRO)
    expect(await cashOf(t.ctx.db, y)).toBe(yCash)

    const scalar = await binaryMarket(creator, {
      kind: 'scalar',
      scalar: { lo: '-10', hi: '30', unit: '°C' },
      subsidy: '50',
    })
    await placeTrade(t.ctx, x, scalar.id, { outcome: 'LONG', side: 'buy', shares: '8' })
    await placeTrade(t.ctx, y, scalar.id, { outcome: 'SHORT', side: 'buy', shares: '3' })
    const x2 = await cashOf(t.ctx.db, x)
    const y2 = await cashOf(t.ctx.db, y)
    await expectCode(
      resolveMarket(t.ctx, principalOf(creator), scalar.id, { outcome: 0, evidence: { note: 'x' } }),
      400,
      'validation_failed',
    )
    await expectCode(
      resolveMarket(t.ctx, principalOf(creator), scalar.id, {
        value: '1'.padEnd(30, '0'),
        evidence: { note: 'x' },
      }),
      400,
      'invalid_amount',
    )
    await resolveMarket(t.ctx, principalOf(creator), scalar.id, { value: '0', evidence: { note: '0 °C' } })
    clock.advance(2 * HOUR)
    await settleMarket(t.ctx, scalar.id)
    // v = 0 in -10..30: LONG pays 1/4, SHORT 3/4.
    expect(await cashOf(t.ctx.db, x)).toBe(x2 + 2n * MICRO)
    expect(await cashOf(t.ctx.db, y)).toBe(y2 + (9n * MICRO) / 4n)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})
