/**
 * The realtime feed across processes: two service instances on one database with REDIS_URL
 * pointing at a redis-server of this test's own (a free port, killed by its PID). A trade on A
 * reaches a subscriber on B through Redis pub/sub; Redis killed: B's clients are told
 * (`degraded`), trading goes on; Redis back: `restored`, and B reads the trades it missed from
 * the database, so the client's sequence has no gap.
 *
 * The catch-up poll is set to a minute here, so every event below arrives through Redis or
 * through the catch-up that Redis's return triggers, not through the poll.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { expectContiguous, FeedClient } from '../helpers/feed.js'
import { freePort } from '../helpers/net.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const available = hasRedisServer()
if (!available && process.env.DM_REQUIRE_TOOLS === '1') {
  throw new Error('redis-server is required (DM_REQUIRE_TOOLS=1) but not installed')
}
if (!available) console.warn('realtime-redis tests skipped: redis-server is not installed')

let port: number
let redis: ChildProcess | undefined

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const deadline = Date.now() + 10_000
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      await probe.ping()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      probe.disconnect()
    }
  }
}

function killRedis(): Promise<void> {
  const child = redis
  redis = undefined
  if (!child || child.exitCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.pid) process.kill(child.pid, 'SIGKILL')
  return exited
}

let a: TestApp
let b: TestApp
let addressB: string
let alice: TestUser

describe.skipIf(!available)('the feed across two processes through Redis', () => {
  beforeAll(async () => {
    port = await freePort()
    await startRedis()
    const env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `dm:test:${randomBytes(4).toString('hex')}:`,
      REALTIME_POLL_MS: '60000',
    }
    a = await createTestApp({ env })
    b = await createTestApp({ env, database: a.database })
    addressB = await b.app.listen({ host: '127.0.0.1', port: 0 })
    alice = await createTestUser(a)
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
    await killRedis()
  })

  async function newMarket() {
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/markets',
      headers: alice.headers,
      payload: {
        question: 'Does Redis fan the feed out?',
        kind: 'binary',
        subsidy: '100',
        close_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { id: string }
  }

  async function tradeOnA(marketId: string) {
    const res = await a.app.inject({
      method: 'POST',
      url: `/v1/markets/${marketId}/trades`,
      headers: alice.headers,
      payload: { outcome: 'YES', side: 'buy', shares: '1' },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { trade: { id: string } }
  }

  it('a trade on process A reaches a subscriber on process B, in order', async () => {
    expect(a.ctx.bus.kind).toBe('redis')
    const market = await newMarket()
    const channel = `market:${market.id}:trades`
    const client = await FeedClient.connect(addressB)
    expect(await client.request({ type: 'subscribe', channel })).toMatchObject({
      ok: true,
      cursor: { b0: 0 },
    })
    const placed = [await tradeOnA(market.id), await tradeOnA(market.id), await tradeOnA(market.id)]
    const events = await client.waitForEvents(channel, 3)
    expect(expectContiguous(events, 0)).toBe(3)
    expect(events.map((e) => e.data.id)).toEqual(placed.map((p) => p.trade.id))
    await client.close()
  })

  it('Redis killed: clients are told, trading goes on; Redis back: the gap is filled from the database', async () => {
    const market = await newMarket()
    const channel = `market:${market.id}:trades`
    const client = await FeedClient.connect(addressB)
    await client.request({ type: 'subscribe', channel })
    await tradeOnA(market.id)
    await client.waitForEvents(channel, 1)

    await killRedis()
    await client.waitFor((m) => m.type === 'degraded')
    const during = [await tradeOnA(market.id), await tradeOnA(market.id)]
    expect(client.events(channel)).toHaveLength(1)

    await startRedis()
    await client.waitFor((m) => m.type === 'restored', 20_000)
    const after = await tradeOnA(market.id)
    const events = await client.waitForEvents(channel, 4, undefined, 20_000)
    expect(expectContiguous(events, 0)).toBe(4)
    expect(events.slice(1).map((e) => e.data.id)).toEqual([...during, after].map((p) => p.trade.id))
    await client.close()
  })
})
