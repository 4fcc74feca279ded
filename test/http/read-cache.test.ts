/**
 * The read cache and HTTP caching of public market reads: a cached answer is byte for byte
 * what the uncached path (a second app on the same database with READ_CACHE=false) answers, in
 * many states; a trader reading right after their own trade sees it, on the same process and
 * on another one sharing Redis; ETag/304 and Cache-Control; Redis stopped or made slow (a
 * server of the test's own): trading and reads go on, from the database, counted `error`.
 */
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settleStep } from '../../src/services/markets/settlement.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/money.js'
import { type OwnRedis, redisAvailable, startRedis } from '../helpers/redis.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const HOUR = 3_600_000
const clock = new TestClock(new Date())

async function waitUntil(check: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function counted(t: TestApp, cache: string, result: string): Promise<number> {
  return t.ctx.metrics.registry
    .getSingleMetric('dm_cache_requests_total')
    ?.get()
    .then(
      (m) => m.values.find((v) => v.labels.cache === cache && v.labels.result === result)?.value ?? 0,
    ) as Promise<number>
}

async function newMarket(t: TestApp, user: TestUser, body: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question: 'Will the cache stay right?',
      description: 'A market about caches.',
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
      ...body,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; slug: string }
}

function trade(
  t: TestApp,
  user: TestUser,
  market: string,
  payload: object = { side: 'buy', outcome: 0, amount: '5' },
) {
  clock.advance(1000)
  return t.app.inject({ method: 'POST', url: `/v1/markets/${market}/trades`, headers: user.headers, payload })
}

describe('in process (no Redis)', () => {
  let cached: TestApp
  let plain: TestApp
  let alice: TestUser
  let bob: TestUser
  let admin: TestUser

  beforeAll(async () => {
    const env = { REDIS_URL: '', DISPUTE_WINDOW_S: '1', SETTLEMENT_CHUNK_SIZE: '1' }
    cached = await createTestApp({ clock, env })
    plain = await createTestApp({ clock, env: { ...env, READ_CACHE: 'false' }, database: cached.database })
    ;[alice, bob, admin] = await Promise.all([
      createTestUser(cached),
      createTestUser(cached),
      createTestUser(cached, { admin: true }),
    ])
    await waitUntil(() => cached.ctx.readCache.enabled, 'the version listener')
  })
  afterAll(async () => {
    await plain?.close()
    await cached?.close()
  })

  /** GETs `url` anonymously from both apps, twice from the cached one; all three bodies must agree. */
  async function same(url: string) {
    const first = await cached.app.inject({ method: 'GET', url })
    const again = await cached.app.inject({ method: 'GET', url })
    const truth = await plain.app.inject({ method: 'GET', url })
    expect(truth.statusCode, `${url}: ${truth.body}`).toBe(200)
    expect(first.statusCode).toBe(200)
    expect(again.body, url).toBe(truth.body)
    expect(first.body, url).toBe(truth.body)
    expect(again.headers['content-type']).toBe(truth.headers['content-type'])
    return again
  }

  it('answers exactly what the uncached path answers, across trades and status changes', async () => {
    const binary = await newMarket(cached, alice)
    const categorical = await newMarket(cached, alice, {
      question: 'Which colour wins?',
      kind: 'categorical',
      outcomes: ['red', 'green', 'blue'],
    })
    const urls = (m: { id: string; slug: string }) => [
      `/v1/markets/${m.id}`,
      `/v1/markets/${m.id}/history?limit=3`,
      `/v1/markets/${m.id}/trades?limit=2`,
    ]
    const lists = ['/v1/markets?limit=5', '/v1/markets?status=open&q=colour']
    const check = async () => {
      for (const url of [...urls(binary), ...urls(categorical), ...lists]) await same(url)
    }
    // A slug names the same entry as the id, once seen.
    await same(`/v1/markets/${binary.slug}`)
    await same(`/v1/markets/${binary.slug}`)
    await check()
    const hitsBefore = await counted(cached, 'market', 'hit')

    // Trades: each trader's next read shows their trade.
    for (const [user, market, outcome] of [
      [bob, binary.id, 0],
      [alice, categorical.id, 2],
      [bob, categorical.id, 1],
      [alice, binary.id, 1],
    ] as const) {
      const res = await trade(cached, user, market, { side: 'buy', outcome, amount: '3' })
      expect(res.statusCode, res.body).toBe(201)
      const after = await cached.app.inject({ method: 'GET', url: `/v1/markets/${market}` })
      expect(after.json().prices).toEqual(res.json().prices)
      await check()
    }
    expect(await counted(cached, 'market', 'hit')).toBeGreaterThan(hitsBefore)
    expect(await counted(cached, 'market', 'stale')).toBeGreaterThan(0)

    // A username on the tape changes.
    const renamed = await cached.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: bob.headers,
      payload: { username: `bob_${Date.now().toString(36)}` },
    })
    expect(renamed.statusCode, renamed.body).toBe(200)
    await check()

    // Lifecycle: close early, resolve; each visible at once.
    const closed = await cached.app.inject({
      method: 'POST',
      url: `/v1/markets/${binary.id}/close`,
      headers: alice.headers,
    })
    expect(closed.statusCode, closed.body).toBe(200)
    expect((await cached.app.inject({ method: 'GET', url: `/v1/markets/${binary.id}` })).json().status).toBe(
      'closed',
    )
    await check()
    const resolved = await cached.app.inject({
      method: 'POST',
      url: `/v1/markets/${binary.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { url: 'https://example.test/result' } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    expect((await cached.app.inject({ method: 'GET', url: `/v1/markets/${binary.id}` })).json().status).toBe(
      'resolved',
    )
    await check()
    // Settlement steps pay out escrow under the market's lock, writing the row only at the end.
    clock.advance(2_000)
    for (let step = 0; step < 10; step++) {
      const done = await settleStep(cached.ctx, binary.id)
      await cached.ctx.readCache.settled()
      await check()
      if (done !== 'progress') break
    }
    expect(
      (await cached.app.inject({ method: 'GET', url: `/v1/markets/${binary.id}` })).json(),
    ).toMatchObject({
      status: 'finalized',
      branches: [{ escrow: '0' }],
    })
    const voided = await cached.app.inject({
      method: 'POST',
      url: `/v1/markets/${categorical.id}/void`,
      headers: admin.headers,
      payload: { reason: 'The test voids it' },
    })
    expect(voided.statusCode, voided.body).toBe(200)
    await check()
    // A change behind the API's back (an operator's SQL) reaches the cache through the notification.
    await cached.ctx.db.pool.query("update public.markets set description = 'Edited by hand' where id = $1", [
      binary.id,
    ])
    await cached.ctx.readCache.settled()
    expect(
      (await cached.app.inject({ method: 'GET', url: `/v1/markets/${binary.id}` })).json().description,
    ).toBe('Edited by hand')
    await check()
  })

  it('public GETs: weak ETag from the version, 304 without a body, short public Cache-Control', async () => {
    const market = await newMarket(cached, alice)
    const url = `/v1/markets/${market.id}`
    const first = await cached.app.inject({ method: 'GET', url })
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^W\/"[\w-]+"$/)
    expect(first.headers['cache-control']).toBe('public, max-age=1, s-maxage=1, stale-while-revalidate=2')
    const notModified = await cached.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect(notModified.headers.etag).toBe(etag)
    // With credentials: revalidated every time, never kept by a shared cache.
    const mine = await cached.app.inject({ method: 'GET', url, headers: alice.headers })
    expect(mine.headers['cache-control']).toBe('private, no-cache')
    expect(mine.body).toBe(first.body)

    expect((await trade(cached, bob, market.id)).statusCode).toBe(201)
    const changed = await cached.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })
    expect(changed.statusCode).toBe(200)
    expect(changed.headers.etag).not.toBe(etag)

    // Private and error responses are never stored.
    const me = await cached.app.inject({ method: 'GET', url: '/v1/me/portfolio', headers: alice.headers })
    expect(me.headers['cache-control']).toBe('private, no-store')
    const missing = await cached.app.inject({ method: 'GET', url: '/v1/markets/no-such-market' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['cache-control']).toBe('no-store')
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('compresses large lists, not small bodies, problem documents or 304s', async () => {
    for (let i = 0; i < 3; i++) await newMarket(cached, alice)
    const gzip = { 'accept-encoding': 'gzip' }
    const list = await cached.app.inject({ method: 'GET', url: '/v1/markets?limit=10', headers: gzip })
    expect(list.headers['content-encoding']).toBe('gzip')
    expect(list.headers.vary).toMatch(/accept-encoding/i)
    const plainList = await cached.app.inject({ method: 'GET', url: '/v1/markets?limit=10' })
    expect(plainList.headers['content-encoding']).toBeUndefined()
    expect(gunzipSync(list.rawPayload).toString()).toBe(plainList.body)
    expect(plainList.body.length).toBeGreaterThan(1024)

    const small = await cached.app.inject({ method: 'GET', url: '/healthz', headers: gzip })
    expect(small.headers['content-encoding']).toBeUndefined()
    const problem = await cached.app.inject({ method: 'GET', url: '/v1/markets/none-such', headers: gzip })
    expect(problem.statusCode).toBe(404)
    expect(problem.headers['content-encoding']).toBeUndefined()
    expect(problem.json().code).toBe('not_found')
    const etag = list.headers.etag as string
    const notModified = await cached.app.inject({
      method: 'GET',
      url: '/v1/markets?limit=10',
      headers: { ...gzip, 'if-none-match': etag },
    })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.rawPayload.length).toBe(0)
    expect(notModified.headers['content-encoding']).toBeUndefined()
  })
})

const withRedis = redisAvailable()

describe.skipIf(!withRedis)('with Redis (a server of the test own)', () => {
  let redis: OwnRedis
  let a: TestApp
  let b: TestApp
  let alice: TestUser
  let bob: TestUser

  beforeAll(async () => {
    redis = await startRedis()
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `dm:test:rc:${Date.now()}:`,
      READ_CACHE_TIMEOUT_MS: '30',
    }
    a = await createTestApp({ clock, env })
    b = await createTestApp({ clock, env, database: a.database })
    ;[alice, bob] = await Promise.all([createTestUser(a), createTestUser(a)])
    await waitUntil(() => a.ctx.readCache.enabled && b.ctx.readCache.enabled, 'the version listeners')
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
    await redis?.kill()
  })

  it("a trade or a close made through one process is in the other's very next read", async () => {
    const market = await newMarket(a, alice)
    const url = `/v1/markets/${market.id}`
    for (const app of [a, b]) for (let i = 0; i < 2; i++) await app.app.inject({ method: 'GET', url })
    const hits = await counted(b, 'market', 'hit')
    for (let i = 0; i < 5; i++) {
      const writer = i % 2 === 0 ? a : b
      const reader = i % 2 === 0 ? b : a
      const res = await trade(writer, bob, market.id)
      expect(res.statusCode, res.body).toBe(201)
      const seen = await reader.app.inject({ method: 'GET', url })
      expect(seen.json().prices).toEqual(res.json().prices)
      expect(seen.json().branches[0].trades).toBe(i + 1)
      const tape = await reader.app.inject({ method: 'GET', url: `${url}/trades?limit=1` })
      expect(tape.json().items[0].id).toBe(res.json().trade.id)
      await reader.app.inject({ method: 'GET', url })
    }
    expect(await counted(b, 'market', 'hit')).toBeGreaterThan(hits)
    const closed = await a.app.inject({ method: 'POST', url: `${url}/close`, headers: alice.headers })
    expect(closed.statusCode, closed.body).toBe(200)
    expect((await b.app.inject({ method: 'GET', url })).json().status).toBe('closed')
  })

  it('Redis slow: reads and trades go on from the database within the timeout, counted error', async () => {
    const market = await newMarket(a, alice)
    const url = `/v1/markets/${market.id}`
    await a.app.inject({ method: 'GET', url })
    const errorsBefore = await counted(a, 'market', 'error')
    // DEBUG SLEEP answers when Redis wakes: whatever finishes before `awake` waited for nothing.
    let awake = false
    const slept = redis.sleep(3_000).then(() => {
      awake = true
    })
    await new Promise((r) => setTimeout(r, 100))
    const [read, traded] = await Promise.all([a.app.inject({ method: 'GET', url }), trade(a, bob, market.id)])
    const answeredWhileAsleep = !awake
    expect(read.statusCode).toBe(200)
    expect(traded.statusCode, traded.body).toBe(201)
    const after = await a.app.inject({ method: 'GET', url })
    expect(after.statusCode).toBe(200)
    expect(after.json().prices).toEqual(traded.json().prices)
    expect(await counted(a, 'market', 'error')).toBeGreaterThan(errorsBefore)
    // Answered while Redis still slept: nothing waited for it.
    expect(answeredWhileAsleep).toBe(true)
    await slept
    // Redis back: the raise that failed meanwhile started a new epoch, so nothing stale is served.
    const back = await b.app.inject({ method: 'GET', url })
    expect(back.json().prices).toEqual(traded.json().prices)
  })

  it('Redis stopped: trading and reads go on, never a 500; restarted, the cache works again', async () => {
    const market = await newMarket(a, alice)
    const url = `/v1/markets/${market.id}`
    await a.app.inject({ method: 'GET', url })
    await redis.kill()
    for (let i = 0; i < 3; i++) {
      const res = await trade(a, bob, market.id)
      expect(res.statusCode, res.body).toBe(201)
      for (const app of [a, b]) {
        const seen = await app.app.inject({ method: 'GET', url })
        expect(seen.statusCode).toBe(200)
        expect(seen.json().prices).toEqual(res.json().prices)
        const list = await app.app.inject({ method: 'GET', url: '/v1/markets?limit=5' })
        expect(list.statusCode).toBe(200)
      }
    }
    expect(await counted(a, 'market', 'error')).toBeGreaterThan(0)
    redis = await startRedis(redis.port)
    // Reconnected (ioredis retries on its own): misses, then hits, with the latest state.
    const last = await trade(a, bob, market.id)
    expect(last.statusCode).toBe(201)
    const hits = await counted(b, 'market', 'hit')
    const deadline = Date.now() + 10_000
    while ((await counted(b, 'market', 'hit')) === hits) {
      if (Date.now() > deadline) throw new Error('the cache did not come back with Redis')
      const seen = await b.app.inject({ method: 'GET', url })
      expect(seen.json().prices).toEqual(last.json().prices)
      await new Promise((r) => setTimeout(r, 50))
    }
  })
})
