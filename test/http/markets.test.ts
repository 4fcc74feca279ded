/**
 * Markets and money over HTTP (app.inject): users made through sign-up (which grants their
 * credits), markets created, traded, listed, resolved, disputed, voided; every bad input a 4xx
 * problem document with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { formatAmount, parseAmount } from '../../src/domain/money.js'
import { settleMarket } from '../../src/services/markets/settlement.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { ledgerViolations, TestClock } from '../helpers/money.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

const clock = new TestClock(new Date())
let t: TestApp
let alice: TestUser
let bob: TestUser
let admin: TestUser

beforeAll(async () => {
  t = await createTestApp({ clock, env: { DISPUTE_WINDOW_S: '60', TRADE_FEE_BPS: '50' } })
  ;[alice, bob, admin] = await Promise.all([
    createTestUser(t),
    createTestUser(t),
    createTestUser(t, { admin: true }),
  ])
})
afterAll(() => t?.close())

const HOUR = 3_600_000

async function newMarket(user: TestUser, body: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question: 'Will the HTTP test pass?',
      description: 'A market about tests.',
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
      ...body,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

function trade(user: { headers: Record<string, string> }, market: string, payload: object, key?: string) {
  clock.advance(1000) // distinct timestamps: lists are ordered by time
  return t.app.inject({
    method: 'POST',
    url: `/v1/markets/${market}/trades`,
    headers: { ...user.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  })
}

describe('money of a new user', () => {
  it('sign-up grants the configured credits, once', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/me/portfolio', headers: alice.headers })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ cash: '1000', positions_value: '0', total: '1000', realized_pnl: '0' })
    const ledger = await t.app.inject({ method: 'GET', url: '/v1/me/ledger', headers: alice.headers })
    expect(ledger.json().items).toEqual([
      expect.objectContaining({ kind: 'signup_grant', amount: '1000', balance_after: '1000' }),
    ])
  })

  it('admins grant more; others may not', async () => {
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/grants',
      headers: alice.headers,
      payload: { user_id: bob.userId, amount: '5' },
    })
    expect(denied.statusCode).toBe(403)
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/grants',
      headers: admin.headers,
      payload: { user_id: bob.userId, amount: '250.5', memo: 'prize' },
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ amount: '250.5', cash: '1250.5', memo: 'prize' })
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/grants',
      headers: admin.headers,
      payload: { user_id: bob.userId, amount: '1.1234567' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'invalid_amount', errors: [{ field: '/body/amount' }] })
    const nobody = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/grants',
      headers: admin.headers,
      payload: { user_id: '00000000-0000-4000-8000-000000000000', amount: '1' },
    })
    expect(nobody.statusCode).toBe(404)
  })
})

describe('markets', () => {
  it('creates, gets by id and slug, lists with filters and text search, pages by cursor', async () => {
    const market = await newMarket(alice, { question: 'Will the aurora be visible in Oslo tonight?' })
    expect(market).toMatchObject({
      status: 'open',
      kind: 'binary',
      prices: [0.5, 0.5],
      volume: '0',
      traders: 0,
      outcomes: [
        { index: 0, label: 'YES' },
        { index: 1, label: 'NO' },
      ],
      branches: [{ index: 0, subsidy: '50', escrow: '50' }],
    })
    const bySlug = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.slug}` })
    expect(bySlug.json().id).toBe(market.id)
    await newMarket(alice, {
      kind: 'categorical',
      outcomes: ['Red', 'Green', 'Blue'],
      question: 'Which colour wins?',
    })

    const search = await t.app.inject({ method: 'GET', url: '/v1/markets?q=aurora%20Oslo' })
    expect(search.json().items.map((m: { id: string }) => m.id)).toEqual([market.id])
    const categorical = await t.app.inject({ method: 'GET', url: '/v1/markets?kind=categorical' })
    expect(categorical.json().items).toHaveLength(1)

    const first = await t.app.inject({ method: 'GET', url: '/v1/markets?limit=1' })
    expect(first.json().items).toHaveLength(1)
    const cursor = first.json().next_cursor
    expect(cursor).toEqual(expect.any(String))
    const second = await t.app.inject({ method: 'GET', url: `/v1/markets?limit=1&cursor=${cursor}` })
    expect(second.json().items[0].id).not.toBe(first.json().items[0].id)
    const badCursor = await t.app.inject({ method: 'GET', url: '/v1/markets?cursor=garbage' })
    expect(badCursor.statusCode).toBe(400)
  })

  it('refuses bad markets with problems', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ subsidy: 'ten' }, 400, 'invalid_amount'],
      [{ subsidy: '100000' }, 422, 'insufficient_funds'],
      [{ kind: 'categorical', outcomes: ['only one'] }, 400, 'validation_failed'],
      [{ close_at: '2000-01-01T00:00:00Z' }, 400, 'validation_failed'],
      [{ kind: 'lottery' }, 400, 'validation_failed'],
      [{ kind: 'scalar', scalar: { lo: '0', hi: '99999999999999999999' } }, 400, 'invalid_amount'],
      [{ kind: 'scalar', scalar: { lo: '5', hi: '1' } }, 400, 'validation_failed'],
    ]
    for (const [body, status, code] of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/markets',
        headers: bob.headers,
        payload: {
          question: 'Bad?',
          kind: 'binary',
          subsidy: '10',
          close_at: new Date(clock.now().getTime() + HOUR).toISOString(),
          ...body,
        },
      })
      expect(res.statusCode, JSON.stringify(body)).toBe(status)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.json().code).toBe(code)
    }
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/markets',
      payload: { question: 'Anyone?', kind: 'binary', subsidy: '10', close_at: '2099-01-01T00:00:00Z' },
    })
    expect(anonymous.statusCode).toBe(401)
    const missing = await t.app.inject({ method: 'GET', url: '/v1/markets/no-such-market' })
    expect(missing.statusCode).toBe(404)
  })
})

describe('trading', () => {
  it('quotes, trades with Idempotency-Key, and shows positions, trades, ledger and history', async () => {
    const market = await newMarket(alice)
    const quote = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/quote`,
      payload: { outcome: 'YES', side: 'buy', amount: '10' },
    })
    expect(quote.statusCode, quote.body).toBe(200)
    const q = quote.json()
    expect(q.prices_before).toEqual([0.5, 0.5])

    const first = await trade(bob, market.id, { outcome: 'YES', side: 'buy', amount: '10' }, 'order-1')
    expect(first.statusCode, first.body).toBe(201)
    const body = first.json()
    expect(body.trade).toMatchObject({ side: 'buy', shares: q.shares, cost: q.cost, fee: q.fee })
    expect(body.position).toMatchObject({ shares: q.shares })
    expect(body.prices[0]).toBeGreaterThan(0.5)

    const replay = await trade(bob, market.id, { side: 'buy', amount: '10', outcome: 'YES' }, 'order-1')
    expect(replay.statusCode).toBe(201)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.body).toBe(first.body)
    const conflict = await trade(bob, market.id, { outcome: 'YES', side: 'buy', amount: '11' }, 'order-1')
    expect(conflict.statusCode).toBe(409)
    expect(conflict.json().code).toBe('idempotency_conflict')

    await trade(alice, market.id, { outcome: 'NO', side: 'buy', shares: '4' })
    await trade(bob, market.id, { outcome: 0, side: 'sell', shares: '2' })

    const positions = await t.app.inject({ method: 'GET', url: '/v1/me/positions', headers: bob.headers })
    expect(positions.json().items).toEqual([
      expect.objectContaining({
        outcome: { index: 0, label: 'YES' },
        market: expect.objectContaining({ id: market.id }),
      }),
    ])
    const mine = await t.app.inject({ method: 'GET', url: '/v1/me/trades', headers: bob.headers })
    expect(mine.json().items.map((x: { side: string }) => x.side)).toEqual(['sell', 'buy'])
    const tape = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/trades` })
    expect(tape.json().items).toHaveLength(3)
    const profile = await t.ctx.db.one(
      sql<{ username: string }>('TestUsername', 'select username from public.profiles where user_id = $1'),
      [alice.userId],
    )
    expect(tape.json().items[1].trader).toEqual({ id: alice.userId, username: profile.username })
    const ledger = await t.app.inject({ method: 'GET', url: '/v1/me/ledger?limit=2', headers: bob.headers })
    expect(ledger.json().items[0]).toMatchObject({ kind: 'trade', market_id: market.id })
    expect(ledger.json().next_cursor).toEqual(expect.any(String))
    const older = await t.app.inject({
      method: 'GET',
      url: `/v1/me/ledger?limit=2&cursor=${ledger.json().next_cursor}`,
      headers: bob.headers,
    })
    expect(BigInt(older.json().items[0].seq)).toBeLessThan(BigInt(ledger.json().items[1].seq))

    const history = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/history` })
    expect(history.json().points.map((p: { seq: number }) => p.seq)).toEqual([0, 1, 2, 3])
    const paged = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/history?limit=2` })
    expect(paged.json().points.map((p: { seq: number }) => p.seq)).toEqual([0, 1])
    const rest = await t.app.inject({
      method: 'GET',
      url: `/v1/markets/${market.id}/history?cursor=${paged.json().next_cursor}`,
    })
    expect(rest.json().points.map((p: { seq: number }) => p.seq)).toEqual([2, 3])
    const sampled = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/history?points=50` })
    expect(sampled.statusCode, sampled.body).toBe(200)
    expect(sampled.json().points.length).toBeGreaterThanOrEqual(2)

    const portfolio = await t.app.inject({ method: 'GET', url: '/v1/me/portfolio', headers: bob.headers })
    expect(portfolio.json().open_positions).toBe(1)
    const got = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}` })
    expect(got.json()).toMatchObject({ traders: 2, branches: [{ trades: 3 }] })
  })

  it('positions and the portfolio add up: cash, value at current prices, invested, realised and unrealised', async () => {
    const carol = await createTestUser(t)
    const market = await newMarket(alice)
    const get = async (url: string) =>
      (await t.app.inject({ method: 'GET', url, headers: carol.headers })).json()
    const units = (s: string) => parseAmount(s)

    const buy = (await trade(carol, market.id, { outcome: 'YES', side: 'buy', amount: '10' })).json()
    const sell = (await trade(carol, market.id, { outcome: 'YES', side: 'sell', shares: '2' })).json()
    const bought = units(buy.trade.shares)
    const basis = units(buy.trade.cost) + units(buy.trade.fee)
    // Average cost: the sold shares take their share of the basis, rounded down.
    const used = (basis * units('2')) / bought
    const [position] = (await get('/v1/me/positions')).items
    expect(position).toMatchObject({
      shares: formatAmount(bought - units('2')),
      cost_basis: formatAmount(basis - used),
      realized_pnl: formatAmount(units(sell.trade.proceeds) - units(sell.trade.fee) - used),
    })
    // Valued at the current price, rounded down.
    const price = sell.prices[0] as number
    const value = units(position.value)
    expect(Math.abs(Number(value) - price * Number(bought - units('2')))).toBeLessThan(2)
    expect(units(position.unrealized_pnl)).toBe(value - (basis - used))

    const cash = units('1000') - basis + units(sell.trade.proceeds) - units(sell.trade.fee)
    expect(await get('/v1/me/portfolio')).toEqual({
      cash: formatAmount(cash),
      positions_value: formatAmount(value),
      total: formatAmount(cash + value),
      invested: formatAmount(basis - used),
      realized_pnl: position.realized_pnl,
      unrealized_pnl: formatAmount(value - (basis - used)),
      open_positions: 1,
    })

    // Resolved YES and paid: the shares turn into cash, and all of the profit is realised.
    await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { note: 'yes' } },
    })
    clock.advance(120_000)
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    const held = bought - units('2')
    const settled = await get('/v1/me/portfolio')
    expect(settled).toEqual({
      cash: formatAmount(cash + held),
      positions_value: '0',
      total: formatAmount(cash + held),
      invested: '0',
      realized_pnl: formatAmount(units(position.realized_pnl) + held - (basis - used)),
      unrealized_pnl: '0',
      open_positions: 0,
    })
    // Everything carol ever did in this market, in one number: what she has minus what she had.
    expect(units(settled.total) - units('1000')).toBe(units(settled.realized_pnl))
    const [paid] = (await get('/v1/me/positions?status=settled')).items
    expect(paid).toMatchObject({ payout: formatAmount(held), value: '0', unrealized_pnl: '0' })
  })

  it('answers every bad trade with a 4xx problem', async () => {
    const market = await newMarket(alice)
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ outcome: 'YES', side: 'buy', amount: '1.0000001' }, 400, 'invalid_amount'],
      [{ outcome: 'YES', side: 'buy', amount: 'abc' }, 400, 'invalid_amount'],
      [{ outcome: 'YES', side: 'hold', amount: '5' }, 400, 'validation_failed'],
      [{ outcome: 'YES', side: 'buy' }, 400, 'invalid_trade'],
      [{ outcome: 'MAYBE', side: 'buy', amount: '5' }, 422, 'unknown_outcome'],
      [{ outcome: 'YES', side: 'buy', amount: '100000' }, 422, 'insufficient_funds'],
      [{ outcome: 'YES', side: 'buy', amount: '0.000001' }, 422, 'amount_below_minimum'],
      [{ outcome: 'NO', side: 'sell', shares: '1' }, 422, 'insufficient_shares'],
      [{ outcome: 'NO', side: 'sell', shares: 'all' }, 422, 'insufficient_shares'],
      [{ outcome: 'YES', side: 'buy', amount: '5', min_shares: '1000' }, 422, 'slippage_exceeded'],
      [{ outcome: 'YES', side: 'buy', amount: '5', extra: 1 }, 400, 'validation_failed'],
      [{ branch: 3, outcome: 'YES', side: 'buy', amount: '5' }, 422, 'invalid_trade'],
    ]
    for (const [payload, status, code] of cases) {
      const res = await trade(bob, market.id, payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().code, JSON.stringify(payload)).toBe(code)
    }
    const anonymous = await trade({ headers: {} }, market.id, { outcome: 'YES', side: 'buy', amount: '5' })
    expect(anonymous.statusCode).toBe(401)
    const readOnly = await createTestApiKey(t, bob, ['read'])
    const keyed = await trade(readOnly, market.id, { outcome: 'YES', side: 'buy', amount: '5' })
    expect(keyed.statusCode).toBe(403)
    const tradeKey = await createTestApiKey(t, bob, ['trade'])
    expect((await trade(tradeKey, market.id, { outcome: 'YES', side: 'buy', amount: '5' })).statusCode).toBe(
      201,
    )
    const unknown = await trade(bob, '00000000-0000-4000-8000-000000000000', {
      outcome: 0,
      side: 'buy',
      amount: '1',
    })
    expect(unknown.statusCode).toBe(404)
  })
})

describe('bad requests everywhere else', () => {
  it('closed markets, trade limits, unknown markets and slugs, bad cursors: each a 4xx problem, never a 500', async () => {
    const market = await newMarket(alice)
    const closed = await newMarket(alice)
    await t.app.inject({ method: 'POST', url: `/v1/markets/${closed.id}/close`, headers: alice.headers })
    const disputable = await newMarket(alice)
    expect((await trade(bob, disputable.id, { outcome: 0, side: 'buy', amount: '2' })).statusCode).toBe(201)
    const resolved = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${disputable.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 1, evidence: { note: 'no' } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    const list = await t.app.inject({ method: 'GET', url: '/v1/markets?limit=1' })
    expect(list.json().next_cursor).toEqual(expect.any(String))
    const cases: Array<[string, string, object | undefined, number, string]> = [
      // Trading a closed market, quoting it too.
      [
        'POST',
        `/v1/markets/${closed.id}/trades`,
        { outcome: 0, side: 'buy', amount: '1' },
        409,
        'market_closed',
      ],
      [
        'POST',
        `/v1/markets/${closed.id}/quote`,
        { outcome: 0, side: 'buy', amount: '1' },
        409,
        'market_closed',
      ],
      // Above TRADE_MAX_CREDITS (100000): refused on the size, before the cash.
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 0, side: 'buy', amount: '100000.5' },
        422,
        'amount_above_maximum',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 0, side: 'buy', shares: '1000000000' },
        422,
        'amount_above_maximum',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 0, side: 'buy', amount: '99999999999999999999' },
        400,
        'invalid_amount',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 0, side: 'sell', shares: '1' },
        422,
        'insufficient_shares',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 2, side: 'buy', amount: '1' },
        422,
        'unknown_outcome',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        // A negative index is not an outcome reference at all (bodies are validated as sent).
        { outcome: -1, side: 'buy', amount: '1' },
        400,
        'validation_failed',
      ],
      [
        'POST',
        `/v1/markets/${market.id}/trades`,
        { outcome: 0, side: ['buy'], amount: '1' },
        400,
        'validation_failed',
      ],
      // Unknown markets, by id or by slug, on every market route.
      ['GET', '/v1/markets/no-such-market', undefined, 404, 'not_found'],
      ['GET', '/v1/markets/NO-SUCH-MARKET', undefined, 404, 'not_found'],
      ['GET', '/v1/markets/00000000-0000-4000-8000-000000000000', undefined, 404, 'not_found'],
      ['GET', '/v1/markets/..%2F..%2Fetc', undefined, 404, 'not_found'],
      ['GET', '/v1/markets/no-such-market/history', undefined, 404, 'not_found'],
      ['GET', '/v1/markets/no-such-market/trades', undefined, 404, 'not_found'],
      [
        'POST',
        '/v1/markets/no-such-market/quote',
        { outcome: 0, side: 'buy', amount: '1' },
        404,
        'not_found',
      ],
      [
        'POST',
        '/v1/markets/no-such-market/trades',
        { outcome: 0, side: 'buy', amount: '1' },
        404,
        'not_found',
      ],
      ['POST', '/v1/markets/no-such-market/close', undefined, 404, 'not_found'],
      [
        'POST',
        '/v1/markets/no-such-market/resolve',
        { outcome: 0, evidence: { note: 'x' } },
        404,
        'not_found',
      ],
      ['POST', '/v1/markets/no-such-market/disputes', { reason: 'x' }, 404, 'not_found'],
      // Bad slugs when creating: not slug-shaped, or taken.
      [
        'POST',
        '/v1/markets',
        {
          question: 'Bad slug?',
          kind: 'binary',
          subsidy: '10',
          close_at: '2099-01-01T00:00:00Z',
          slug: 'Not A Slug',
        },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/v1/markets',
        {
          question: 'Taken slug?',
          kind: 'binary',
          subsidy: '10',
          close_at: '2099-01-01T00:00:00Z',
          slug: market.slug,
        },
        409,
        'conflict',
      ],
      [
        'POST',
        '/v1/markets',
        {
          question: 'Slug like an id?',
          kind: 'binary',
          subsidy: '10',
          close_at: '2099-01-01T00:00:00Z',
          slug: '00000000-0000-4000-8000-000000000000',
        },
        400,
        'validation_failed',
      ],
      // Reasons made of blanks.
      ['POST', `/v1/markets/${market.id}/void`, { reason: '   ' }, 400, 'validation_failed'],
      ['POST', `/v1/markets/${disputable.id}/disputes`, { reason: '   ' }, 400, 'validation_failed'],
      // Cursors that are not ours, on every list: garbage, and well-formed impostors whose date or
      // id only the database would have refused (month 13, year 0, an id that is no UUID).
      ...(
        [
          ['/v1/markets', 'markets'],
          [`/v1/markets/${market.id}/trades`, 'trades'],
          ['/v1/me/trades', 'trades'],
          ['/v1/me/ledger', 'ledger'],
          ['/v1/me/positions', 'positions'],
        ] as const
      ).flatMap(
        ([url, kind]): Array<[string, string, undefined, number, string]> =>
          [
            'garbage',
            '-1',
            ...[
              '{"a":1}',
              '[1e400,"x"]',
              `${kind}:2026-13-45T00:00:00.000Z|00000000-0000-4000-8000-000000000000`,
              `${kind}:0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000`,
              `${kind}:2026-01-01T00:00:00.000Z|---`,
              `${kind}:2026-02-30T00:00:00.000Z|00000000-0000-4000-8000-000000000000`,
              'ledger:9999999999999999999',
            ].map((text) => Buffer.from(text).toString('base64url')),
          ].map((cursor) => ['GET', `${url}?cursor=${cursor}`, undefined, 400, 'validation_failed']),
      ),
      ['GET', `/v1/markets/${market.id}/history?cursor=abc`, undefined, 400, 'validation_failed'],
      ['GET', `/v1/markets/${market.id}/history?points=10&cursor=1`, undefined, 400, 'validation_failed'],
      ['GET', `/v1/markets/${market.id}/history?branch=9`, undefined, 404, 'not_found'],
      ['GET', '/v1/markets?limit=0', undefined, 400, 'validation_failed'],
      ['GET', '/v1/markets?status=bogus', undefined, 400, 'validation_failed'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const res = await t.app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: url.endsWith('/resolve')
          ? alice.headers
          : url.endsWith('/void')
            ? admin.headers
            : bob.headers,
        ...(payload === undefined ? {} : { payload }),
      })
      const what = `${method} ${url} ${JSON.stringify(payload)}`
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status)
      expect(res.headers['content-type'], what).toContain('application/problem+json')
      expect(res.json().code, what).toBe(code)
    }
    // And a real cursor still works.
    const next = await t.app.inject({
      method: 'GET',
      url: `/v1/markets?limit=1&cursor=${list.json().next_cursor}`,
    })
    expect(next.statusCode).toBe(200)
  })
})

describe('amounts are decimal strings', () => {
  // The app's validator coerces scalars to strings for query strings' sake; without the routes'
  // own check, 5 or [5] would arrive as "5" and trade.
  it('refuses JSON numbers, arrays, booleans and null in every amount field, and changes nothing', async () => {
    const market = await newMarket(alice)
    const scalar = await newMarket(alice, { kind: 'scalar', scalar: { lo: '0', hi: '10' } })
    const resolvable = await newMarket(alice)
    const later = new Date(clock.now().getTime() + HOUR).toISOString()
    const cases: Array<{
      url: string
      headers: Record<string, string>
      body: Record<string, unknown>
      field: string
    }> = [
      ...['trades', 'quote'].flatMap((op) =>
        (
          [
            ['amount', { outcome: 0, side: 'buy' }],
            ['shares', { outcome: 0, side: 'buy' }],
            ['max_cost', { outcome: 0, side: 'buy', shares: '1' }],
            ['min_shares', { outcome: 0, side: 'buy', amount: '1' }],
            ['min_proceeds', { outcome: 0, side: 'sell', shares: '1' }],
          ] as const
        ).map(([field, rest]) => ({
          url: `/v1/markets/${market.id}/${op}`,
          headers: bob.headers,
          body: { ...rest, [field]: 1 },
          field: `/body/${field}`,
        })),
      ),
      {
        url: '/v1/markets',
        headers: bob.headers,
        body: { question: 'Numbers?', kind: 'binary', subsidy: 10, close_at: later },
        field: '/body/subsidy',
      },
      {
        url: '/v1/markets',
        headers: bob.headers,
        body: {
          question: 'Numbers?',
          kind: 'scalar',
          scalar: { lo: 0, hi: '5' },
          subsidy: '10',
          close_at: later,
        },
        field: '/body/scalar/lo',
      },
      {
        url: '/v1/markets',
        headers: bob.headers,
        body: {
          question: 'Numbers?',
          kind: 'scalar',
          scalar: { lo: '0', hi: 5 },
          subsidy: '10',
          close_at: later,
        },
        field: '/body/scalar/hi',
      },
      {
        url: `/v1/markets/${scalar.id}/resolve`,
        headers: alice.headers,
        body: { value: 3, evidence: { note: 'three' } },
        field: '/body/value',
      },
      {
        url: '/v1/admin/grants',
        headers: admin.headers,
        body: { user_id: bob.userId, amount: 5 },
        field: '/body/amount',
      },
      {
        url: '/v1/admin/disputes/00000000-0000-4000-8000-000000000000/settle',
        headers: admin.headers,
        body: { decision: 'uphold', value: 3 },
        field: '/body/value',
      },
    ]
    for (const { url, headers, body, field } of cases) {
      const key = field.split('/').slice(2)
      for (const bad of [5, 0.1, [5], true, null]) {
        const payload = structuredClone(body)
        let target = payload as Record<string, unknown>
        for (const k of key.slice(0, -1)) target = target[k] as Record<string, unknown>
        target[key.at(-1) as string] = bad
        const res = await t.app.inject({ method: 'POST', url, headers, payload })
        const what = `${url} ${JSON.stringify(payload)}`
        expect(res.statusCode, what).toBe(400)
        expect(res.headers['content-type'], what).toContain('application/problem+json')
        expect(res.json(), what).toMatchObject({ code: 'invalid_amount', errors: [{ field }] })
      }
    }
    // The same requests with strings go through, so it is the type that was refused.
    const ok = await trade(bob, market.id, { outcome: 0, side: 'buy', amount: '1' })
    expect(ok.statusCode, ok.body).toBe(201)
    const resolved = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${resolvable.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 0, evidence: { note: 'yes' } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    const trades = await t.ctx.db.one(
      sql<{ n: bigint }>(
        'TestCountBobTrades',
        'select count(*) as n from public.trades where market_id = $1',
      ),
      [market.id],
    )
    expect(trades.n).toBe(1n)
    const grants = await t.ctx.db.one(
      sql<{ n: bigint }>(
        'TestCountBobGrants',
        "select count(*) as n from public.journal_entries where kind = 'admin_grant' and user_id = $1",
      ),
      [bob.userId],
    )
    expect(grants.n).toBe(1n) // the one of 'admins grant more', none from a number
    const scalarNow = await t.app.inject({ method: 'GET', url: `/v1/markets/${scalar.id}` })
    expect(scalarNow.json().status).toBe('open')
  })
})

describe('lifecycle over HTTP', () => {
  it('close early, resolve, dispute, admin settles, payouts; void refunds', async () => {
    const market = await newMarket(alice)
    await trade(bob, market.id, { outcome: 'NO', side: 'buy', amount: '20' })
    const notCreator = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/close`,
      headers: bob.headers,
    })
    expect(notCreator.statusCode).toBe(403)
    const closed = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/close`,
      headers: alice.headers,
    })
    expect(closed.json().status).toBe('closed')
    expect((await trade(bob, market.id, { outcome: 'NO', side: 'buy', amount: '1' })).json().code).toBe(
      'market_closed',
    )

    const resolved = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { url: 'https://example.test/result' } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    expect(resolved.json().resolution).toMatchObject({ outcome: { label: 'YES' } })

    const dispute = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/disputes`,
      headers: bob.headers,
      payload: { reason: 'The result page says NO' },
    })
    expect(dispute.statusCode, dispute.body).toBe(201)
    expect(dispute.json()).toMatchObject({ status: 'open', bond: '10' })
    const bySomeone = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/disputes/${dispute.json().id}/settle`,
      headers: bob.headers,
      payload: { decision: 'uphold', outcome: 'NO' },
    })
    expect(bySomeone.statusCode).toBe(403)
    const settled = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/disputes/${dispute.json().id}/settle`,
      headers: admin.headers,
      payload: { decision: 'uphold', outcome: 'NO', note: 'checked' },
    })
    expect(settled.statusCode, settled.body).toBe(200)
    expect(settled.json().market.resolution.outcome.label).toBe('NO')
    expect(await settleMarket(t.ctx, market.id)).toBe('done')
    const final = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}` })
    expect(final.json()).toMatchObject({ status: 'finalized', branches: [{ escrow: '0' }] })
    const settledPositions = await t.app.inject({
      method: 'GET',
      url: '/v1/me/positions?status=settled',
      headers: bob.headers,
    })
    expect(settledPositions.json().items[0].payout).not.toBe('0')

    const other = await newMarket(alice)
    const paid = (await trade(bob, other.id, { outcome: 'YES', side: 'buy', amount: '7' })).json().trade
    const before = (
      await t.app.inject({ method: 'GET', url: '/v1/me/portfolio', headers: bob.headers })
    ).json()
    const notAdmin = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${other.id}/void`,
      headers: alice.headers,
      payload: { reason: 'x' },
    })
    expect(notAdmin.statusCode).toBe(403)
    const voided = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${other.id}/void`,
      headers: admin.headers,
      payload: { reason: 'Ambiguous' },
    })
    expect(voided.json().status).toBe('voided')
    await settleMarket(t.ctx, other.id)
    const after = (
      await t.app.inject({ method: 'GET', url: '/v1/me/portfolio', headers: bob.headers })
    ).json()
    // Refunded exactly what the buy took: its cost and its fee.
    expect(parseAmount(after.cash) - parseAmount(before.cash)).toBe(
      parseAmount(paid.cost) + parseAmount(paid.fee),
    )
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  // The worker running it at close_at: test/e2e/market-jobs.test.ts.
  it('the close job is enqueued with the market, for close_at', async () => {
    const market = await newMarket(alice, { close_at: new Date(clock.now().getTime() + 1000).toISOString() })
    const jobs = await t.ctx.db.many(
      sql<{ start_after: Date }>(
        'TestCloseJobs',
        `select start_after from pgboss.job where name = 'market-close' and data->>'marketId' = $1`,
      ),
      [market.id],
    )
    expect(jobs.map((j) => j.start_after.toISOString())).toEqual([market.close_at])
  })
})

describe('Idempotency-Key retries racing the original, over HTTP', () => {
  it('the same key and body three times at once: one 201, two replays of it; a refusal replays as the same 422', async () => {
    const carol = await createTestUser(t)
    const market = await newMarket(alice, { subsidy: '200' })
    const send = (key: string, body: object) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/markets/${market.id}/trades`,
        headers: { ...carol.headers, 'idempotency-key': key },
        payload: body,
      })
    const buy = { outcome: 'YES', side: 'buy', amount: '900' }
    const raced = await Promise.all([send('race-1', buy), send('race-1', buy), send('race-1', buy)])
    expect(raced.map((r) => r.statusCode)).toEqual([201, 201, 201])
    expect(new Set(raced.map((r) => r.body)).size).toBe(1)
    expect(raced.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2)

    // The same order under a new key no longer fits the cash: refused, and so is its retry.
    const refused = await send('race-2', buy)
    expect(refused.statusCode).toBe(422)
    expect(refused.json().code).toBe('insufficient_funds')
    const retried = await send('race-2', buy)
    expect(retried.statusCode).toBe(422)
    expect(retried.headers['idempotent-replayed']).toBe('true')
    const { request_id: _first, ...problem } = refused.json()
    expect(retried.json()).toEqual({ ...problem, request_id: expect.any(String) })

    // The market's slug names the same request as its id.
    const bySlug = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.slug}/trades`,
      headers: { ...carol.headers, 'idempotency-key': 'race-1' },
      payload: buy,
    })
    expect(bySlug.statusCode, bySlug.body).toBe(201)
    expect(bySlug.body).toBe(raced[0]?.body)

    // A label matches exactly: a stray blank, or another case, is not YES.
    for (const [key, outcome] of [
      ['blank', 'YES '],
      ['lower', 'yes'],
    ]) {
      const wrong = await send(key as string, { outcome, side: 'buy', amount: '1' })
      expect(wrong.statusCode, outcome).toBe(422)
      expect(wrong.json()).toMatchObject({ code: 'unknown_outcome' })
      expect(wrong.json().detail).toContain("0 'YES', 1 'NO'")
    }
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})
