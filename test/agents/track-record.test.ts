/**
 * An agent's track record through the API, with a real database, the fake LLM provider on
 * loopback and the clock in the test's hands: decisions with known priors, decided by the rule
 * and resolved by the operator, give a record whose numbers the test works out by hand (override
 * rate, both Brier scores, calibration buckets, the trend); the agent's LLM is told its record
 * before its next decision; the decision webhook carries the market's evidence.
 */
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DecisionWebhookPayload } from '../../src/contracts/webhooks.js'
import type { CalibrationBucket, TrackRecord } from '../../src/domain/agents/track-record.js'
import { formatAmount } from '../../src/domain/money.js'
import { ErrorCode } from '../../src/errors/codes.js'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { attemptDelivery } from '../../src/services/decisions/delivery.js'
import { agentTrackRecord } from '../../src/services/decisions/track-record.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver } from '../fakes/webhook-receiver.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/clock.js'
import { runPrepareJob } from '../helpers/decisions.js'
import { registerFormats } from '../helpers/formats.js'
import { call } from '../helpers/http.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const MINUTE = 60_000
let clock: TestClock
let t: TestApp
let owner: TestUser
let trader: TestUser
let stranger: TestUser
let llm: FakeLlmServer
/** What the fake LLM answers next. */
let nextPrior: { action: string; confidence: number; forecasts?: unknown[] } = {
  action: 'A',
  confidence: 0.5,
}

beforeAll(async () => {
  clock = new TestClock(new Date('2031-03-31T23:00:00Z'))
  t = await createTestApp({ clock, env: { AUTH_ACCESS_TOKEN_TTL_S: '86400' } })
  owner = await createTestUser(t)
  trader = await createTestUser(t)
  stranger = await createTestUser(t)
  llm = await startFakeLlm(() => ({ kind: 'json', value: { ...nextPrior, rationale: 'as scripted' } }))
})
afterAll(async () => {
  await llm?.close()
  await t?.close()
})

const RULE = {
  allow_early_decision: true,
  min_traders: 0,
  min_volume: '0',
  threshold_bps: 200,
  twap_interval_seconds: 60,
  twap_max_step_bps: 10_000,
}

async function createAgent(delivery: Record<string, unknown> = { type: 'polling' }) {
  const res = await call<{ id: string; webhook_secret?: string }>(t, 'POST', '/v1/agents', owner, {
    name: 'Recorded agent',
    objective: { kind: 'binary', measurement: 'did it work' },
    action_source: 'fixed',
    actions: [
      { label: 'A', description: 'the safe one' },
      { label: 'B', description: 'the bold one' },
    ],
    llm: { base_url: llm.baseUrl, model: 'm' },
    default_action: 'A',
    decision_rule: RULE,
    liquidity_per_decision: '10',
    delivery,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

/** Opens a decision whose LLM answers `prior`, and runs the job that asks it. */
async function open(agentId: string, prior: typeof nextPrior) {
  nextPrior = prior
  const now = clock.now().getTime()
  const res = await call<{ market: { id: string } }>(t, 'POST', `/v1/agents/${agentId}/decisions`, owner, {
    question: 'A or B?',
    decide_at: new Date(now + 10 * MINUTE).toISOString(),
    close_at: new Date(now + 20 * MINUTE).toISOString(),
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(await runPrepareJob(t.ctx, res.body.market.id)).toBe('opened')
  return { marketId: res.body.market.id, decideAt: new Date(now + 10 * MINUTE) }
}

async function buy(marketId: string, branch: number, amount: string) {
  const res = await call(t, 'POST', `/v1/markets/${marketId}/trades`, trader, {
    branch,
    outcome: 'YES',
    side: 'buy',
    amount,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

/** Decides at decide_at (the deadline job's path); returns the chosen branch's score. */
async function decideAt(marketId: string, at: Date) {
  clock.current = at
  const record = await decideMarket(t.ctx, marketId, { kind: 'deadline' })
  expect(record).not.toBeNull()
  const chosen = record?.scores.find((s) => s.index === record.chosen_branch)
  return { chosen: record?.chosen_branch, score: chosen?.score as number }
}

async function report(agentId: string, marketId: string, outcome: 'YES' | 'NO') {
  const res = await call(t, 'POST', `/v1/agents/${agentId}/decisions/${marketId}/outcome`, owner, {
    outcome,
    evidence: { note: 'measured' },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

type TrackRecordBody = TrackRecord & {
  agent_id: string
  opened: number
  window: { decisions: number; limit: number; truncated: boolean }
}
type Bucket = CalibrationBucket

const r6 = (x: number) => Math.round(x * 1e6) / 1e6
const meanOf = (xs: number[]) => r6(xs.reduce((a, b) => a + b, 0) / xs.length)

describe("an agent's track record", () => {
  let agentId: string
  let marketOf: string[] = []
  let boldScore = 0

  beforeAll(async () => {
    agentId = (await createAgent()).id
    // 1. The prior says B (0.8); nobody trades: every score stays 0.5, the default A is taken
    //    (an override), and YES comes.
    const d1 = await open(agentId, { action: 'B', confidence: 0.8 })
    expect(await decideAt(d1.marketId, d1.decideAt)).toEqual({ chosen: 0, score: 0.5 })
    await report(agentId, d1.marketId, 'YES')
    // 2. The prior says A (0.9), A is taken, NO comes.
    const d2 = await open(agentId, { action: 'A', confidence: 0.9 })
    expect(await decideAt(d2.marketId, d2.decideAt)).toEqual({ chosen: 0, score: 0.5 })
    await report(agentId, d2.marketId, 'NO')
    // 3. The prior says A (0.3), A is taken, YES comes.
    const d3 = await open(agentId, { action: 'A', confidence: 0.3 })
    expect(await decideAt(d3.marketId, d3.decideAt)).toEqual({ chosen: 0, score: 0.5 })
    await report(agentId, d3.marketId, 'YES')
    // 4. The prior says B (0.7), A is taken (an override), no outcome yet. Next month (the
    //    tokens live a day: the months are an hour apart).
    clock.current = new Date('2031-04-01T00:00:00Z')
    const d4 = await open(agentId, { action: 'B', confidence: 0.7 })
    expect((await decideAt(d4.marketId, d4.decideAt)).chosen).toBe(0)
    // 5. The prior says B (0.6); traders buy B's YES: the market takes B with its score, YES comes.
    const d5 = await open(agentId, { action: 'B', confidence: 0.6 })
    clock.advance(MINUTE)
    await buy(d5.marketId, 1, '8')
    const decided5 = await decideAt(d5.marketId, d5.decideAt)
    expect(decided5.chosen).toBe(1)
    boldScore = decided5.score
    expect(boldScore).toBeGreaterThan(0.52)
    await report(agentId, d5.marketId, 'YES')
    // 6. Opened, not decided: counted as opened only.
    await open(agentId, { action: 'A', confidence: 0.5 })
    marketOf = [d1.marketId, d2.marketId, d3.marketId, d4.marketId, d5.marketId]
  })

  it('counts overrides and scores both forecasts of the action taken, as worked out by hand', async () => {
    const res = await call<TrackRecordBody>(t, 'GET', `/v1/agents/${agentId}/track-record`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const r = res.body
    expect(r.opened).toBe(6)
    expect(r.window).toEqual({ decisions: 5, limit: 1000, truncated: false })
    expect([r.decided, r.with_prior, r.overridden, r.override_rate, r.resolved]).toEqual([5, 5, 2, 0.4, 4])
    // Market: 0.5 against YES, NO, YES, and B's score against YES.
    const market = [0.25, 0.25, 0.25, (boldScore - 1) ** 2]
    // Prior: followed in 2 (0.9 vs NO), 3 (0.3 vs YES), 5 (0.6 vs YES); overridden in 1.
    const prior = [0.81, 0.49, 0.16]
    expect(r.brier.market).toBeCloseTo(meanOf(market), 6)
    expect(r.brier.market_count).toBe(4)
    expect(r.brier.prior).toBeCloseTo(meanOf(prior), 6)
    expect(meanOf(prior)).toBe(0.486667)
    expect(r.brier.prior_count).toBe(3)
    expect(r.brier.paired.count).toBe(3)
    expect(r.brier.paired.prior).toBeCloseTo(0.486667, 6)
    expect(r.brier.paired.market).toBeCloseTo(meanOf([0.25, 0.25, (boldScore - 1) ** 2]), 6)
  })

  it('calibration buckets: count, mean forecast and observed frequency per tenth', async () => {
    const r = (await call<TrackRecordBody>(t, 'GET', `/v1/agents/${agentId}/track-record`)).body
    expect(r.calibration.prior).toHaveLength(10)
    const used = (buckets: Bucket[]) => buckets.filter((b) => b.count > 0)
    expect(used(r.calibration.prior)).toEqual([
      { lo: 0.3, hi: 0.4, count: 1, mean_forecast: 0.3, observed: 1 },
      { lo: 0.6, hi: 0.7, count: 1, mean_forecast: 0.6, observed: 1 },
      { lo: 0.9, hi: 1, count: 1, mean_forecast: 0.9, observed: 0 },
    ])
    const boldBucket = Math.floor(boldScore * 10)
    expect(boldBucket).toBeGreaterThan(5)
    expect(used(r.calibration.market)).toEqual([
      { lo: 0.5, hi: 0.6, count: 3, mean_forecast: 0.5, observed: 0.666667 },
      {
        lo: boldBucket / 10,
        hi: (boldBucket + 1) / 10,
        count: 1,
        mean_forecast: r6(boldScore),
        observed: 1,
      },
    ])
  })

  it('the trend: per month of the decision, and the most recent decisions', async () => {
    const r = (await call<TrackRecordBody>(t, 'GET', `/v1/agents/${agentId}/track-record?recent=2`)).body
    expect(r.by_month.map((m) => [m.month, m.decided, m.overridden, m.resolved])).toEqual([
      ['2031-03', 3, 1, 3],
      ['2031-04', 2, 1, 1],
    ])
    expect(r.by_month[0]?.brier.market).toBeCloseTo(0.25, 6)
    expect(r.by_month[0]?.brier.prior).toBeCloseTo(0.65, 6)
    expect(r.recent).toMatchObject({ size: 2, decided: 2, overridden: 1, resolved: 1 })
    expect(r.recent.brier.prior).toBeCloseTo(0.16, 6)
  })

  it('is computed over a bounded window of the most recent decisions, and says when older ones are left out', async () => {
    const r = await agentTrackRecord(t.ctx.db, agentId, { limit: 3 })
    expect(r.window).toEqual({ decisions: 3, limit: 3, truncated: true })
    // Decisions 3, 4 and 5: one override (4), two resolved (3 and 5).
    expect([r.decided, r.overridden, r.resolved]).toEqual([3, 1, 2])
    expect(r.brier.prior).toBeCloseTo(meanOf([0.49, 0.16]), 6)
    expect((await agentTrackRecord(t.ctx.db, agentId, { limit: 5 })).window.truncated).toBe(false)
  })

  it('each decision carries its own part of the record, in the list and alone', async () => {
    const list = await call<{ items: Array<{ market: { id: string }; record: unknown }> }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions?limit=10`,
    )
    expect(list.status).toBe(200)
    const byId = new Map(list.body.items.map((i) => [i.market.id, i.record]))
    expect(byId.get(marketOf[0] as string)).toEqual({
      prior_forecast: null,
      market_forecast: 0.5,
      outcome: 1,
      brier_prior: null,
      brier_market: 0.25,
    })
    expect(byId.get(marketOf[3] as string)).toEqual({
      prior_forecast: null,
      market_forecast: 0.5,
      outcome: null,
      brier_prior: null,
      brier_market: null,
    })
    const one = await call<{ record: unknown; overrode_prior: boolean }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions/${marketOf[1]}/record`,
    )
    expect(one.status).toBe(200)
    expect(one.body.overrode_prior).toBe(false)
    expect(one.body.record).toEqual({
      prior_forecast: 0.9,
      market_forecast: 0.5,
      outcome: 0,
      brier_prior: 0.81,
      brier_market: 0.25,
    })
    const bold = await call<{ record: { brier_market: number; prior_forecast: number } }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions/${marketOf[4]}/record`,
    )
    expect(bold.body.record.prior_forecast).toBe(0.6)
    expect(bold.body.record.brier_market).toBeCloseTo((boldScore - 1) ** 2, 6)
  })

  it('who may read it: anyone (agents are public); unknown and malformed ids are problems', async () => {
    expect((await call(t, 'GET', `/v1/agents/${agentId}/track-record`, stranger)).status).toBe(200)
    const unknown = await call<{ code: string }>(
      t,
      'GET',
      '/v1/agents/00000000-0000-4000-8000-000000000000/track-record',
    )
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe(ErrorCode.NotFound)
    const bad = await call<{ code: string }>(t, 'GET', '/v1/agents/not-a-uuid/track-record')
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe(ErrorCode.ValidationFailed)
    expect((await call(t, 'GET', `/v1/agents/${agentId}/track-record?recent=0`)).status).toBe(400)
    // A decision of another agent is not this agent's.
    const otherAgent = (await createAgent()).id
    const foreign = await call(t, 'GET', `/v1/agents/${otherAgent}/decisions/${marketOf[0]}/record`)
    expect(foreign.status).toBe(404)
    expect((await call(t, 'GET', `/v1/agents/${agentId}/decisions/not-a-uuid/record`)).status).toBe(400)
    // A deleted agent's record is gone with it, as the agent is.
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/agents/${otherAgent}`,
      headers: owner.headers,
    })
    expect(deleted.statusCode).toBe(204)
    expect((await call(t, 'GET', `/v1/agents/${otherAgent}/track-record`)).status).toBe(404)
  })

  it('an undecided decision shows no prior and no record to others: it would anchor the traders', async () => {
    const pending = await open(agentId, { action: 'B', confidence: 0.55 })
    const asStranger = await call<{ prior: unknown; record: unknown }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions/${pending.marketId}/record`,
      stranger,
    )
    expect(asStranger.status).toBe(200)
    expect(asStranger.body.prior).toBeNull()
    expect(asStranger.body.record).toBeNull()
    const asOwner = await call<{ prior: { confidence: number } }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions/${pending.marketId}/record`,
      owner,
    )
    expect(asOwner.body.prior.confidence).toBe(0.55)
  })

  it('the LLM is told its record before its next decision: how often it was overruled, and who was right', async () => {
    const before = llm.requests.length
    await open(agentId, { action: 'A', confidence: 0.5 })
    const sent = llm.requests.slice(before)
    expect(sent).toHaveLength(1)
    const system = sent[0]?.body.messages.find((m) => m.role === 'system')?.content ?? ''
    expect(system).toContain('the market has taken 5 of your decisions')
    expect(system).toContain('It overrode your own choice in 2 of the 5 decisions where you gave one (40%)')
    const paired = meanOf([0.25, 0.25, (boldScore - 1) ** 2])
    expect(system).toContain(
      `On the 3 resolved decisions where you both forecast the action taken, your Brier score was 0.4867 and the market's ${paired.toFixed(4)}`,
    )
    expect(system).toMatch(
      paired < 0.486667 ? /the market forecast better than you/ : /you forecast better than the market/,
    )
    expect(system).toMatch(/confidence your probability \(0 to 1\) that the objective is met/)
  })

  it('an agent with no decided decision gets no record in its prompt', async () => {
    const fresh = (await createAgent()).id
    const before = llm.requests.length
    await open(fresh, { action: 'A', confidence: 0.5 })
    const system = llm.requests[before]?.body.messages.find((m) => m.role === 'system')?.content ?? ''
    expect(system).not.toContain('track record')
  })
})

describe('a prior that forecasts every action', () => {
  it('is scored on the action taken when the market overrides it', async () => {
    const agentId = (await createAgent()).id
    const before = llm.requests.length
    // The agent prefers B (0.8) and gives A 0.4; nobody trades, so the market takes the default A.
    const d = await open(agentId, {
      action: 'B',
      confidence: 0.8,
      forecasts: [
        { action: 'A', probability: 0.4 },
        { action: 'b', probability: 0.8 },
      ],
    })
    const schema = llm.requests[before]?.body.response_format?.json_schema?.schema as {
      properties: { forecasts: { items: { properties: { action: { enum: string[] } } } } }
    }
    expect(schema.properties.forecasts.items.properties.action.enum).toEqual(['A', 'B'])
    expect((await decideAt(d.marketId, d.decideAt)).chosen).toBe(0)
    await report(agentId, d.marketId, 'NO')
    const one = await call<{ prior: { forecasts: number[] }; overrode_prior: boolean; record: unknown }>(
      t,
      'GET',
      `/v1/agents/${agentId}/decisions/${d.marketId}/record`,
    )
    expect(one.body.overrode_prior).toBe(true)
    expect(one.body.prior.forecasts).toEqual([0.4, 0.8])
    // Against NO (0): the agent's 0.4 scores 0.16, the market's 0.5 scores 0.25.
    expect(one.body.record).toEqual({
      prior_forecast: 0.4,
      market_forecast: 0.5,
      outcome: 0,
      brier_prior: 0.16,
      brier_market: 0.25,
    })
    const r = (await call<TrackRecordBody>(t, 'GET', `/v1/agents/${agentId}/track-record`)).body
    expect([r.overridden, r.override_rate]).toEqual([1, 1])
    expect(r.brier.paired).toEqual({ count: 1, prior: 0.16, market: 0.25 })
  })
})

describe('the decision webhook', () => {
  it("carries the market's evidence (scores, traders, volume) and the prior with the choice", async () => {
    const agent = await createAgent({ type: 'webhook', url: 'http://127.0.0.1:9/hook' })
    const receiver = await startWebhookReceiver(agent.webhook_secret as string)
    try {
      await t.ctx.db.pool.query('update public.agents set webhook_url = $1 where id = $2', [
        receiver.url,
        agent.id,
      ])
      const d = await open(agent.id, { action: 'A', confidence: 0.7 })
      clock.advance(MINUTE)
      await buy(d.marketId, 1, '3')
      await buy(d.marketId, 1, '2')
      await buy(d.marketId, 0, '1.5')
      const decided = await decideAt(d.marketId, d.decideAt)
      const { rows } = await t.ctx.db.pool.query(
        'select id from public.webhook_deliveries where market_id = $1',
        [d.marketId],
      )
      expect(await attemptDelivery(t.ctx, rows[0].id)).toBe('delivered')
      const body = receiver.accepted[0]?.body as DecisionWebhookPayload
      registerFormats()
      expect([...Value.Errors(DecisionWebhookPayload, body)].map((e) => `${e.path}: ${e.message}`)).toEqual(
        [],
      )
      expect(body.action.branch).toBe(decided.chosen)
      // The branches' own counters (what was traded net of fees), in credits.
      const volumes = await t.ctx.db.pool.query<{ index: number; volume: string }>(
        'select index, volume::text from public.market_branches where market_id = $1 order by index',
        [d.marketId],
      )
      const [a, b] = volumes.rows.map((row) => BigInt(row.volume)) as [bigint, bigint]
      expect(a).toBeGreaterThan(1_400_000n)
      expect(b).toBeGreaterThan(4_800_000n)
      expect(body.evidence).toMatchObject({
        distinct_traders: 1,
        total_volume: formatAmount(a + b),
        threshold_bps: 200,
      })
      expect(body.evidence?.branches.map((x) => [x.branch, x.label, x.traders, x.volume])).toEqual([
        [0, 'A', 1, formatAmount(a)],
        [1, 'B', 1, formatAmount(b)],
      ])
      expect(body.evidence?.branches[decided.chosen as number]?.score).toBe(decided.score)
      expect(body.evidence?.margin).toBeCloseTo(
        (body.evidence?.branches[1]?.score ?? 0) - (body.evidence?.branches[0]?.score ?? 0),
        12,
      )
      expect(body.prior).toEqual({ branch: 0, label: 'A', confidence: 0.7 })
      expect(body.overrode_prior).toBe(decided.chosen !== 0)
      // The fields of the first release are all still there.
      expect(body.scores.map((s) => s.branch)).toEqual([0, 1])
      expect(body.default_action).toEqual({ branch: 0, label: 'A' })
    } finally {
      await receiver.close()
    }
  })
})
