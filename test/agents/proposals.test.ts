/**
 * Agents whose actions come from users' proposals: the decision waits in a proposing phase,
 * users propose, the operator admits or rejects, then opens; only then does anything trade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatAmount, MICRO, parseAmount } from '../../src/domain/money.js'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { settleMarket } from '../../src/services/markets/settlement.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/clock.js'
import { call as callAs } from '../helpers/http.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const clock = new TestClock(new Date('2031-03-01T00:00:00Z'))
let t: TestApp
let operator: TestUser
let alice: TestUser
let bob: TestUser
let llm: FakeLlmServer

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_ACCESS_TOKEN_TTL_S: '86400' } })
  operator = await createTestUser(t)
  alice = await createTestUser(t)
  bob = await createTestUser(t)
  llm = await startFakeLlm(() => ({
    kind: 'json',
    value: { action: 'Plan X', confidence: 0.7, rationale: 'X looks cheapest' },
  }))
})
afterAll(async () => {
  await llm?.close()
  await t?.close()
})

// biome-ignore lint/suspicious/noExplicitAny: the test reads loosely typed JSON bodies
const call = <T = Record<string, any>>(method: string, url: string, user?: TestUser, payload?: unknown) =>
  callAs<T>(t, method, url, user, payload)

const cashOf = async (user: TestUser) => (await call('GET', '/v1/me/portfolio', user)).body.cash as string

describe('decisions from proposals', () => {
  it('proposing, reviewing, opening, trading, deciding', async () => {
    const agent = await call('POST', '/v1/agents', operator, {
      name: 'Community agent',
      objective: { kind: 'binary', measurement: 'The plan ships on time' },
      action_source: 'proposals',
      llm: { base_url: llm.baseUrl, model: 'm' },
      default_action: 'Status quo',
      decision_rule: { min_traders: 1, min_volume: '1', twap_interval_seconds: 60 },
      liquidity_per_decision: '20',
      delivery: { type: 'polling' },
    })
    expect(agent.status).toBe(201)
    const cashBefore = await cashOf(operator)
    const opened = await call('POST', `/v1/agents/${agent.body.id}/decisions`, operator, {
      question: 'Which plan should we run?',
      decide_at: '2031-03-01T02:00:00Z',
      close_at: '2031-03-01T04:00:00Z',
    })
    expect(opened.status).toBe(201)
    const market = opened.body.market
    expect(market.status).toBe('proposing')
    expect(market.branches.map((b: { label: string; status: string }) => [b.label, b.status])).toEqual([
      ['Status quo', 'closed'],
    ])
    expect(opened.body.prior).toBeNull()
    expect(llm.requests).toHaveLength(0) // the prior waits for the final actions

    const early = await call('POST', `/v1/markets/${market.id}/trades`, alice, {
      branch: 0,
      outcome: 'YES',
      side: 'buy',
      amount: '5',
    })
    expect(early.status).toBe(409)

    const x = await call('POST', `/v1/markets/${market.id}/proposals`, alice, {
      label: 'Plan X',
      description: 'cheap',
    })
    expect(x.status).toBe(201)
    const y = await call('POST', `/v1/markets/${market.id}/proposals`, bob, { label: 'Plan Y' })
    expect(y.status).toBe(201)
    expect((await call('POST', `/v1/markets/${market.id}/proposals`, bob, { label: 'plan x' })).status).toBe(
      409,
    )
    expect(
      (await call('POST', `/v1/markets/${market.id}/proposals`, bob, { label: 'status quo' })).status,
    ).toBe(409)
    expect(
      (await call('POST', `/v1/markets/${market.id}/proposals`, undefined, { label: 'Plan Z' })).status,
    ).toBe(401)

    const review = (id: string, status: string, user: TestUser) =>
      call('POST', `/v1/markets/${market.id}/proposals/${id}/review`, user, { status })
    expect((await review(x.body.id, 'admitted', alice)).status).toBe(403)
    expect((await review(x.body.id, 'admitted', operator)).body.status).toBe('admitted')
    expect((await review(y.body.id, 'rejected', operator)).body.status).toBe('rejected')
    expect((await review(y.body.id, 'admitted', operator)).status).toBe(409)

    const listed = await call('GET', `/v1/markets/${market.id}/proposals`)
    const byLabel = [...listed.body.items].sort((a, b) => a.label.localeCompare(b.label))
    expect(byLabel.map((p: { label: string; status: string }) => [p.label, p.status])).toEqual([
      ['Plan X', 'admitted'],
      ['Plan Y', 'rejected'],
    ])

    expect((await call('POST', `/v1/markets/${market.id}/open`, alice)).status).toBe(403)
    const open = await call('POST', `/v1/markets/${market.id}/open`, operator)
    expect(open.status).toBe(200)
    expect(open.body.status).toBe('open')
    expect(open.body.branches.map((b: { label: string; status: string }) => [b.label, b.status])).toEqual([
      ['Status quo', 'open'],
      ['Plan X', 'open'],
    ])
    expect(llm.requests).toHaveLength(1)
    expect(await cashOf(operator)).toBe(formatAmount(parseAmount(cashBefore) - 40n * MICRO))
    expect((await call('POST', `/v1/markets/${market.id}/open`, operator)).status).toBe(409)
    expect((await call('POST', `/v1/markets/${market.id}/proposals`, bob, { label: 'Late' })).body.code).toBe(
      'proposals_closed',
    )

    clock.current = new Date('2031-03-01T00:10:00Z')
    const trade = await call('POST', `/v1/markets/${market.id}/trades`, alice, {
      branch: 1,
      outcome: 'YES',
      side: 'buy',
      amount: '15',
    })
    expect(trade.status, JSON.stringify(trade.body)).toBe(201)
    clock.current = new Date('2031-03-01T02:00:00Z')
    const record = await decideMarket(t.ctx, market.id, { kind: 'deadline' })
    expect(record).toMatchObject({ chosen_branch: 1, reason: 'best_beats_default' })

    const decisions = await call('GET', `/v1/agents/${agent.body.id}/decisions`)
    expect(decisions.body.items[0]).toMatchObject({
      prior: { action: 'Plan X', confidence: 0.7 },
      decision: { chosen: { label: 'Plan X' } },
      overrode_prior: false,
    })
  })

  it('a decision never opened is voided at decide_at and the operator gets the escrow back', async () => {
    clock.current = new Date('2031-03-01T05:00:00Z')
    const agent = await call('POST', '/v1/agents', operator, {
      name: 'Forgotten agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'proposals',
      default_action: 'Status quo',
      liquidity_per_decision: '20',
      delivery: { type: 'polling' },
    })
    const before = await cashOf(operator)
    const opened = await call('POST', `/v1/agents/${agent.body.id}/decisions`, operator, {
      question: 'Which plan, if any?',
      decide_at: '2031-03-01T06:00:00Z',
      close_at: '2031-03-01T07:00:00Z',
    })
    const marketId = opened.body.market.id
    expect(await cashOf(operator)).toBe(formatAmount(parseAmount(before) - 20n * MICRO))
    clock.current = new Date('2031-03-01T06:00:00Z')
    expect(await decideMarket(t.ctx, marketId, { kind: 'deadline' })).toBeNull()
    expect((await call('GET', `/v1/markets/${marketId}`)).body.status).toBe('voided')
    await settleMarket(t.ctx, marketId)
    expect(await cashOf(operator)).toBe(before)
    expect((await call('POST', `/v1/markets/${marketId}/open`, operator)).status).toBe(409)
  })

  it('opening with no admitted proposal is refused (422), nothing escrowed, the market still proposing', async () => {
    clock.current = new Date('2031-03-01T08:00:00Z')
    const agent = await call('POST', '/v1/agents', operator, {
      name: 'Impatient agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'proposals',
      // Configured actions make two branches already: the count check alone let it through.
      actions: [{ label: 'Plan A', description: '' }],
      llm: { base_url: llm.baseUrl, model: 'm' },
      default_action: 'Status quo',
      liquidity_per_decision: '20',
      delivery: { type: 'polling' },
    })
    expect(agent.status).toBe(201)
    const opened = await call('POST', `/v1/agents/${agent.body.id}/decisions`, operator, {
      question: 'Status quo or plan A, or a proposal?',
      decide_at: '2031-03-01T09:00:00Z',
      close_at: '2031-03-01T10:00:00Z',
    })
    expect(opened.status).toBe(201)
    const marketId = opened.body.market.id
    const rejected = await call('POST', `/v1/markets/${marketId}/proposals`, alice, { label: 'Plan R' })
    await call('POST', `/v1/markets/${marketId}/proposals/${rejected.body.id}/review`, operator, {
      status: 'rejected',
    })
    const before = await cashOf(operator)
    const asked = llm.requests.length
    const open = await call('POST', `/v1/markets/${marketId}/open`, operator)
    expect(open.status, JSON.stringify(open.body)).toBe(422)
    expect(open.body.code).toBe('invalid_market_state')
    expect(open.body.detail).toMatch(/admit at least one proposal/i)
    expect(llm.requests.length).toBe(asked)
    expect(await cashOf(operator)).toBe(before)
    expect((await call('GET', `/v1/markets/${marketId}`)).body.status).toBe('proposing')
  })
})
