/**
 * The Supabase Realtime publisher (jobs/broadcast.ts, services/realtime/broadcast.ts) against a
 * fake of the project's broadcast endpoint (test/helpers/fake-supabase-broadcast.ts): the
 * feed's events, named and numbered as on /realtime/v1/websocket, in order; nothing lost when
 * the endpoint is down or a process dies mid-pass; one publisher among several workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/infra/logger.js'
import { createBroadcastSender } from '../../src/infra/supabase-broadcast.js'
import { type Broadcaster, startBroadcaster } from '../../src/jobs/broadcast.js'
import { broadcastBacklog, publishPending } from '../../src/services/realtime/broadcast.js'
import { runBatch } from '../../src/services/trading/batcher.js'
import { parseTerms, resolveBranch, tradingMarket } from '../../src/services/trading/orders.js'
import { startService } from '../../src/start/server.js'
import { createTestApp, type TestApp, testConfig } from '../helpers/app.js'
import { type Accepted, FakeSupabaseBroadcast } from '../helpers/fake-supabase-broadcast.js'
import { buyYes, openBinaryMarket } from '../helpers/markets.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const SERVICE_KEY = 'fake-service-role-key-0123456789'

let t: TestApp
let fake: FakeSupabaseBroadcast
let alice: TestUser
let send: ReturnType<typeof createBroadcastSender>
let publisher: Broadcaster

beforeAll(async () => {
  t = await createTestApp()
  fake = new FakeSupabaseBroadcast(SERVICE_KEY)
  await fake.start()
  alice = await createTestUser(t)
  send = createBroadcastSender({ url: fake.url, serviceKey: SERVICE_KEY, timeoutMs: 2_000 })
  publisher = startBroadcaster(t.ctx, send, { intervalMs: 0, autoStart: false })
})
afterAll(async () => {
  await publisher?.stop()
  await fake?.stop()
  await t?.close()
})

const newMarket = () => openBinaryMarket(t, alice, 'Will the publisher lose an event?')
const buy = (marketId: string) => buyYes(t, alice, marketId)

/** Each seq once (at-least-once may repeat one, always with its own seq), in order. */
function distinctInOrder(messages: Accepted[]): number[] {
  const seqs: number[] = []
  for (const m of messages) if (!seqs.includes(m.payload.seq)) seqs.push(m.payload.seq)
  return seqs
}

describe('publishing the feed to Supabase Realtime broadcast', () => {
  it('starts at the heads of its first pass, then sends each trade and market event once, in order', async () => {
    const before = await newMarket()
    await buy(before.id)
    await publisher.tick() // the first pass: the start, at the heads of now
    expect(fake.accepted).toHaveLength(0)

    const market = await newMarket()
    const ids = [await buy(market.id), await buy(market.id), await buy(before.id)]
    await publisher.tick()

    expect(fake.on('markets')).toEqual([
      expect.objectContaining({
        event: 'market_created',
        private: false,
        payload: expect.objectContaining({
          stream: 'm',
          data: expect.objectContaining({ market_id: market.id }),
        }),
      }),
    ])
    expect(fake.on(`market:${market.id}`, 'created')).toHaveLength(1)
    const tape = fake.on(`market:${market.id}:trades`)
    expect(tape.map((m) => [m.event, m.payload.seq, m.payload.prev])).toEqual([
      ['trade', 1, 0],
      ['trade', 2, 1],
    ])
    expect(tape.map((m) => m.payload.data.id)).toEqual(ids.slice(0, 2))
    expect(fake.on(`market:${market.id}`, 'price').map((m) => m.payload.seq)).toEqual([1, 2])
    // The trade before the start was not sent; the one after it was, with its seq.
    expect(fake.on(`market:${before.id}:trades`).map((m) => m.payload.seq)).toEqual([2])
    expect(await broadcastBacklog(t.ctx)).toBe(0)

    // Nothing new: nothing sent.
    const count = fake.accepted.length
    await publisher.tick()
    expect(fake.accepted).toHaveLength(count)
  })

  it('a trade committed but never published on the bus (its process died) is sent all the same', async () => {
    const market = await newMarket()
    await publisher.tick()
    const trading = await tradingMarket(t.ctx, market.id)
    const [silent] = await runBatch(t.ctx, [
      {
        market: trading,
        branchId: resolveBranch(trading, undefined).id,
        userId: alice.userId,
        outcome: 0,
        terms: parseTerms({ outcome: 'YES', side: 'buy', shares: '1' }),
      },
    ])
    expect(silent?.ok).toBe(true)
    await publisher.tick()
    expect(fake.on(`market:${market.id}:trades`).map((m) => m.payload.seq)).toEqual([1])
  })

  it('the endpoint failing, then down, then back: every event delivered in order, none lost', async () => {
    const market = await newMarket()
    await publisher.tick()
    const topic = `market:${market.id}:trades`

    fake.failing = true
    await buy(market.id)
    await buy(market.id)
    const refusedBefore = fake.refused.length
    await publisher.tick()
    expect(fake.refused.length).toBeGreaterThan(refusedBefore)
    expect(fake.refused.at(-1)).toBe(503)
    expect(fake.on(topic)).toHaveLength(0)
    // Counted in events of the feed: two trades (each goes to the tape and the price channel).
    expect(await broadcastBacklog(t.ctx)).toBe(2)

    fake.failing = false
    await fake.stop()
    await buy(market.id)
    await publisher.tick() // connection refused: a failed pass, the cursor stays
    await fake.start()
    await buy(market.id)
    await publisher.tick()

    expect(fake.on(topic).map((m) => m.payload.seq)).toEqual([1, 2, 3, 4])
    expect(fake.on(`market:${market.id}`, 'price').map((m) => m.payload.seq)).toEqual([1, 2, 3, 4])
    expect(await broadcastBacklog(t.ctx)).toBe(0)
  })

  it('a pass that dies after the endpoint accepted resends with the same seqs: at least once', async () => {
    const market = await newMarket()
    await publisher.tick()
    await buy(market.id)
    // The POST reaches the endpoint, then the process "dies" before recording it.
    const outcome = await publishPending(t.ctx, async (messages) => {
      await send(messages)
      throw new Error('killed before the commit')
    })
    expect(outcome.failed).toBe(true)
    await publisher.tick()
    const tape = fake.on(`market:${market.id}:trades`)
    expect(tape.map((m) => m.payload.seq)).toEqual([1, 1])
    expect(distinctInOrder(tape)).toEqual([1])
  })

  it('several workers: one publishes, each event once', async () => {
    const market = await newMarket()
    await publisher.tick()
    for (let i = 0; i < 5; i++) await buy(market.id)
    // Four workers' passes at once.
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => publishPending(t.ctx, send)))
    expect(outcomes.filter((o) => o.locked && o.sent > 0)).toHaveLength(1)
    expect(fake.on(`market:${market.id}:trades`).map((m) => m.payload.seq)).toEqual([1, 2, 3, 4, 5])
  })

  it('the loop on its own: the endpoint down for a while, then every event arrives, in order', async () => {
    const market = await newMarket()
    await publisher.tick()
    const loop = startBroadcaster(t.ctx, send, { intervalMs: 50 })
    await fake.stop()
    for (let i = 0; i < 3; i++) await buy(market.id)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await fake.start()
    const topic = `market:${market.id}:trades`
    // Retried with backoff (1 s after the first failure, 2 s after the second …).
    const deadline = Date.now() + 15_000
    while (fake.on(topic).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    await loop.stop()
    expect(distinctInOrder(fake.on(topic))).toEqual([1, 2, 3])
  })

  it('a wrong service key is refused by the endpoint, and nothing is recorded as sent', async () => {
    const market = await newMarket()
    await publisher.tick()
    await buy(market.id)
    const wrong = createBroadcastSender({ url: fake.url, serviceKey: 'not-the-key', timeoutMs: 2_000 })
    const outcome = await publishPending(t.ctx, wrong)
    expect(outcome).toMatchObject({ locked: true, failed: true, sent: 0 })
    expect(fake.refused.at(-1)).toBe(401)
    await publisher.tick()
    expect(fake.on(`market:${market.id}:trades`).map((m) => m.payload.seq)).toEqual([1])
  })

  it('a worker started with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY runs the publisher', async () => {
    const worker = await startService(
      testConfig({
        DATABASE_URL: t.database.url,
        PROCESS_ROLE: 'worker',
        SUPABASE_URL: fake.url,
        SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
        REALTIME_BROADCAST_POLL_MS: '50',
      }),
      createLogger('silent'),
    )
    try {
      const market = await newMarket()
      const deadline = Date.now() + 10_000
      const sent = () => fake.on('markets').some((m) => m.payload.data.market_id === market.id)
      while (!sent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(sent()).toBe(true)
    } finally {
      await worker.stop()
    }
  })
})
