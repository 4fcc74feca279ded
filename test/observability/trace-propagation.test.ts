/**
 * A caller's trace continues into the calls the service makes for it, across the job queue:
 * the LLM asked by the prepare job and the webhook sent by the delivery job carry a
 * `traceparent` with the caller's trace id and a parent span id of their own, and the caller's
 * `tracestate` unchanged. Real worker, real local LLM server and webhook receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTraceparent } from '../../src/infra/trace-context.js'
import { jobDefinitions } from '../../src/jobs/index.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const SECRET = 'whsec_trace_0123456789abcdef'
let t: TestApp
let llm: FakeLlmServer
let receiver: WebhookReceiver
let operator: TestUser

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  t = await createTestApp({ env: { QUEUE_POLL_INTERVAL_SECONDS: '1' } })
  await t.ctx.queue.work(jobDefinitions(t.ctx))
  llm = await startFakeLlm(() => ({ kind: 'json', value: { action: 'A', confidence: 0.7, rationale: 'r' } }))
  receiver = await startWebhookReceiver(SECRET)
  operator = await createTestUser(t)
})

afterAll(async () => {
  await receiver?.close()
  await llm?.close()
  await t?.close()
})

function hex(length: number, digit: string) {
  return digit.repeat(length)
}

describe('trace context', () => {
  it('reaches the LLM call and the webhook delivery made later by the worker', async () => {
    const agent = await t.app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: operator.headers,
      payload: {
        name: 'Traced agent',
        objective: { kind: 'binary', measurement: 'm' },
        action_source: 'fixed',
        actions: [
          { label: 'A', description: 'one' },
          { label: 'B', description: 'two' },
        ],
        llm: { base_url: llm.baseUrl, model: 'm' },
        default_action: 'A',
        decision_rule: { allow_early_decision: true, min_traders: 0, min_volume: '0' },
        liquidity_per_decision: '10',
        delivery: { type: 'webhook', url: receiver.url, secret: SECRET },
      },
    })
    expect(agent.statusCode, agent.body).toBe(201)

    // 1. Opening a decision: the LLM is asked by the prepare job, in the caller's trace.
    const openTrace = hex(32, 'a')
    const openSpan = hex(16, 'b')
    const opened = await t.app.inject({
      method: 'POST',
      url: `/v1/agents/${agent.json().id}/decisions`,
      headers: {
        ...operator.headers,
        traceparent: `00-${openTrace}-${openSpan}-01`,
        tracestate: 'vendor=opaque-1',
      },
      payload: {
        question: 'A or B?',
        decide_at: new Date(Date.now() + 3_600_000).toISOString(),
        close_at: new Date(Date.now() + 7_200_000).toISOString(),
      },
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const marketId = opened.json().market.id as string
    const asked = await until('the LLM call', () => llm.requests[0])
    const llmContext = parseTraceparent(asked.traceparent)
    expect(llmContext?.traceId).toBe(openTrace)
    expect(llmContext?.spanId).not.toBe(openSpan)
    expect(llmContext?.flags).toBe('01')
    expect(asked.tracestate).toBe('vendor=opaque-1')
    await until('the market to open', async () => {
      const market = await t.app.inject({ method: 'GET', url: `/v1/markets/${marketId}` })
      return market.json().status === 'open' ? true : undefined
    })

    // 2. Deciding: the webhook is delivered by the delivery job, in the deciding request's trace.
    const decideTrace = hex(32, 'c')
    const decideSpan = hex(16, 'd')
    const decided = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${marketId}/decide`,
      headers: { ...operator.headers, traceparent: `00-${decideTrace}-${decideSpan}-01`, tracestate: 'v=2' },
    })
    expect(decided.statusCode, decided.body).toBe(200)
    const delivery = await until('the webhook', () => receiver.attempts[0])
    expect(delivery.signatureOk).toBe(true)
    const hookContext = parseTraceparent(delivery.traceparent)
    expect(hookContext?.traceId).toBe(decideTrace)
    expect(hookContext?.spanId).not.toBe(decideSpan)
    expect(hookContext?.spanId).not.toBe(llmContext?.spanId)
    expect(delivery.tracestate).toBe('v=2')
  })

  it('a malformed traceparent starts a new trace rather than being passed on', async () => {
    const bad = `00-${'0'.repeat(32)}-${hex(16, 'e')}-01`
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: { ...operator.headers, traceparent: bad },
      payload: {
        name: 'Another traced agent',
        objective: { kind: 'binary', measurement: 'm' },
        action_source: 'fixed',
        actions: [
          { label: 'A', description: 'one' },
          { label: 'B', description: 'two' },
        ],
        llm: { base_url: llm.baseUrl, model: 'm' },
        default_action: 'A',
        liquidity_per_decision: '10',
        delivery: { type: 'polling' },
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    const before = llm.requests.length
    const opened = await t.app.inject({
      method: 'POST',
      url: `/v1/agents/${res.json().id}/decisions`,
      headers: { ...operator.headers, traceparent: bad, tracestate: 'dropped=1' },
      payload: {
        question: 'A or B, again?',
        decide_at: new Date(Date.now() + 3_600_000).toISOString(),
        close_at: new Date(Date.now() + 7_200_000).toISOString(),
      },
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const asked = await until('the LLM call', () => llm.requests[before])
    const context = parseTraceparent(asked.traceparent)
    expect(context).toBeDefined()
    expect(context?.traceId).not.toBe('0'.repeat(32))
    expect(asked.tracestate).toBeUndefined()
  })
})
