/**
 * The real @supabase/supabase-js client's realtime channels against the service's
 * /realtime/v1/websocket (src/http/routes/stream/phoenix.ts), unchanged: broadcast events of our
 * channels with their database seqs, the private `user` channel with and without a token,
 * resume after a disconnect, heartbeats, leave, server-only channels, shutdown.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { expectContiguous } from '../helpers/feed.js'
import { buyYes, openBinaryMarket } from '../helpers/markets.js'
import { supabaseClient } from '../helpers/supabase.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let base: string
let alice: TestUser
let bob: TestUser
const clients: SupabaseClient[] = []

beforeAll(async () => {
  t = await createTestApp({ env: { REALTIME_POLL_MS: '100', REALTIME_RESUME_MAX: '20' } })
  base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  ;[alice, bob] = await Promise.all([createTestUser(t), createTestUser(t)])
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.realtime.disconnect()))
  await t?.close()
})

function client(realtime: { heartbeatIntervalMs?: number } = {}): SupabaseClient {
  const made = supabaseClient(base, realtime)
  clients.push(made)
  return made
}

// biome-ignore lint/suspicious/noExplicitAny: broadcast payloads are loosely typed JSON
type Payload = Record<string, any>
interface Received {
  event: string
  payload: Payload
}

/** A channel that records every broadcast it receives, and waits on them. */
function listen(channel: RealtimeChannel) {
  const received: Received[] = []
  const waiters = new Set<() => void>()
  channel.on('broadcast', { event: '*' }, (message) => {
    received.push({ event: message.event as string, payload: message.payload as Payload })
    for (const wake of waiters) wake()
  })
  const waitFor = (match: (all: Received[]) => boolean, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!match(received)) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out; got ${JSON.stringify(received.slice(-5))}`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  const named = (event: string) => received.filter((r) => r.event === event).map((r) => r.payload)
  return { received, waitFor, named }
}

function subscribed(channel: RealtimeChannel): Promise<{ status: string; error?: Error }> {
  return new Promise((resolve) => {
    channel.subscribe((status, error) => {
      if (status !== 'SUBSCRIBED' && status !== 'CHANNEL_ERROR' && status !== 'TIMED_OUT') return
      resolve({ status, error })
    })
  })
}

/** Subscribes and records the channel's statuses; `closed` resolves at CLOSED. */
function untilClosed(channel: RealtimeChannel) {
  const statuses: string[] = []
  const closed = new Promise<void>((resolve) =>
    channel.subscribe((status) => {
      statuses.push(status)
      if (status === 'CLOSED') resolve()
    }),
  )
  return { statuses, closed }
}

const until = (done: () => boolean) =>
  new Promise<void>((resolve) => {
    const wait = () => (done() ? resolve() : setTimeout(wait, 20))
    wait()
  })

const newMarket = (user: TestUser) => openBinaryMarket(t, user, 'Will supabase-js see every trade?')
const trade = async (user: TestUser, marketId: string, shares = '1') => ({
  trade: { id: await buyYes(t, user, marketId, shares) },
})

describe('supabase-js channels on /realtime/v1/websocket', () => {
  it('market:<id>: a snapshot with its seq, then each trade as `trade`, in order, consecutive seqs', async () => {
    const market = await newMarket(alice)
    await trade(alice, market.id)
    const supabase = client()
    const tape = supabase.channel(`market:${market.id}:trades`)
    const trades: Payload[] = []
    const tapeAll = listen(tape)
    tape.on('broadcast', { event: 'trade' }, (m) => trades.push(m.payload as Payload))
    const prices = listen(supabase.channel(`market:${market.id}`))
    const [a, b] = await Promise.all([
      subscribed(tape),
      subscribed(supabase.getChannels().find((c) => c.topic === `realtime:market:${market.id}`)!),
    ])
    expect(a.status).toBe('SUBSCRIBED')
    expect(b.status).toBe('SUBSCRIBED')
    await tapeAll.waitFor((all) => all.some((r) => r.event === 'snapshot'))
    const [snapshot] = tapeAll.named('snapshot')
    expect(snapshot).toMatchObject({ channel: `market:${market.id}:trades`, cursor: { b0: 1 } })
    expect(snapshot?.snapshot).toHaveLength(1)
    await prices.waitFor((all) => all.some((r) => r.event === 'snapshot'))
    expect(prices.named('snapshot')[0]).toMatchObject({
      cursor: { b0: 1, s: 1 },
      snapshot: { id: market.id },
    })

    const placed = [await trade(alice, market.id), await trade(bob, market.id, '2')]
    placed.push(...(await Promise.all([1, 2, 3].map(() => trade(bob, market.id)))))
    await tapeAll.waitFor(() => tapeAll.named('trade').length >= 5)
    // The `.on('broadcast', { event: 'trade' })` binding got the same events.
    expect(trades).toEqual(tapeAll.named('trade'))
    expect(trades.map((p) => p.seq)).toEqual([2, 3, 4, 5, 6])
    expect(expectContiguous(trades, 1)).toBe(6)
    expect(new Set(trades.map((p) => p.data.id))).toEqual(new Set(placed.map((p) => p.trade.id)))
    expect(trades[1]).toMatchObject({ stream: 'b0', data: { side: 'buy', shares: '2' } })
    // The snapshot came before any trade.
    expect(tapeAll.received[0]?.event).toBe('snapshot')
    // The price channel names its events `price`.
    await prices.waitFor(() => prices.named('price').length >= 5)
    expect(expectContiguous(prices.named('price'), 1)).toBe(6)
  })

  it('the private user channel: refused without a credential, served with an access token or API key', async () => {
    const anonymous = client()
    const refused = await subscribed(anonymous.channel('user'))
    expect(refused.status).toBe('CHANNEL_ERROR')
    expect(refused.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: user',
    )

    const invalid = client()
    await invalid.realtime.setAuth('not-a-valid-token')
    const bad = await subscribed(invalid.channel('user'))
    expect(bad.status).toBe('CHANNEL_ERROR')
    expect(bad.error?.message).toMatch(/InvalidJWTToken/)

    // Signed in through supabase-js (our /auth/v1): the session's access token goes in the join.
    const signedIn = client()
    const session = await signedIn.auth.signInWithPassword({ email: alice.email, password: alice.password })
    expect(session.error).toBeNull()
    const mine = signedIn.channel('user')
    const events = listen(mine)
    expect((await subscribed(mine)).status).toBe('SUBSCRIBED')
    await events.waitFor(() => events.named('snapshot').length === 1)
    const start = events.named('snapshot')[0]?.cursor.l as number
    const market = await newMarket(bob)
    const placed = await trade(alice, market.id)
    await events.waitFor(() => events.named('fill').length >= 1)
    expect(events.named('fill')[0]).toMatchObject({ channel: 'user', data: { trade_id: placed.trade.id } })
    expect(events.named('fill')[0]?.seq).toBeGreaterThan(start)

    // An API key through setAuth works too.
    const keyed = client()
    const key = await createTestApiKey(t, bob)
    await keyed.realtime.setAuth(key.key)
    expect((await subscribed(keyed.channel('user'))).status).toBe('SUBSCRIBED')
  })

  it('an invalid token pushed later (setAuth) closes the private channel', async () => {
    const supabase = client()
    await supabase.realtime.setAuth(alice.accessToken)
    const { statuses, closed } = untilClosed(supabase.channel('user'))
    await until(() => statuses.includes('SUBSCRIBED'))
    await supabase.realtime.setAuth('expired-or-forged')
    await closed
    expect(statuses).toEqual(['SUBSCRIBED', 'CLOSED'])
  })

  it('an API key revoked while supabase-js holds the user channel shuts that channel, not the public ones', async () => {
    const supabase = client()
    const key = await createTestApiKey(t, bob, ['read'])
    await supabase.realtime.setAuth(key.key)
    const { statuses, closed } = untilClosed(supabase.channel('user'))
    const market = await newMarket(alice)
    const tape = supabase.channel(`market:${market.id}:trades`)
    const events = listen(tape)
    expect((await subscribed(tape)).status).toBe('SUBSCRIBED')
    await until(() => statuses.includes('SUBSCRIBED'))
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: bob.headers,
    })
    expect(revoked.statusCode, revoked.body).toBeLessThan(300)
    // By the dm_auth notification, well before a heartbeat.
    await closed
    expect(statuses).toEqual(['SUBSCRIBED', 'CLOSED'])
    // The public channel of the same connection goes on.
    const placed = await trade(alice, market.id)
    await events.waitFor(() => events.named('trade').some((e) => e.data.id === placed.trade.id))
  })

  it('resume after a disconnect: the missed trades from the database, then live', async () => {
    const market = await newMarket(alice)
    const topic = `market:${market.id}:trades`
    const first = client()
    const tape = first.channel(topic)
    const before = listen(tape)
    expect((await subscribed(tape)).status).toBe('SUBSCRIBED')
    await trade(alice, market.id)
    await before.waitFor(() => before.named('trade').length === 1)
    const cursor = { b0: before.named('trade')[0]?.seq as number }
    await first.realtime.disconnect()

    // Trades while nobody listens.
    for (let i = 0; i < 3; i++) await trade(bob, market.id)

    const second = client()
    const again = second.channel(topic, { config: { broadcast: { resume: cursor } as never } })
    const after = listen(again)
    expect((await subscribed(again)).status).toBe('SUBSCRIBED')
    await after.waitFor(() => after.named('resumed').length === 1)
    expect(after.named('snapshot')).toHaveLength(0)
    expect(after.named('trade').map((p) => p.seq)).toEqual([2, 3, 4])
    expect(after.named('resumed')[0]).toMatchObject({ cursor: { b0: 4 } })
    await trade(alice, market.id)
    await after.waitFor(() => after.named('trade').length === 4)
    expect(expectContiguous(after.named('trade'), 1)).toBe(5)

    // Too far behind (REALTIME_RESUME_MAX is 20): told so, then a snapshot.
    for (let i = 0; i < 21; i++) await trade(bob, market.id)
    const third = client()
    const stale = third.channel(topic, { config: { broadcast: { resume: { b0: 1 } } as never } })
    const told = listen(stale)
    expect((await subscribed(stale)).status).toBe('SUBSCRIBED')
    await told.waitFor(() => told.named('snapshot').length === 1)
    expect(told.received.map((r) => r.event).slice(0, 2)).toEqual(['too_old', 'snapshot'])
    expect(told.named('snapshot')[0]?.cursor).toEqual({ b0: 26 })
  })

  it('heartbeats are answered, so the connection outlives several intervals', async () => {
    const supabase = client({ heartbeatIntervalMs: 200 })
    const beats: string[] = []
    supabase.realtime.onHeartbeat((status) => beats.push(status))
    const channel = supabase.channel('markets')
    expect((await subscribed(channel)).status).toBe('SUBSCRIBED')
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    expect(beats.filter((b) => b === 'ok').length).toBeGreaterThanOrEqual(3)
    expect(beats).not.toContain('timeout')
    expect(supabase.realtime.isConnected()).toBe(true)
    expect(channel.state).toBe('joined')
  })

  it('leave: unsubscribe answers ok and no more events arrive', async () => {
    const market = await newMarket(alice)
    const supabase = client()
    const tape = supabase.channel(`market:${market.id}:trades`)
    const events = listen(tape)
    expect((await subscribed(tape)).status).toBe('SUBSCRIBED')
    await trade(alice, market.id)
    await events.waitFor(() => events.named('trade').length === 1)
    expect(await tape.unsubscribe()).toBe('ok')
    expect(tape.state).toBe('closed')
    await trade(alice, market.id)
    // The next trade on another subscriber proves the event went out, not that it is late.
    const other = client().channel(`market:${market.id}:trades`, {
      config: { broadcast: { resume: { b0: 1 } } as never },
    })
    const seen = listen(other)
    await subscribed(other)
    await seen.waitFor(() => seen.named('trade').length === 1)
    expect(events.named('trade')).toHaveLength(1)
  })

  it('clients cannot publish: a broadcast on our channels is refused with an error reply', async () => {
    const supabase = client()
    const channel = supabase.channel('markets', { config: { broadcast: { ack: true } } })
    expect((await subscribed(channel)).status).toBe('SUBSCRIBED')
    const status = await channel.send({ type: 'broadcast', event: 'trade', payload: { fake: true } })
    expect(status).toBe('error')
    // Still joined: the refusal is an answer, not a disconnect.
    expect(channel.state).toBe('joined')
  })

  it('unknown channels and postgres_changes are refused at join', async () => {
    const supabase = client()
    const unknown = await subscribed(supabase.channel('market:not-a-uuid'))
    expect(unknown.status).toBe('CHANNEL_ERROR')
    expect(unknown.error?.message).toMatch(/Unknown channel/)
    const changes = supabase
      .channel('markets-changes')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'markets' }, () => {})
    const refused = await subscribed(changes)
    expect(refused.status).toBe('CHANNEL_ERROR')
    expect(refused.error?.message).toMatch(/postgres_changes/)
  })

  it('the apikey is required on the upgrade', async () => {
    const refusal = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/realtime/v1/websocket?vsn=2.0.0`)
      ws.once('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0))
      ws.once('open', () => resolve(101))
    })
    expect(refusal).toBe(401)
  })

  it('shutdown closes supabase-js sockets with 1001 going away, as /v1/stream does', async () => {
    const second = await createTestApp({ database: t.database })
    const address = await second.app.listen({ host: '127.0.0.1', port: 0 })
    const supabase = supabaseClient(address)
    clients.push(supabase)
    const channel = supabase.channel('markets')
    expect((await subscribed(channel)).status).toBe('SUBSCRIBED')
    const raw = new WebSocket(`${address.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=k&vsn=2.0.0`)
    await new Promise((resolve) => raw.once('open', resolve))
    const rawClosed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)))
    await second.close()
    expect(await rawClosed).toBe(1001)
    // The supabase-js channel saw its socket go (it would rejoin on another process).
    const deadline = Date.now() + 5_000
    while (channel.state === 'joined' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(channel.state).not.toBe('joined')
    await supabase.realtime.disconnect()
  })
})
