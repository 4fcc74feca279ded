/**
 * The realtime feed over real sockets (`ws` clients against the listening app): snapshots and
 * live events with contiguous sequences, resume, the private channel, a slow consumer cut off
 * while others go on, shutdown with 1001. One process, so the in-process bus; the fan-out
 * across processes and Redis outages are in realtime-redis.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBatch } from '../../src/services/trading/batcher.js'
import { parseTerms, resolveBranch, tradingMarket } from '../../src/services/trading/orders.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { expectContiguous, FeedClient } from '../helpers/feed.js'
import { openBinaryMarket } from '../helpers/markets.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let address: string
let alice: TestUser
let bob: TestUser

const ENV = {
  REALTIME_POLL_MS: '100',
  REALTIME_RESUME_MAX: '20',
  REALTIME_MAX_BUFFERED_BYTES: '65536',
}

beforeAll(async () => {
  t = await createTestApp({ env: ENV })
  address = await t.app.listen({ host: '127.0.0.1', port: 0 })
  ;[alice, bob] = await Promise.all([createTestUser(t), createTestUser(t)])
})
afterAll(() => t?.close())

const newMarket = (user: TestUser, question = 'Will the feed be gap-free?') =>
  openBinaryMarket(t, user, question)

async function trade(user: TestUser, marketId: string, shares = '1', outcome = 'YES') {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/markets/${marketId}/trades`,
    headers: user.headers,
    payload: { outcome, side: 'buy', shares },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { trade: { id: string } }
}

describe('public channels', () => {
  it('subscribe gives a snapshot and its cursor, then every trade in order with contiguous seqs', async () => {
    const market = await newMarket(alice)
    await trade(alice, market.id)
    const client = await FeedClient.connect(address)
    const tape = await client.request({ type: 'subscribe', channel: `market:${market.id}:trades` })
    expect(tape).toMatchObject({ ok: true, cursor: { b0: 1 } })
    expect(tape.snapshot).toHaveLength(1)
    const prices = await client.request({ type: 'subscribe', channel: `market:${market.id}` })
    expect(prices).toMatchObject({ ok: true, cursor: { b0: 1, s: 1 }, snapshot: { id: market.id } })

    // Sequential and concurrent (group-committed together) trades alike.
    const placed = [await trade(alice, market.id), await trade(bob, market.id, '2', 'NO')]
    placed.push(...(await Promise.all([1, 2, 3, 4].map(() => trade(bob, market.id)))))
    const events = await client.waitForEvents(`market:${market.id}:trades`, 6)
    expect(expectContiguous(events, 1)).toBe(7)
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7])
    expect(new Set(events.map((e) => e.data.id))).toEqual(new Set(placed.map((p) => p.trade.id)))
    expect(events[1]).toMatchObject({ stream: 'b0', event: 'trade', data: { side: 'buy', shares: '2' } })
    const priceEvents = await client.waitForEvents(`market:${market.id}`, 6, 'b0')
    expect(expectContiguous(priceEvents, 1)).toBe(7)
    expect(priceEvents[0]?.data.prices).toHaveLength(2)
    await client.close()
  })

  it('resume after a disconnect replays exactly the missed events, then goes on live', async () => {
    const market = await newMarket(alice)
    const channel = `market:${market.id}:trades`
    const first = await FeedClient.connect(address)
    const sub = await first.request({ type: 'subscribe', channel })
    expect(sub.cursor).toEqual({ b0: 0 })
    await trade(alice, market.id)
    await trade(alice, market.id)
    const seen = await first.waitForEvents(channel, 2)
    const cursor = { b0: seen.at(-1)?.seq }
    await first.close()

    const missed = [await trade(bob, market.id), await trade(bob, market.id), await trade(alice, market.id)]
    const second = await FeedClient.connect(address)
    const resumed = await second.request({ type: 'resume', channel, cursor })
    expect(resumed).toMatchObject({ ok: true, cursor: { b0: 5 } })
    expect(resumed.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5])
    expect(resumed.events.map((e: { data: { id: string } }) => e.data.id)).toEqual(
      missed.map((m) => m.trade.id),
    )
    expectContiguous(resumed.events, 2)
    await trade(bob, market.id)
    const live = await second.waitForEvents(channel, 1)
    expect(live[0]).toMatchObject({ seq: 6, prev: 5 })
    await second.close()
  })

  it('a trade committed but never published (its process died) reaches subscribers all the same', async () => {
    const market = await newMarket(alice)
    const channel = `market:${market.id}:trades`
    const client = await FeedClient.connect(address)
    await client.request({ type: 'subscribe', channel })
    // runBatch commits without publishing: what a process killed right after its COMMIT leaves.
    const trading = await tradingMarket(t.ctx, market.id)
    const [silent] = await runBatch(t.ctx, [
      {
        market: trading,
        branchId: resolveBranch(trading, undefined).id,
        userId: bob.userId,
        outcome: 0,
        terms: parseTerms({ outcome: 'YES', side: 'buy', shares: '1' }),
      },
    ])
    expect(silent?.ok).toBe(true)
    const published = await trade(alice, market.id)
    const events = await client.waitForEvents(channel, 2)
    expect(expectContiguous(events, 0)).toBe(2)
    expect(events[1]?.data.id).toBe(published.trade.id)
    expect(events[0]?.data.trader_id).toBe(bob.userId)
    await client.close()
  })

  it('a resume too far behind, or ahead of the database, is told to take a snapshot', async () => {
    const market = await newMarket(alice)
    for (let i = 0; i < 22; i++) await trade(alice, market.id, '0.1')
    const client = await FeedClient.connect(address)
    const channel = `market:${market.id}:trades`
    const old = await client.request({ type: 'resume', channel, cursor: { b0: 1 } })
    expect(old).toMatchObject({ ok: false, error: { code: 'too_old' } })
    const ahead = await client.request({ type: 'resume', channel, cursor: { b0: 500 } })
    expect(ahead).toMatchObject({ ok: false, error: { code: 'too_old' } })
    const near = await client.request({ type: 'resume', channel, cursor: { b0: 2 } })
    expect(near).toMatchObject({ ok: true, cursor: { b0: 22 } })
    expect(near.events).toHaveLength(20)
    const unknown = await client.request({ type: 'subscribe', channel: 'market:nope' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    await client.close()
  })

  it('the markets channel and a market channel show creations and status changes, numbered', async () => {
    const client = await FeedClient.connect(address)
    const list = await client.request({ type: 'subscribe', channel: 'markets' })
    const start = list.cursor.m as number
    expect(start).toBeGreaterThan(0)
    const market = await newMarket(bob, 'Will the list channel see me?')
    const sub = await client.request({ type: 'subscribe', channel: `market:${market.id}` })
    const created = await client.waitFor((m) => m.channel === 'markets' && m.data?.market_id === market.id)
    expect(created).toMatchObject({ event: 'market_created', data: { status: 'open' } })
    const close = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/close`,
      headers: bob.headers,
    })
    expect(close.statusCode, close.body).toBe(200)
    const status = await client.waitFor((m) => m.channel === `market:${market.id}` && m.stream === 's')
    expect(status).toMatchObject({ event: 'status', seq: sub.cursor.s + 1, data: { status: 'closed' } })
    const listEvents = await client.waitForEvents('markets', 2)
    expectContiguous(listEvents, start)
    await client.close()
  })
})

/** Reads SSE events from a streaming response until `count` have come (comments skipped). */
async function sseEvents(res: Response, count: number) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  const events: { id?: string; event: string; data: Record<string, unknown> }[] = []
  let text = ''
  while (events.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    let end = text.indexOf('\n\n')
    while (end >= 0) {
      const block = text.slice(0, end)
      text = text.slice(end + 2)
      end = text.indexOf('\n\n')
      if (block.startsWith(':')) continue
      const field = (name: string) => block.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1]
      events.push({
        id: field('id') ?? undefined,
        event: field('event') ?? '',
        data: JSON.parse(field('data') ?? '{}'),
      })
    }
  }
  await reader.cancel()
  return events
}

describe('Server-Sent Events', () => {
  it('streams a public channel and resumes from Last-Event-ID', async () => {
    const market = await newMarket(alice)
    const url = `${address}/v1/stream/sse?channel=market:${market.id}:trades`
    const first = await fetch(url)
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const live = sseEvents(first, 2)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await trade(alice, market.id)
    const [snapshot, event] = await live
    expect(snapshot).toMatchObject({ event: 'snapshot', id: 'b0.0' })
    expect(event).toMatchObject({ event: 'trade', id: 'b0.1', data: { seq: 1, prev: 0 } })

    const missed = [await trade(bob, market.id), await trade(bob, market.id)]
    const again = await fetch(url, { headers: { 'last-event-id': event?.id as string } })
    const replayed = await sseEvents(again, 2)
    expect(replayed.map((e) => e.id)).toEqual(['b0.2', 'b0.3'])
    expect(replayed.map((e) => (e.data.data as { id: string }).id)).toEqual(missed.map((m) => m.trade.id))
  })
})

describe('the user channel', () => {
  it('needs a credential, and shows only the signed-in user’s own fills and cash', async () => {
    const anonymous = await FeedClient.connect(address)
    const refused = await anonymous.request({ type: 'subscribe', channel: 'user' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    const badToken = await anonymous.request({ type: 'auth', token: 'not-a-token' })
    expect(badToken).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    await anonymous.close()
    await expect(FeedClient.connect(address, { authorization: 'Bearer nonsense' })).rejects.toThrow(/401/)

    const market = await newMarket(bob)
    const client = await FeedClient.connect(address, alice.headers)
    const sub = await client.request({ type: 'subscribe', channel: 'user' })
    expect(sub).toMatchObject({ ok: true, cursor: { l: expect.any(Number) } })
    const cashBefore = sub.snapshot.cash as string
    await trade(bob, market.id)
    const mine = await trade(alice, market.id, '3')
    await trade(bob, market.id)
    const [fill] = await client.waitForEvents('user', 1)
    expect(fill).toMatchObject({
      event: 'fill',
      prev: sub.cursor.l,
      data: { trade_id: mine.trade.id, fill: { side: 'buy', shares: '3' } },
    })
    expect(Number(fill?.data.cash)).toBeLessThan(Number(cashBefore))
    await new Promise((resolve) => setTimeout(resolve, 400)) // two polls: nothing else comes
    expect(client.events('user')).toHaveLength(1)

    // An API key authenticates too, by message, on a connection opened anonymously.
    const key = await createTestApiKey(t, bob, ['read'])
    const other = await FeedClient.connect(address)
    expect(await other.request({ type: 'auth', token: key.key })).toMatchObject({
      ok: true,
      user_id: bob.userId,
    })
    const bobs = await other.request({ type: 'resume', channel: 'user', cursor: { l: sub.cursor.l } })
    expect(bobs.ok).toBe(true)
    expect(bobs.events.map((e: { data: { trade_id: string } }) => e.data.trade_id)).not.toContain(
      mine.trade.id,
    )
    // Bob's own postings only (his fills and his markets' subsidies), two fills in this market.
    const fills = bobs.events.filter(
      (e: { event: string; data: { market_id: string } }) =>
        e.event === 'fill' && e.data.market_id === market.id,
    )
    expect(fills).toHaveLength(2)
    expect(bobs.events.every((e: { event: string }) => ['fill', 'subsidy'].includes(e.event))).toBe(true)
    expectContiguous(bobs.events, sub.cursor.l)
    await Promise.all([client.close(), other.close()])
  })
})

describe('limits and shutdown', () => {
  it('a client that does not read is cut off with 4008 while another keeps receiving', async () => {
    const market = await newMarket(alice)
    await Promise.all(Array.from({ length: 50 }, () => trade(alice, market.id, '0.1')))
    const channel = `market:${market.id}:trades`
    const healthy = await FeedClient.connect(address)
    await healthy.request({ type: 'subscribe', channel })
    const slow = await FeedClient.connect(address)
    slow.ws.pause() // reads nothing from here on

    // Each snapshot of the tape is ~25 kB; the kernel's socket buffers take a few MB before the
    // server's own queue grows past REALTIME_MAX_BUFFERED_BYTES.
    const cuts = async () =>
      (await t.ctx.metrics.registry.getSingleMetricAsString('dm_realtime_disconnects_total')).includes(
        'reason="slow_consumer"',
      )
    for (let i = 0; i < 4000 && !(await cuts()); i++) {
      slow.ws.send(JSON.stringify({ type: 'subscribe', id: `s${i}`, channel }))
      slow.ws.send(JSON.stringify({ type: 'unsubscribe', id: `u${i}`, channel }))
      if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 3))
    }
    expect(await cuts()).toBe(true)
    await trade(bob, market.id)
    const [event] = await healthy.waitForEvents(channel, 1)
    expect(event).toMatchObject({ seq: 51, prev: 50 })
    slow.ws.resume()
    expect((await slow.closed).code).toBe(4008)
    await healthy.close()
  })

  it('GET /v1/stream without an upgrade is a 426 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/stream' })
    expect(res.statusCode).toBe(426)
    expect(res.json()).toMatchObject({ code: 'upgrade_required' })
  })

  it('shutdown closes every connection with 1001 going away', async () => {
    const other = await createTestApp({ env: ENV, database: t.database })
    const otherAddress = await other.app.listen({ host: '127.0.0.1', port: 0 })
    const client = await FeedClient.connect(otherAddress)
    await client.request({ type: 'subscribe', channel: 'markets' })
    await other.close()
    expect(await client.closed).toEqual({ code: 1001, reason: 'going away' })
  })
})
