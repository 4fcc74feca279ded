/**
 * What an agent's LLM answers is kept small and never quoted back when it fails: through the
 * API, with the fake provider on loopback (allowed by the test configuration), and refused
 * when the allow-list does not name loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_RATIONALE_CHARS } from '../../src/services/decisions/agent-decisions.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { runPrepareJob } from '../helpers/decisions.js'
import { call } from '../helpers/http.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let owner: TestUser
let llm: FakeLlmServer

beforeAll(async () => {
  t = await createTestApp()
  owner = await createTestUser(t)
  llm = await startFakeLlm(() => ({ kind: 'json', value: { action: 'B', confidence: 0.5, rationale: 'r' } }))
})
afterAll(async () => {
  await llm?.close()
  await t?.close()
})

function agentBody(baseUrl: string) {
  return {
    name: 'Talkative agent',
    objective: { kind: 'binary', measurement: 'm' },
    action_source: 'fixed',
    actions: [
      { label: 'A', description: '' },
      { label: 'B', description: '' },
    ],
    llm: { base_url: baseUrl, model: 'm' },
    default_action: 'A',
    liquidity_per_decision: '10',
    delivery: { type: 'polling' },
  }
}

interface DecisionItem {
  market: { id: string }
  prior: { rationale: string } | null
  prior_error: string | null
}

/** Opens a decision, runs the job that asks the LLM, and reads the decision as the API shows it. */
async function openDecision(app: TestApp, user: TestUser, agentId: string) {
  const now = Date.now()
  const opened = await call<{ market: { id: string } }>(
    app,
    'POST',
    `/v1/agents/${agentId}/decisions`,
    user,
    {
      question: 'A or B?',
      decide_at: new Date(now + 600_000).toISOString(),
      close_at: new Date(now + 1_200_000).toISOString(),
    },
  )
  expect(opened.status).toBe(201)
  await runPrepareJob(app.ctx, opened.body.market.id)
  const list = await call<{ items: DecisionItem[] }>(app, 'GET', `/v1/agents/${agentId}/decisions`, user)
  const item = list.body.items.find((i) => i.market.id === opened.body.market.id)
  expect(item).toBeDefined()
  return { status: opened.status, body: item as DecisionItem }
}

describe("an agent's LLM answers", () => {
  it(`a long rationale is kept to ${MAX_RATIONALE_CHARS} characters`, async () => {
    llm.reply = () => ({
      kind: 'json',
      value: { action: 'B', confidence: 0.5, rationale: 'because '.repeat(5000) },
    })
    const agent = await call<{ id: string }>(t, 'POST', '/v1/agents', owner, agentBody(llm.baseUrl))
    const opened = await openDecision(t, owner, agent.body.id)
    expect(opened.status).toBe(201)
    expect(opened.body.prior?.rationale).toHaveLength(MAX_RATIONALE_CHARS)
    const { rows } = await t.ctx.db.pool.query(
      'select char_length(prior_rationale) as n from public.agent_decisions where agent_id = $1',
      [agent.body.id],
    )
    expect(rows[0].n).toBe(MAX_RATIONALE_CHARS)
  })

  it('a 2 MB answer is not read, and a failed answer is not quoted in prior_error', async () => {
    const agent = await call<{ id: string }>(t, 'POST', '/v1/agents', owner, agentBody(llm.baseUrl))
    llm.reply = () => ({
      kind: 'json',
      value: { action: 'B', confidence: 0.5, rationale: 'x'.repeat(2 * 1024 * 1024) },
    })
    const big = await openDecision(t, owner, agent.body.id)
    expect(big.status).toBe(201)
    expect(big.body.prior).toBeNull()
    expect(big.body.prior_error).toMatch(/^llm_malformed_output: .*larger than 65536 bytes/)

    llm.reply = () => ({ kind: 'status', status: 502, body: '{"internal":"db-password=hunter2"}' })
    const failed = await openDecision(t, owner, agent.body.id)
    expect(failed.body.prior_error).toBe('llm_http_error: The LLM endpoint answered 502')
  })

  it('without the allow-list, a loopback LLM is refused at creation', async () => {
    const strict = await createTestApp({ env: { OUTBOUND_ALLOW_HOSTS: '' } })
    try {
      const user = await createTestUser(strict)
      const res = await call<{ errors: Array<{ field: string }> }>(
        strict,
        'POST',
        '/v1/agents',
        user,
        agentBody(llm.baseUrl),
      )
      expect(res.status).toBe(400)
      expect(res.body.errors.map((e) => e.field)).toEqual(['/body/llm/base_url'])
    } finally {
      await strict.close()
    }
  })
})
