/**
 * Each family moves when its event happens, through the app as a client drives it
 * (app.inject) on a real database: requests by route template, trades accepted and refused by
 * code, 429s by limiter, refused credentials by reason, query durations by query name, the
 * pool, the job queue read at scrape, the build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { sample } from '../helpers/metrics.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let alice: TestUser
let bob: TestUser
let market: string

beforeAll(async () => {
  // A per-user limit small enough to reach; the other limits stay off.
  t = await createTestApp({ env: { RATE_LIMIT_USER_MAX: '20' } })
  ;[alice, bob] = await Promise.all([createTestUser(t), createTestUser(t)])
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: alice.headers,
    payload: {
      question: 'Are the metrics counted?',
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(Date.now() + 86_400_000).toISOString(),
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  market = res.json().id
})
afterAll(() => t?.close())

const m = () => t.ctx.metrics

function trade(user: TestUser, marketRef: string, payload: object) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/markets/${marketRef}/trades`,
    headers: user.headers,
    payload,
  })
}

describe('HTTP requests', () => {
  it('are counted by route template, method and status class, with their duration', async () => {
    const labels = { route: '/v1/markets/:market', method: 'GET', status_class: '2xx' }
    const before = await sample(m(), 'dm_http_requests_total', labels)
    const durations = await sample(m(), 'dm_http_request_duration_seconds_count', labels)
    expect((await t.app.inject({ method: 'GET', url: `/v1/markets/${market}?x=1` })).statusCode).toBe(200)
    expect(await sample(m(), 'dm_http_requests_total', labels)).toBe(before + 1)
    expect(await sample(m(), 'dm_http_request_duration_seconds_count', labels)).toBe(durations + 1)
    // An unknown market on a known route: the template, 4xx; never the id.
    const missing = { ...labels, status_class: '4xx' }
    const missingBefore = await sample(m(), 'dm_http_requests_total', missing)
    const unknownId = '00000000-0000-4000-8000-000000000000'
    expect((await t.app.inject({ method: 'GET', url: `/v1/markets/${unknownId}` })).statusCode).toBe(404)
    expect(await sample(m(), 'dm_http_requests_total', missing)).toBe(missingBefore + 1)
    expect(await m().registry.metrics()).not.toContain(unknownId)
  })

  it('label a path no route matches `unmatched`, whatever the path', async () => {
    const labels = { route: 'unmatched', method: 'GET', status_class: '4xx' }
    const before = await sample(m(), 'dm_http_requests_total', labels)
    const res = await t.app.inject({ method: 'GET', url: '/no/such/path-7f3a9?token=secret' })
    expect(res.statusCode).toBe(404)
    expect(await sample(m(), 'dm_http_requests_total', labels)).toBe(before + 1)
    const scraped = await m().registry.metrics()
    expect(scraped).not.toContain('path-7f3a9')
    expect(scraped).not.toContain('secret')
  })
})

describe('trades', () => {
  it('accepted: counted with code ok, timed to the commit, and their batch size observed', async () => {
    const accepted = { result: 'accepted', code: 'ok' }
    const before = await sample(m(), 'dm_trades_total', accepted)
    const timed = await sample(m(), 'dm_trade_duration_seconds_count')
    const batches = await sample(m(), 'dm_trade_batch_size_count')
    const batchSum = await sample(m(), 'dm_trade_batch_size_sum')
    const res = await trade(bob, market, { outcome: 'YES', side: 'buy', amount: '2' })
    expect(res.statusCode, res.body).toBe(201)
    expect(await sample(m(), 'dm_trades_total', accepted)).toBe(before + 1)
    expect(await sample(m(), 'dm_trade_duration_seconds_count')).toBe(timed + 1)
    expect(await sample(m(), 'dm_trade_batch_size_count')).toBe(batches + 1)
    expect(await sample(m(), 'dm_trade_batch_size_sum')).toBe(batchSum + 1)
    // Every query of the trade was timed under its name; the commit under its own.
    expect(
      await sample(m(), 'dm_db_query_duration_seconds_count', { query: 'Commit', outcome: 'ok' }),
    ).toBeGreaterThan(0)
  })

  it('refused: counted under the code the caller got, and not timed', async () => {
    const timed = await sample(m(), 'dm_trade_duration_seconds_count')
    for (const [marketRef, payload] of [
      [market, { outcome: 'NO', side: 'sell', shares: 'all' }], // holds no NO shares
      ['00000000-0000-4000-8000-000000000001', { outcome: 'YES', side: 'buy', amount: '1' }],
      [market, { outcome: 'MAYBE', side: 'buy', amount: '1' }],
    ] as const) {
      const res = await trade(bob, marketRef, payload)
      expect(res.statusCode).toBeGreaterThanOrEqual(400)
      const code = res.json().code as string
      const labels = { result: 'refused', code }
      const before = await sample(m(), 'dm_trades_total', labels)
      await trade(bob, marketRef, payload)
      expect(await sample(m(), 'dm_trades_total', labels), code).toBe(before + 1)
    }
    expect(await sample(m(), 'dm_trade_duration_seconds_count')).toBe(timed)
  })
})

describe('refusals', () => {
  it('a 429 counts under its limiter', async () => {
    const carol = await createTestUser(t)
    const before = await sample(m(), 'dm_rate_limit_refusals_total', { scope: 'user' })
    let limited = 0
    for (let i = 0; i < 25; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: carol.headers })
      if (res.statusCode === 429) limited++
    }
    expect(limited).toBe(5)
    expect(await sample(m(), 'dm_rate_limit_refusals_total', { scope: 'user' })).toBe(before + 5)
    expect(await sample(m(), 'dm_rate_limit_refusals_total', { scope: 'ip' })).toBe(0)
  })

  it.each([
    ['Bearer not-a-jwt', 'token_malformed'],
    ['Basic dXNlcjpwYXNz', 'malformed_header'],
    ['Bearer dmk_00000000000000000000000000000000', 'api_key_invalid'],
  ])('a refused credential (%s) counts under its reason %s', async (authorization, reason) => {
    const before = await sample(m(), 'dm_auth_failures_total', { reason })
    const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization } })
    expect(res.statusCode).toBe(401)
    expect(await sample(m(), 'dm_auth_failures_total', { reason })).toBe(before + 1)
  })

  it('a signed-out session counts as session_ended', async () => {
    const dave = await createTestUser(t)
    const out = await t.app.inject({ method: 'POST', url: '/auth/v1/logout', headers: dave.headers })
    expect(out.statusCode).toBeLessThan(300)
    const before = await sample(m(), 'dm_auth_failures_total', { reason: 'session_ended' })
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: dave.headers })).statusCode).toBe(401)
    expect(await sample(m(), 'dm_auth_failures_total', { reason: 'session_ended' })).toBe(before + 1)
  })
})

describe('read at scrape', () => {
  it('the pool, the job queue, the build', async () => {
    expect(await sample(m(), 'dm_db_pool_max')).toBe(5)
    const total = await sample(m(), 'dm_db_pool_connections', { state: 'total' })
    expect(total).toBeGreaterThan(0)
    expect(total).toBeLessThanOrEqual(5)
    // The market's close job waits in its queue until close_at.
    expect(
      await sample(m(), 'dm_queue_jobs', { queue: 'market-close', state: 'created' }),
    ).toBeGreaterThanOrEqual(1)
    expect(await sample(m(), 'dm_queue_lag_seconds', { queue: 'market-close' })).toBe(0)
    // A job due a minute ago and not started: the lag is its age.
    await t.ctx.db.pool.query(
      `insert into pgboss.job (name, data, start_after) values ('market-close', '{}', now() - interval '60 seconds')`,
    )
    const lag = await sample(m(), 'dm_queue_lag_seconds', { queue: 'market-close' })
    expect(lag).toBeGreaterThanOrEqual(59)
    expect(lag).toBeLessThan(600)
    await t.ctx.db.pool.query(`delete from pgboss.job where name = 'market-close' and data = '{}'::jsonb`)
    expect(await sample(m(), 'dm_build_info', { role: 'all', node_version: process.version })).toBe(1)
  })
})
