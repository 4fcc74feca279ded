/**
 * Decision markets and agent decisions through the API, with the clock in the test's hands:
 * bad input, who may decide and when, deciding twice, manipulation at the last minute against
 * a sustained shift, and the failures an operator must see (LLM down or talking nonsense,
 * webhook receiver down) without losing the decision or any credit.
 */
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Transaction, TransactionOptions } from '../../src/db/database.js'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { attemptDelivery } from '../../src/services/decisions/delivery.js'
import { marketWithDecision } from '../../src/services/decisions/view.js'
import { closeMarketAtDeadline } from '../../src/services/markets/lifecycle.js'
import { settleMarket } from '../../src/services/markets/settlement.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver } from '../fakes/webhook-receiver.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/clock.js'
import { runPrepareJob } from '../helpers/decisions.js'
import { call } from '../helpers/http.js'
import { sample } from '../helpers/metrics.js'
import { freePort } from '../helpers/net.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

const MINUTE = 60_000
let clock: TestClock
let t: TestApp
let owner: TestUser
let other: TestUser
let llm: FakeLlmServer

beforeAll(async () => {
  clock = new TestClock(new Date('2030-01-01T00:00:00Z'))
  // Tokens are checked against the test's clock too: let them outlive the hours it moves through.
  t = await createTestApp({
    clock,
    env: { WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_DELAY_SECONDS: '2', AUTH_ACCESS_TOKEN_TTL_S: '86400' },
  })
  owner = await createTestUser(t)
  other = await createTestUser(t)
  llm = await startFakeLlm(() => ({
    kind: 'json',
    value: { action: 'B', confidence: 0.9, rationale: 'why not' },
  }))
})
afterAll(async () => {
  await llm?.close()
  await t?.close()
})

const inject = <T = Record<string, unknown>>(
  method: string,
  url: string,
  user?: TestUser,
  payload?: unknown,
) => call<T>(t, method, url, user, payload)

async function trade(user: TestUser, marketId: string, branch: number, amount: string, outcome = 'YES') {
  const res = await inject('POST', `/v1/markets/${marketId}/trades`, user, {
    branch,
    outcome,
    side: 'buy',
    amount,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

function decisionMarketBody(overrides: Record<string, unknown> = {}) {
  const now = clock.now().getTime()
  return {
    question: 'Which launch grows users most?',
    kind: 'binary',
    subsidy: '20',
    close_at: new Date(now + 120 * MINUTE).toISOString(),
    decide_at: new Date(now + 60 * MINUTE).toISOString(),
    branches: ['A', 'B', 'C'],
    default_branch: 0,
    decision_rule: {
      min_traders: 1,
      min_volume: '1',
      threshold_bps: 200,
      twap_interval_seconds: 60,
      twap_max_step_bps: 100,
    },
    ...overrides,
  }
}

describe('creating decision markets', () => {
  it.each([
    [{ branches: ['only'] }, '/body/branches'],
    [{ branches: Array.from({ length: 17 }, (_, i) => `b${i}`) }, '/body/branches'],
    [{ branches: ['A', 'a'] }, '/body/branches/1'],
    [{ default_branch: 3 }, '/body/default_branch'],
    [{ decide_at: undefined }, '/body/decide_at'],
    [{ decide_at: '2029-12-31T00:00:00Z' }, '/body/decide_at'],
    [{ decide_at: '2030-01-01T03:00:00Z' }, '/body/decide_at'],
    [{ kind: 'categorical', outcomes: ['x', 'y'] }, '/body/utilities'],
    [{ kind: 'categorical', outcomes: ['x', 'y'], utilities: [1, 1] }, '/body/utilities'],
    [{ utilities: [1, 0] }, '/body/utilities'],
    [{ decision_rule: { threshold_bps: -1 } }, '/body/decision_rule/threshold_bps'],
  ])('refuses %o, naming %s', async (change, field) => {
    const body = { ...decisionMarketBody(), ...change }
    for (const [k, v] of Object.entries(change))
      if (v === undefined) delete (body as Record<string, unknown>)[k]
    const res = await inject<{ code: string; errors: Array<{ field: string }> }>(
      'POST',
      '/v1/markets',
      owner,
      body,
    )
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e) => e.field)).toContain(field)
  })

  it('creates one escrowed branch per action and shows live decision scores', async () => {
    const res = await inject<{
      branches: Array<{ label: string }>
      decision: { default_branch: number; scores: Array<{ score: number; spot: number }>; result: null }
    }>('POST', '/v1/markets', owner, decisionMarketBody())
    expect(res.status).toBe(201)
    expect(res.body.branches.map((b) => b.label)).toEqual(['A', 'B', 'C'])
    expect(res.body.decision.default_branch).toBe(0)
    expect(res.body.decision.scores.map((s) => s.score)).toEqual([0.5, 0.5, 0.5])
    expect(res.body.decision.result).toBeNull()
  })
})

describe('deciding', () => {
  it('before decide_at only where the rule allows it, and only by the owner or an admin', async () => {
    const strict = (await inject<{ id: string }>('POST', '/v1/markets', owner, decisionMarketBody())).body
    const early = await inject<{ code: string }>('POST', `/v1/markets/${strict.id}/decide`, owner)
    expect(early.status).toBe(422)
    expect(early.body.code).toBe('decision_too_early')
    expect((await inject('POST', `/v1/markets/${strict.id}/decide`, other)).status).toBe(403)
    expect((await inject('POST', `/v1/markets/${strict.id}/decide`)).status).toBe(401)

    const lenient = (
      await inject<{ id: string }>(
        'POST',
        '/v1/markets',
        owner,
        decisionMarketBody({ decision_rule: { allow_early_decision: true, min_traders: 3 } }),
      )
    ).body
    const decided = await inject<{
      status: string
      decision: { result: { chosen: { branch: number }; reason: string } }
    }>('POST', `/v1/markets/${lenient.id}/decide`, owner)
    expect(decided.status).toBe(200)
    expect(decided.body.status).toBe('decided')
    // Nobody traded: the default stands, and the record says why.
    expect(decided.body.decision.result).toMatchObject({
      chosen: { branch: 0 },
      reason: 'insufficient_traders',
    })
    const again = await inject<typeof decided.body>('POST', `/v1/markets/${lenient.id}/decide`, owner)
    expect(again.body.decision.result).toEqual(decided.body.decision.result)

    const plain = await inject<{ id: string }>('POST', '/v1/markets', owner, {
      question: 'A plain market',
      kind: 'binary',
      subsidy: '10',
      close_at: new Date(clock.now().getTime() + MINUTE).toISOString(),
    })
    const notDecision = await inject<{ code: string }>('POST', `/v1/markets/${plain.body.id}/decide`, owner)
    expect(notDecision.status).toBe(422)
    expect(notDecision.body.code).toBe('not_a_decision_market')
  })

  it('one large trade in the last interval cannot flip what the window supports; a sustained shift does', async () => {
    const whale = await createTestUser(t)
    const calm = (await inject<{ id: string }>('POST', '/v1/markets', owner, decisionMarketBody())).body
    const start = clock.now().getTime()
    clock.advance(2 * MINUTE)
    await trade(other, calm.id, 2, '15') // C moves up early and stays
    clock.current = new Date(start + 59 * MINUTE + 30_000)
    await trade(whale, calm.id, 1, '400') // B pumped 30 s before the decision
    const spot = await inject<{ decision: { scores: Array<{ spot: number; score: number }> } }>(
      'GET',
      `/v1/markets/${calm.id}`,
    )
    expect(spot.body.decision.scores[1]?.spot).toBeGreaterThan(spot.body.decision.scores[2]?.spot ?? 1)
    clock.current = new Date(start + 60 * MINUTE)
    const calmRecord = await decideMarket(t.ctx, calm.id, { kind: 'deadline' })
    expect(calmRecord).toMatchObject({ chosen_branch: 2, reason: 'best_beats_default' })

    const shifted = (await inject<{ id: string }>('POST', '/v1/markets', owner, decisionMarketBody())).body
    const start2 = clock.now().getTime()
    clock.advance(2 * MINUTE)
    await trade(other, shifted.id, 2, '15')
    clock.advance(3 * MINUTE)
    await trade(whale, shifted.id, 1, '100') // B priced best for most of the window
    clock.current = new Date(start2 + 60 * MINUTE)
    const shiftedRecord = await decideMarket(t.ctx, shifted.id, { kind: 'deadline' })
    expect(shiftedRecord).toMatchObject({ chosen_branch: 1, reason: 'best_beats_default' })

    // Running the deadline job again changes nothing: no second refund.
    const refunds = async () =>
      (
        await t.ctx.db.pool.query(
          `select count(*)::int as n from public.journal_entries where market_id = $1`,
          [shifted.id],
        )
      ).rows[0].n
    const before = await refunds()
    expect(await decideMarket(t.ctx, shifted.id, { kind: 'deadline' })).toEqual(shiftedRecord)
    expect(await refunds()).toBe(before)
  })
})

describe('reading a decision market', () => {
  it('shows the market and its decision from one snapshot, even while the decision commits', async () => {
    const market = (await inject<{ id: string }>('POST', '/v1/markets', owner, decisionMarketBody())).body
    clock.advance(60 * MINUTE)
    // The deciding transaction commits right after the GET has read the market row.
    let raced = false
    const database = t.ctx.db
    const racing = {
      ...database,
      withTransaction: <T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions) =>
        database.withTransaction(
          (tx) =>
            fn({
              ...tx,
              maybeOne: async (query, values) => {
                const row = await tx.maybeOne(query, values)
                if (!raced) {
                  raced = true
                  await decideMarket(t.ctx, market.id, { kind: 'deadline' })
                }
                return row
              },
            } as Transaction),
          options,
        ),
    } as Database
    const view = await marketWithDecision({ db: racing, clock }, market.id)
    expect(raced).toBe(true)
    // Read as separate statements it was `open` beside the decision's result.
    expect([view.status, view.decision?.result?.reason ?? null]).toEqual(['open', null])
    const after = await inject<{ status: string; decision: { result: unknown } }>(
      'GET',
      `/v1/markets/${market.id}`,
    )
    expect(after.body.status).toBe('decided')
    expect(after.body.decision.result).not.toBeNull()
  })
})

describe('agent decisions when the outside world fails', () => {
  const llmCalls = (outcome: string) => sample(t.ctx.metrics, 'dm_llm_calls_total', { outcome })
  const attempts = (outcome: string) => sample(t.ctx.metrics, 'dm_webhook_deliveries_total', { outcome })

  async function agentWith(llmUrl: string, webhookUrl: string) {
    const res = await inject<{ id: string }>('POST', '/v1/agents', owner, {
      name: 'Fragile agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'fixed',
      actions: [
        { label: 'A', description: 'the safe one' },
        { label: 'B', description: 'the bold one' },
      ],
      llm: { base_url: llmUrl, model: 'm' },
      default_action: 'A',
      decision_rule: { allow_early_decision: true, min_traders: 0, min_volume: '0' },
      liquidity_per_decision: '10',
      delivery: { type: 'webhook', url: webhookUrl },
    })
    expect(res.status).toBe(201)
    return res.body.id
  }
  const decisionBody = () => ({
    question: 'A or B?',
    decide_at: new Date(clock.now().getTime() + 10 * MINUTE).toISOString(),
    close_at: new Date(clock.now().getTime() + 20 * MINUTE).toISOString(),
  })

  it('an unreachable LLM: the decision opens without a prior, and the operator sees why', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/v1`
    const agentId = await agentWith(dead, 'http://127.0.0.1:9/hook')
    const unreachable = await llmCalls('unreachable')
    const res = await inject<{ prior: null; prior_error: string; market: { id: string; status: string } }>(
      'POST',
      `/v1/agents/${agentId}/decisions`,
      owner,
      decisionBody(),
    )
    expect(res.status).toBe(201)
    expect(res.body.market.status).toBe('preparing')
    expect(res.body.prior).toBeNull()
    expect(await runPrepareJob(t.ctx, res.body.market.id)).toBe('opened')
    expect((await inject<{ status: string }>('GET', `/v1/markets/${res.body.market.id}`)).body.status).toBe(
      'open',
    )
    const list = await inject<{ items: Array<{ prior_error: string | null }> }>(
      'GET',
      `/v1/agents/${agentId}/decisions`,
      owner,
    )
    expect(list.body.items[0]?.prior_error).toMatch(/^llm_unreachable/)
    expect(await llmCalls('unreachable')).toBe(unreachable + 1)
    const anon = await inject<{ items: Array<{ prior_error: string | null }> }>(
      'GET',
      `/v1/agents/${agentId}/decisions`,
    )
    expect(anon.body.items[0]?.prior_error).toBeNull()
  })

  it.each([
    [{ kind: 'content', content: 'B, definitely' }, /^llm_malformed_output/, 'malformed_output'],
    // The call itself succeeded; the service refuses what it chose.
    [
      { kind: 'json', value: { action: 'Z', confidence: 0.5, rationale: 'r' } },
      /not a candidate action/,
      'ok',
    ],
    [{ kind: 'status', status: 500 }, /^llm_http_error/, 'http_error'],
  ] as const)('malformed LLM output %o is recorded, not fatal', async (reply, error, outcome) => {
    llm.reply = () => reply
    const counted = await llmCalls(outcome)
    const timed = await sample(t.ctx.metrics, 'dm_llm_call_duration_seconds_count', { outcome })
    const agentId = await agentWith(llm.baseUrl, 'http://127.0.0.1:9/hook')
    const res = await inject<{ market: { id: string } }>(
      'POST',
      `/v1/agents/${agentId}/decisions`,
      owner,
      decisionBody(),
    )
    expect(res.status).toBe(201)
    expect(await runPrepareJob(t.ctx, res.body.market.id)).toBe('opened')
    const list = await inject<{ items: Array<{ prior: unknown; prior_error: string | null }> }>(
      'GET',
      `/v1/agents/${agentId}/decisions`,
      owner,
    )
    expect(list.body.items[0]?.prior).toBeNull()
    expect(list.body.items[0]?.prior_error).toMatch(error)
    expect(await llmCalls(outcome)).toBe(counted + 1)
    expect(await sample(t.ctx.metrics, 'dm_llm_call_duration_seconds_count', { outcome })).toBe(timed + 1)
  })

  it('an unreachable webhook: the decision stands, attempts are logged, and the delivery ends failed', async () => {
    llm.reply = () => ({ kind: 'json', value: { action: 'B', confidence: 0.6, rationale: 'r' } })
    const agentId = await agentWith(llm.baseUrl, `http://127.0.0.1:${await freePort()}/hook`)
    const opened = await inject<{ market: { id: string } }>(
      'POST',
      `/v1/agents/${agentId}/decisions`,
      owner,
      decisionBody(),
    )
    const marketId = opened.body.market.id
    expect(await runPrepareJob(t.ctx, marketId)).toBe('opened')
    const prepared = await inject<{ items: Array<{ prior: { action: string } }> }>(
      'GET',
      `/v1/agents/${agentId}/decisions`,
      owner,
    )
    expect(prepared.body.items[0]?.prior.action).toBe('B')
    // The LLM was told the candidate actions with their descriptions.
    expect(JSON.stringify(llm.requests.at(-1)?.body)).toContain('- B: the bold one')
    expect((await inject('POST', `/v1/markets/${marketId}/decide`, owner)).status).toBe(200)
    const { rows } = await t.ctx.db.pool.query(
      'select id from public.webhook_deliveries where market_id = $1',
      [marketId],
    )
    const deliveryId = rows[0].id as string
    const retries = async () =>
      (
        await t.ctx.db.pool.query(
          `select (extract(epoch from start_after) * 1000)::float8 as due_ms from pgboss.job
            where name = 'webhook-deliver' and data->>'deliveryId' = $1 order by created_on`,
          [deliveryId],
        )
      ).rows.map((r) => Number(r.due_ms))
    const failedAt = clock.now().getTime() // the refused connection takes no time on the test's clock
    const failedBefore = await attempts('failed')
    expect(await attemptDelivery(t.ctx, deliveryId)).toBe('retry')
    // The first retry exactly WEBHOOK_RETRY_DELAY_SECONDS after the failure, the next twice that.
    const delayMs = t.ctx.config.WEBHOOK_RETRY_DELAY_SECONDS * 1000
    const after1 = await retries()
    expect(after1).toHaveLength(2)
    expect(after1[1] as number).toBeGreaterThanOrEqual(failedAt + delayMs)
    expect(after1[1] as number).toBeLessThan(failedAt + delayMs + 100)
    expect(await attemptDelivery(t.ctx, deliveryId)).toBe('retry')
    const after2 = await retries()
    expect(after2[2] as number).toBeGreaterThanOrEqual(failedAt + 2 * delayMs)
    expect(after2[2] as number).toBeLessThan(failedAt + 2 * delayMs + 100)
    expect(await attemptDelivery(t.ctx, deliveryId)).toBe('failed')
    expect(await attempts('failed')).toBe(failedBefore + 3)
    expect(await retries()).toHaveLength(3)
    expect(await attemptDelivery(t.ctx, deliveryId)).toBe('skipped')
    const list = await inject<{ items: Array<{ decision: unknown; delivery: Record<string, unknown> }> }>(
      'GET',
      `/v1/agents/${agentId}/decisions`,
      owner,
    )
    expect(list.body.items[0]?.decision).not.toBeNull()
    expect(list.body.items[0]?.delivery).toMatchObject({ status: 'failed', attempts: 3, delivered_at: null })
    expect(String(list.body.items[0]?.delivery.last_error)).toMatch(/fetch failed|ECONNREFUSED/)
  })

  it('a delivered webhook counts as delivered, a receiver answering 503 as failed', async () => {
    llm.reply = () => ({ kind: 'json', value: { action: 'B', confidence: 0.6, rationale: 'r' } })
    const agent = await inject<{ id: string; webhook_secret: string }>('POST', '/v1/agents', owner, {
      name: 'Counted agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'fixed',
      actions: [
        { label: 'A', description: 'the safe one' },
        { label: 'B', description: 'the bold one' },
      ],
      llm: { base_url: llm.baseUrl, model: 'm' },
      default_action: 'A',
      decision_rule: { allow_early_decision: true, min_traders: 0, min_volume: '0' },
      liquidity_per_decision: '10',
      delivery: { type: 'webhook', url: 'http://127.0.0.1:9/hook' },
    })
    expect(agent.status).toBe(201)
    // The receiver checks the secret the agent was given; it listens where the agent now points.
    const receiver = await startWebhookReceiver(agent.body.webhook_secret, { failFirst: 1 })
    try {
      await t.ctx.db.pool.query('update public.agents set webhook_url = $1 where id = $2', [
        receiver.url,
        agent.body.id,
      ])
      const opened = await inject<{ market: { id: string } }>(
        'POST',
        `/v1/agents/${agent.body.id}/decisions`,
        owner,
        decisionBody(),
      )
      expect(await runPrepareJob(t.ctx, opened.body.market.id)).toBe('opened')
      expect((await inject('POST', `/v1/markets/${opened.body.market.id}/decide`, owner)).status).toBe(200)
      const { rows } = await t.ctx.db.pool.query(
        'select id from public.webhook_deliveries where market_id = $1',
        [opened.body.market.id],
      )
      const [failed, delivered] = [await attempts('failed'), await attempts('delivered')]
      expect(await attemptDelivery(t.ctx, rows[0].id)).toBe('retry')
      expect(await attempts('failed')).toBe(failed + 1)
      expect(await attemptDelivery(t.ctx, rows[0].id)).toBe('delivered')
      expect(await attempts('delivered')).toBe(delivered + 1)
      expect(receiver.accepted).toHaveLength(1)
    } finally {
      await receiver.close()
    }
  })

  it('a hanging LLM never holds the request: the market prepares, nothing trades, then it opens with the error', async () => {
    // Accepts connections and never answers.
    const sockets: Socket[] = []
    const silent = createServer((socket) => {
      sockets.push(socket)
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as AddressInfo).port
    try {
      const agentId = await agentWith(`http://127.0.0.1:${port}/v1`, 'http://127.0.0.1:9/hook')
      const res = await inject<{ market: { id: string; status: string }; prior: null }>(
        'POST',
        `/v1/agents/${agentId}/decisions`,
        owner,
        decisionBody(),
      )
      // It waited LLM_TIMEOUT_MS (30 s) for this LLM before; now the request does not even
      // connect to it (the prepare job does, below).
      expect(sockets).toHaveLength(0)
      expect(res.status).toBe(201)
      expect(res.body.market.status).toBe('preparing')
      const marketId = res.body.market.id
      const listed = await inject<{ items: Array<{ market: { status: string }; prior: null }> }>(
        'GET',
        `/v1/agents/${agentId}/decisions`,
        owner,
      )
      expect(listed.body.items[0]?.market.status).toBe('preparing')
      // No trade before the prior is recorded, and no early decision either.
      const early = await inject<{ code: string }>('POST', `/v1/markets/${marketId}/trades`, other, {
        branch: 1,
        outcome: 'YES',
        side: 'buy',
        amount: '5',
      })
      expect(early.status).toBe(409)
      expect((await inject('POST', `/v1/markets/${marketId}/decide`, owner)).status).toBe(409)
      const shortTimeout = { ...t.ctx, config: { ...t.ctx.config, LLM_TIMEOUT_MS: 300 } }
      const timeouts = await llmCalls('timeout')
      expect(await runPrepareJob(shortTimeout, marketId)).toBe('opened')
      expect(await llmCalls('timeout')).toBe(timeouts + 1)
      // The job is what asked the LLM (and gave up after its timeout).
      expect(sockets.length).toBeGreaterThan(0)
      expect(await runPrepareJob(shortTimeout, marketId)).toBe('skipped')
      const after = await inject<{ items: Array<{ market: { status: string }; prior_error: string }> }>(
        'GET',
        `/v1/agents/${agentId}/decisions`,
        owner,
      )
      expect(after.body.items[0]?.market.status).toBe('open')
      expect(after.body.items[0]?.prior_error).toMatch(/^llm_unreachable/)
      await trade(other, marketId, 1, '5')
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('an LLM action source: its actions become branches when the market opens; none usable voids it', async () => {
    const agent = await inject<{ id: string }>('POST', '/v1/agents', owner, {
      name: 'Inventive agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'llm',
      llm: { base_url: llm.baseUrl, model: 'm' },
      default_action: 'Wait',
      decision_rule: { min_traders: 0, min_volume: '0' },
      liquidity_per_decision: '10',
      delivery: { type: 'polling' },
    })
    expect(agent.status, JSON.stringify(agent.body)).toBe(201)
    const cash = async () => (await inject<{ cash: string }>('GET', '/v1/me/portfolio', owner)).body.cash
    llm.reply = () => ({
      kind: 'json',
      value: {
        actions: [
          { label: 'Ship now', description: 'fast' },
          { label: 'Wait', description: 'the default' },
          { label: 'Pilot first', description: 'careful' },
        ],
        action: 'Pilot first',
        confidence: 0.7,
        rationale: 'less risk',
      },
    })
    const before = await cash()
    const res = await inject<{ market: { id: string; branches: Array<{ label: string }> } }>(
      'POST',
      `/v1/agents/${agent.body.id}/decisions`,
      owner,
      decisionBody(),
    )
    expect(res.status).toBe(201)
    expect(res.body.market.branches.map((b) => b.label)).toEqual(['Wait'])
    const marketId = res.body.market.id
    expect(await runPrepareJob(t.ctx, marketId)).toBe('opened')
    const market = await inject<{ status: string; branches: Array<{ label: string; status: string }> }>(
      'GET',
      `/v1/markets/${marketId}`,
    )
    expect(market.body.status).toBe('open')
    expect(market.body.branches.map((b) => [b.label, b.status])).toEqual([
      ['Wait', 'open'],
      ['Ship now', 'open'],
      ['Pilot first', 'open'],
    ])
    expect(Number(before) - Number(await cash())).toBeCloseTo(30, 6)
    const listed = await inject<{ items: Array<{ prior: { branch: number; action: string } }> }>(
      'GET',
      `/v1/agents/${agent.body.id}/decisions`,
      owner,
    )
    expect(listed.body.items[0]?.prior).toMatchObject({ branch: 2, action: 'Pilot first' })

    llm.reply = () => ({ kind: 'status', status: 500 })
    const before2 = await cash()
    const failed = await inject<{ market: { id: string } }>(
      'POST',
      `/v1/agents/${agent.body.id}/decisions`,
      owner,
      decisionBody(),
    )
    expect(await runPrepareJob(t.ctx, failed.body.market.id)).toBe('voided')
    expect(
      (await inject<{ status: string }>('GET', `/v1/markets/${failed.body.market.id}`)).body.status,
    ).toBe('voided')
    await settleMarket(t.ctx, failed.body.market.id)
    expect(await cash()).toBe(before2)
  })

  it('a decision still preparing at decide_at is voided and its escrow returned', async () => {
    const agentId = await agentWith(llm.baseUrl, 'http://127.0.0.1:9/hook')
    const res = await inject<{ market: { id: string } }>(
      'POST',
      `/v1/agents/${agentId}/decisions`,
      owner,
      decisionBody(),
    )
    const marketId = res.body.market.id
    clock.advance(10 * MINUTE)
    expect(await runPrepareJob(t.ctx, marketId)).toBe('skipped')
    expect(await decideMarket(t.ctx, marketId, { kind: 'deadline' })).toBeNull()
    expect((await inject<{ status: string }>('GET', `/v1/markets/${marketId}`)).body.status).toBe('voided')
  })

  it('only the operator opens decisions, and the agent must exist', async () => {
    const agentId = await agentWith(llm.baseUrl, 'http://127.0.0.1:9/hook')
    expect((await inject('POST', `/v1/agents/${agentId}/decisions`, other, decisionBody())).status).toBe(403)
    expect((await inject('POST', `/v1/agents/${agentId}/decisions`, undefined, decisionBody())).status).toBe(
      401,
    )
    expect(
      (
        await inject(
          'POST',
          '/v1/agents/00000000-0000-4000-8000-000000000000/decisions',
          owner,
          decisionBody(),
        )
      ).status,
    ).toBe(404)
    const badWindow = await inject('POST', `/v1/agents/${agentId}/decisions`, owner, {
      ...decisionBody(),
      decide_at: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
    })
    expect(badWindow.status).toBe(400)
  })
})

describe('decision markets over other outcome spaces, and after the decision', () => {
  it('categorical: branches are scored by Σ p·utility', async () => {
    const market = await inject<{ id: string; decision: { scores: Array<{ score: number }> } }>(
      'POST',
      '/v1/markets',
      owner,
      decisionMarketBody({
        kind: 'categorical',
        outcomes: ['Low', 'Mid', 'High'],
        utilities: [0, 50, 100],
        branches: ['Keep', 'Change'],
      }),
    )
    expect(market.status).toBe(201)
    // Uniform prices over utilities 0, 50, 100 (normalised 0, .5, 1): an expected 0.5.
    expect(market.body.decision.scores.map((s) => s.score)).toEqual([0.5, 0.5])
    const start = clock.now().getTime()
    clock.advance(MINUTE)
    await trade(other, market.body.id, 1, '20', 'High')
    await trade(other, market.body.id, 0, '20', 'Low')
    clock.current = new Date(start + 60 * MINUTE)
    const record = await decideMarket(t.ctx, market.body.id, { kind: 'deadline' })
    expect(record?.chosen_branch).toBe(1)
    expect(record?.scores[1]?.score).toBeGreaterThan(0.5)
    expect(record?.scores[0]?.score).toBeLessThan(0.5)
  })

  it('scalar: branches are scored by the implied mean; the chosen branch closes at close_at and resolves', async () => {
    const market = await inject<{ id: string }>(
      'POST',
      '/v1/markets',
      owner,
      decisionMarketBody({
        kind: 'scalar',
        scalar: { lo: '0', hi: '100', unit: 'k users' },
        branches: ['Keep', 'Change'],
      }),
    )
    expect(market.status).toBe(201)
    const start = clock.now().getTime()
    clock.advance(MINUTE)
    await trade(other, market.body.id, 0, '20', 'LONG')
    await trade(other, market.body.id, 1, '20', 'SHORT')
    clock.current = new Date(start + 60 * MINUTE)
    const record = await decideMarket(t.ctx, market.body.id, { kind: 'deadline' })
    expect(record).toMatchObject({ chosen_branch: 0, reason: 'default_is_best' })

    // The chosen branch trades on after the decision, the operator included now…
    expect(
      (
        await inject('POST', `/v1/markets/${market.body.id}/trades`, owner, {
          branch: 0,
          outcome: 'LONG',
          side: 'buy',
          amount: '2',
        })
      ).status,
    ).toBe(201)
    // …until close_at, when the close job closes it; the market stays decided.
    clock.current = new Date(start + 120 * MINUTE)
    await closeMarketAtDeadline(t.ctx, market.body.id)
    const closed = await inject<{
      status: string
      closed_at: string | null
      branches: Array<{ status: string }>
    }>('GET', `/v1/markets/${market.body.id}`)
    expect(closed.body.status).toBe('decided')
    expect(closed.body.closed_at).not.toBeNull()
    expect(closed.body.branches.map((b) => b.status)).toEqual(['closed', 'voided'])
    const late = await inject('POST', `/v1/markets/${market.body.id}/trades`, other, {
      branch: 0,
      outcome: 'LONG',
      side: 'buy',
      amount: '2',
    })
    expect(late.status).toBe(409)
    const resolved = await inject<{ status: string }>(
      'POST',
      `/v1/markets/${market.body.id}/resolve`,
      owner,
      {
        value: '62.5',
        evidence: { note: 'measured' },
      },
    )
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200)
    expect(resolved.body.status).toBe('resolved')
  })

  it("a decision market cannot be resolved before it decides, and the operator's API keys are conflicted too", async () => {
    const agent = await inject<{ id: string }>('POST', '/v1/agents', owner, {
      name: 'Keyed agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'fixed',
      actions: [
        { label: 'A', description: '' },
        { label: 'B', description: '' },
      ],
      default_action: 'A',
      liquidity_per_decision: '10',
      delivery: { type: 'polling' },
    })
    const opened = await inject<{ market: { id: string } }>(
      'POST',
      `/v1/agents/${agent.body.id}/decisions`,
      owner,
      {
        question: 'A or B, by key?',
        decide_at: new Date(clock.now().getTime() + 10 * MINUTE).toISOString(),
        close_at: new Date(clock.now().getTime() + 20 * MINUTE).toISOString(),
      },
    )
    const marketId = opened.body.market.id
    const byAgent = await inject<{ items: Array<{ id: string }> }>(
      'GET',
      `/v1/markets?agent=${agent.body.id}`,
    )
    expect(byAgent.body.items.map((m) => m.id)).toEqual([marketId])
    expect((await inject('GET', '/v1/markets?agent=not-a-uuid')).status).toBe(400)
    const key = await createTestApiKey(t, owner, ['trade'])
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${marketId}/trades`,
      headers: key.headers,
      payload: { branch: 1, outcome: 'YES', side: 'buy', amount: '5' },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('conflict_of_interest')
    const early = await inject<{ code: string }>('POST', `/v1/markets/${marketId}/resolve`, owner, {
      outcome: 'YES',
      evidence: { note: 'too soon' },
    })
    expect(early.status).toBe(409)
    const outcome = await inject('POST', `/v1/agents/${agent.body.id}/decisions/${marketId}/outcome`, owner, {
      outcome: 'YES',
      evidence: { note: 'too soon' },
    })
    expect(outcome.status).toBe(409)
  })
})
