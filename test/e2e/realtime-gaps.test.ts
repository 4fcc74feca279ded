/**
 * The realtime feed's later events and checks, over real sockets (`ws` against the listening
 * app): a revoked credential cut off from the private channel; a decision market's score on its
 * market channel; the decisions of a user's agents on their user channel. Each sequenced and
 * resumable like the rest (docs/realtime.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/clock.js'
import { runPrepareJob } from '../helpers/decisions.js'
import { expectContiguous, FeedClient } from '../helpers/feed.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let address: string
let alice: TestUser

const ENV = { REALTIME_POLL_MS: '100', AUTH_ACCESS_TOKEN_TTL_S: '86400' }
// Moved forward to reach a decision's decide_at; starts at the real time, so the feed's
// timestamps and the tokens' agree with the sockets'.
const clock = new TestClock(new Date())

beforeAll(async () => {
  t = await createTestApp({ clock, env: ENV })
  address = await t.app.listen({ host: '127.0.0.1', port: 0 })
  alice = await createTestUser(t)
})
afterAll(() => t?.close())

async function newMarket(user: TestUser, extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question: 'Will the feed tell?',
      kind: 'binary',
      subsidy: '100',
      close_at: new Date(Date.now() + 3_600_000).toISOString(),
      ...extra,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

describe('revoked credentials', () => {
  it('an API key revoked while its connection holds the user channel closes it with 4001', async () => {
    const key = await createTestApiKey(t, alice, ['read'])
    const client = await FeedClient.connect(address)
    expect(await client.request({ type: 'auth', token: key.key })).toMatchObject({ ok: true })
    expect(await client.request({ type: 'subscribe', channel: 'user' })).toMatchObject({ ok: true })
    // A second connection with the same user's access token is not concerned.
    const other = await FeedClient.connect(address, alice.headers)
    expect(await other.request({ type: 'subscribe', channel: 'user' })).toMatchObject({ ok: true })

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: alice.headers,
    })
    expect(revoked.statusCode, revoked.body).toBeLessThan(300)
    // By the dm_auth notification, not the 30 s heartbeat: well before it.
    expect(await client.closed).toEqual({ code: 4001, reason: 'credential revoked' })
    expect((await other.request({ type: 'ping' })).type).toBe('pong')
    await other.close()
  })

  it('a session signed out closes its user channel; a connection on public channels only stays', async () => {
    const bob = await createTestUser(t)
    const onUser = await FeedClient.connect(address, bob.headers)
    expect(await onUser.request({ type: 'subscribe', channel: 'user' })).toMatchObject({ ok: true })
    const onPublic = await FeedClient.connect(address, bob.headers)
    expect(await onPublic.request({ type: 'subscribe', channel: 'markets' })).toMatchObject({ ok: true })

    const out = await t.app.inject({ method: 'POST', url: '/auth/v1/logout', headers: bob.headers })
    expect(out.statusCode, out.body).toBeLessThan(300)
    expect(await onUser.closed).toEqual({ code: 4001, reason: 'credential revoked' })
    // Still served: a market created now reaches it.
    const market = await newMarket(alice)
    await onPublic.waitFor((m) => m.type === 'event' && m.data?.market_id === market.id)
    expect(onPublic.ws.readyState).toBe(onPublic.ws.OPEN)
    // As an anonymous connection now: the user channel is refused to it.
    const again = await onPublic.request({ type: 'subscribe', channel: 'user' })
    expect(again.error?.code).toBe('unauthorized')
    await onPublic.close()
  })
})

async function call(method: string, url: string, user: TestUser, payload?: unknown) {
  const res = await t.app.inject({
    method: method as 'POST',
    url,
    headers: user.headers,
    payload: payload as object,
  })
  return { status: res.statusCode, body: res.json() }
}

/** An agent of `owner` (fixed actions A and B, no LLM) and one open decision of it. */
async function openDecision(owner: TestUser) {
  const agent = await call('POST', '/v1/agents', owner, {
    name: 'Feed agent',
    objective: { kind: 'binary', measurement: 'It works' },
    action_source: 'fixed',
    actions: [
      { label: 'A', description: '' },
      { label: 'B', description: '' },
    ],
    default_action: 'A',
    decision_rule: {
      threshold_bps: 0,
      min_traders: 1,
      min_volume: '1',
      twap_interval_seconds: 1,
      twap_max_step_bps: 10_000,
    },
    liquidity_per_decision: '20',
    delivery: { type: 'polling' },
  })
  expect(agent.status, JSON.stringify(agent.body)).toBe(201)
  const now = clock.now().getTime()
  const opened = await call('POST', `/v1/agents/${agent.body.id}/decisions`, owner, {
    question: 'A or B?',
    decide_at: new Date(now + 600_000).toISOString(),
    close_at: new Date(now + 1_200_000).toISOString(),
  })
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  const marketId = opened.body.market.id as string
  // Without an LLM there is no prior to ask for: the market may be open already.
  if (opened.body.market.status !== 'open') await runPrepareJob(t.ctx, marketId)
  const market = (await t.app.inject({ method: 'GET', url: `/v1/markets/${marketId}` })).json()
  expect(market.status).toBe('open')
  return { agentId: agent.body.id as string, marketId }
}

async function tradeBranch(user: TestUser, marketId: string, branch: number, amount = '5') {
  const res = await call('POST', `/v1/markets/${marketId}/trades`, user, {
    branch,
    outcome: 'YES',
    side: 'buy',
    amount,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

describe('decision markets', () => {
  it('the market channel carries the decision score after trades, numbered, and resume replays it', async () => {
    const owner = await createTestUser(t)
    const { marketId } = await openDecision(owner)
    const channel = `market:${marketId}`
    const client = await FeedClient.connect(address)
    const sub = await client.request({ type: 'subscribe', channel })
    expect(sub).toMatchObject({ ok: true, cursor: { b0: 0, b1: 0, d: 0 } })

    await tradeBranch(alice, marketId, 1)
    const [first] = await client.waitForEvents(channel, 1, 'd')
    expect(first).toMatchObject({ stream: 'd', seq: 1, prev: 0, event: 'score', data: { decided: false } })
    const scores = first?.data.scores as { branch: number; score: number; spot: number }[]
    expect(scores.map((s) => s.branch)).toEqual([0, 1])
    // Branch 1's YES was bought: its spot is above branch 0's.
    expect(scores[1]?.spot).toBeGreaterThan(scores[0]?.spot as number)
    // The same as GET /v1/markets/{id} shows (the score there is read at the same trade count).
    const shown = (await t.app.inject({ method: 'GET', url: `/v1/markets/${marketId}` })).json()
    expect(shown.decision.scores.map((s: { spot: number }) => s.spot)).toEqual(scores.map((s) => s.spot))

    await tradeBranch(alice, marketId, 0)
    await tradeBranch(alice, marketId, 0)
    const all = await client.waitFor(() => client.events(channel, 'd').at(-1)?.seq === 3)
    expect(all).toBeDefined()
    // Contiguous for this client, whichever intermediate scores were coalesced.
    expectContiguous(client.events(channel, 'd'), 0)
    await client.close()

    // A client that saw none of them gets the latest one only.
    const late = await FeedClient.connect(address)
    const resumed = await late.request({ type: 'resume', channel, cursor: { b0: 0, b1: 0, s: 1, d: 0 } })
    expect(resumed).toMatchObject({ ok: true, cursor: { b0: 2, b1: 1, d: 3 } })
    const replayedScores = resumed.events.filter((e: { stream: string }) => e.stream === 'd')
    expect(replayedScores).toMatchObject([{ seq: 3, prev: 0, event: 'score' }])
    await late.close()
  })

  it("the user channel carries the decisions of the user's agents, with refunds, and resumes them", async () => {
    const owner = await createTestUser(t)
    const trader = await createTestUser(t)
    const { agentId, marketId } = await openDecision(owner)
    const client = await FeedClient.connect(address, owner.headers)
    const sub = await client.request({ type: 'subscribe', channel: 'user' })
    expect(sub.ok).toBe(true)
    const before = sub.cursor.a as number
    // Someone else's subscription: not told of this owner's agent.
    const stranger = await FeedClient.connect(address, trader.headers)
    expect((await stranger.request({ type: 'subscribe', channel: 'user' })).ok).toBe(true)

    await tradeBranch(trader, marketId, 1, '10')
    await tradeBranch(trader, marketId, 0, '3')
    clock.advance(600_000)
    const record = await decideMarket(t.ctx, marketId, { kind: 'deadline' })
    expect(record?.chosen_branch).toBe(1)

    const [decided] = await client.waitForEvents('user', 1, 'a')
    expect(decided).toMatchObject({
      stream: 'a',
      prev: before,
      event: 'agent_decision',
      data: {
        market_id: marketId,
        agent_id: agentId,
        chosen: { branch: 1, label: 'B' },
        reason: record?.reason,
      },
    })
    // Branch 0 was voided: its trade refunded (the trader's cost back).
    expect(decided?.data.refunds.count).toBeGreaterThanOrEqual(1)
    expect(Number(decided?.data.refunds.amount)).toBeGreaterThan(0)
    await client.close()

    const again = await FeedClient.connect(address, owner.headers)
    const resumed = await again.request({
      type: 'resume',
      channel: 'user',
      cursor: { l: sub.cursor.l, a: before },
    })
    expect(resumed.ok).toBe(true)
    expect(resumed.events.filter((e: { stream: string }) => e.stream === 'a')).toMatchObject([
      { seq: decided?.seq, event: 'agent_decision' },
    ])
    await again.close()
    expect(stranger.events('user', 'a')).toEqual([])
    await stranger.close()
  })
})
