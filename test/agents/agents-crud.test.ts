import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULE } from '../../src/domain/agents/settings.js'
import { openSecrets } from '../../src/services/agents/agents.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let operator: TestUser
let other: TestUser

const agentBody = {
  name: 'Pricing agent',
  description: 'Chooses next month’s price',
  objective: { kind: 'binary', measurement: 'Revenue next month above 1.2M' },
  action_source: 'fixed',
  actions: [
    { label: 'Keep price', description: 'Leave it at 10' },
    { label: 'Raise 10%', description: 'Move to 11' },
    { label: 'Cut 10%', description: 'Move to 9' },
  ],
  llm: { base_url: 'http://127.0.0.1:9/v1', model: 'gpt-test', api_key: 'sk-very-secret-provider-key' },
  default_action: 'Keep price',
  decision_rule: { threshold_bps: 300 },
  liquidity_per_decision: '50',
  delivery: { type: 'webhook', url: 'https://ops.example/hooks' },
}

beforeAll(async () => {
  // Each reading of the clock is a second later: agents are created at distinct times, so the
  // newest-first order of the list does not depend on how fast the machine is.
  let tick = Date.now()
  const now = () => {
    tick += 1000
    return new Date(tick)
  }
  t = await createTestApp({ clock: { now } })
  operator = await createTestUser(t)
  other = await createTestUser(t)
})
afterAll(() => t.close())

async function create(body: Record<string, unknown> = agentBody, headers = operator.headers) {
  return t.app.inject({ method: 'POST', url: '/v1/agents', headers, payload: body })
}

describe('agents', () => {
  it('creates an agent, returns the generated webhook secret once, and never the provider key', async () => {
    const res = await create()
    expect(res.statusCode).toBe(201)
    const agent = res.json()
    expect(agent).toMatchObject({
      name: 'Pricing agent',
      action_source: 'fixed',
      default_action: 'Keep price',
      liquidity_per_decision: '50',
      llm: { base_url: 'http://127.0.0.1:9/v1', model: 'gpt-test', has_api_key: true },
      delivery: { type: 'webhook', url: 'https://ops.example/hooks', has_secret: true },
    })
    expect(agent.decision_rule).toMatchObject({
      threshold_bps: 300,
      twap_interval_seconds: 60,
      min_traders: DEFAULT_RULE.min_traders,
    })
    expect(agent.webhook_secret).toMatch(/^whsec_/)
    expect(res.body).not.toContain('sk-very-secret-provider-key')

    const fetched = await t.app.inject({ method: 'GET', url: `/v1/agents/${agent.id}` })
    expect(fetched.statusCode).toBe(200)
    expect(fetched.json().webhook_secret).toBeUndefined()
    expect(fetched.body).not.toContain('sk-very-secret')

    // Sealed at rest: the stored value is not the key; the service can open it.
    const client = new pg.Client({ connectionString: t.database.url })
    await client.connect()
    try {
      const { rows } = await client.query(
        'select llm_api_key, webhook_secret from public.agent_secrets where agent_id = $1',
        [agent.id],
      )
      expect(rows[0].llm_api_key).toMatch(/^v1\./)
      expect(rows[0].llm_api_key).not.toContain('sk-very-secret')
    } finally {
      await client.end()
    }
    const secrets = await openSecrets(t.ctx.db, t.ctx.secrets, agent.id)
    expect(secrets).toEqual({ llmApiKey: 'sk-very-secret-provider-key', webhookSecret: agent.webhook_secret })
  })

  it('lists agents, with owner=me and cursor paging', async () => {
    const mine = await create({ ...agentBody, name: 'Second' })
    expect(mine.statusCode).toBe(201)
    await create({ ...agentBody, name: 'Theirs' }, other.headers)
    const page1 = await t.app.inject({
      method: 'GET',
      url: '/v1/agents?owner=me&limit=1',
      headers: operator.headers,
    })
    expect(page1.statusCode).toBe(200)
    expect(page1.json().items.map((a: { name: string }) => a.name)).toEqual(['Second'])
    const cursor = page1.json().next_cursor
    expect(cursor).toBeTruthy()
    const page2 = await t.app.inject({
      method: 'GET',
      url: `/v1/agents?owner=me&limit=5&cursor=${cursor}`,
      headers: operator.headers,
    })
    expect(page2.json().items.map((a: { name: string }) => a.name)).toEqual(['Pricing agent'])
    expect(page2.json().next_cursor).toBeNull()
    const everyone = await t.app.inject({ method: 'GET', url: '/v1/agents' })
    expect(everyone.json().items.length).toBeGreaterThanOrEqual(3)
    expect((await t.app.inject({ method: 'GET', url: '/v1/agents?owner=me' })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/v1/agents?cursor=garbage' })).statusCode).toBe(400)
  })

  it('only the operator (or an admin) changes or retires an agent', async () => {
    const agent = (await create()).json()
    const patch = { name: 'Renamed', decision_rule: { min_traders: 5 } }
    const denied = await t.app.inject({
      method: 'PATCH',
      url: `/v1/agents/${agent.id}`,
      headers: other.headers,
      payload: patch,
    })
    expect(denied.statusCode).toBe(403)
    const ok = await t.app.inject({
      method: 'PATCH',
      url: `/v1/agents/${agent.id}`,
      headers: operator.headers,
      payload: patch,
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({
      name: 'Renamed',
      decision_rule: { min_traders: 5, threshold_bps: 300 },
    })
    expect(ok.json().webhook_secret).toBeUndefined()

    const rotated = await t.app.inject({
      method: 'PATCH',
      url: `/v1/agents/${agent.id}`,
      headers: operator.headers,
      payload: { rotate_webhook_secret: true },
    })
    expect(rotated.json().webhook_secret).toMatch(/^whsec_/)
    expect(rotated.json().webhook_secret).not.toBe(agent.webhook_secret)

    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/agents/${agent.id}`, headers: other.headers }))
        .statusCode,
    ).toBe(403)
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/agents/${agent.id}`, headers: operator.headers }))
        .statusCode,
    ).toBe(204)
    expect((await t.app.inject({ method: 'GET', url: `/v1/agents/${agent.id}` })).statusCode).toBe(404)
  })

  it('only the operator sees where the agent calls and its instructions', async () => {
    const created = await create({
      ...agentBody,
      llm: { ...agentBody.llm, instructions: 'Never mention the secret roadmap' },
      delivery: { type: 'webhook', url: 'https://ops.example/hooks?token=tok_private_123' },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect(created.json()).toMatchObject({
      llm: { base_url: 'http://127.0.0.1:9/v1', instructions: 'Never mention the secret roadmap' },
      delivery: { url: 'https://ops.example/hooks?token=tok_private_123', has_secret: true },
    })
    const readers = [{}, other.headers, (await createTestApiKey(t, other, ['read'])).headers]
    for (const headers of readers) {
      const one = await t.app.inject({ method: 'GET', url: `/v1/agents/${id}`, headers })
      const all = await t.app.inject({ method: 'GET', url: '/v1/agents?limit=100', headers })
      expect(one.statusCode).toBe(200)
      expect(one.json().llm).toEqual({ model: 'gpt-test', has_api_key: true })
      expect(one.json().delivery).toEqual({ type: 'webhook' })
      const listed = all.json().items.find((a: { id: string }) => a.id === id)
      for (const body of [one.body, JSON.stringify(listed)]) {
        expect(body).not.toContain('tok_private_123')
        expect(body).not.toContain('secret roadmap')
        expect(body).not.toContain('127.0.0.1:9')
      }
    }
    const mine = await t.app.inject({ method: 'GET', url: `/v1/agents/${id}`, headers: operator.headers })
    expect(mine.json().delivery.url).toBe('https://ops.example/hooks?token=tok_private_123')
    expect(mine.json().llm.instructions).toBe('Never mention the secret roadmap')
  })

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.7:8080/hook',
    'http://[::1]:3000/hook',
    'http://[::ffff:169.254.169.254]/hook',
    'http://localhost:3000/hook',
    'http://0.0.0.0:3000/hook',
    'http://[fd00::1]/hook',
  ])('refuses %s as a webhook or LLM URL with a 400, on create and update', async (url) => {
    const hook = await create({ ...agentBody, delivery: { type: 'webhook', url } })
    expect(hook.statusCode).toBe(400)
    expect(hook.json().errors).toEqual([expect.objectContaining({ field: '/body/delivery/url' })])
    const llm = await create({ ...agentBody, llm: { base_url: url, model: 'm' } })
    expect(llm.statusCode).toBe(400)
    expect(llm.json().errors).toEqual([expect.objectContaining({ field: '/body/llm/base_url' })])
    const agent = (await create()).json()
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/agents/${agent.id}`,
      headers: operator.headers,
      payload: { delivery: { type: 'webhook', url } },
    })
    expect(patched.statusCode).toBe(400)
  })

  it('API keys need the agents scope', async () => {
    const tradeKey = await createTestApiKey(t, operator, ['read', 'trade'])
    expect((await create(agentBody, tradeKey.headers)).statusCode).toBe(403)
    const agentsKey = await createTestApiKey(t, operator, ['agents'])
    expect((await create(agentBody, agentsKey.headers)).statusCode).toBe(201)
    expect((await create(agentBody, {} as never)).statusCode).toBe(401)
  })

  it.each([
    [{ actions: [{ label: 'Keep price' }] }, '/body/actions'],
    [{ actions: [{ label: 'A' }, { label: 'a' }] }, '/body/actions'],
    [
      { objective: { kind: 'categorical', outcomes: ['x', 'y'], utilities: [1], measurement: 'm' } },
      '/body/objective/utilities',
    ],
    [
      { objective: { kind: 'categorical', outcomes: ['x', 'y'], utilities: [1, 1], measurement: 'm' } },
      '/body/objective/utilities',
    ],
    [{ objective: { kind: 'scalar', measurement: 'm' } }, '/body/objective/scalar'],
    [{ decision_rule: { threshold_bps: 20_000 } }, '/body/decision_rule/threshold_bps'],
    [{ liquidity_per_decision: '0' }, '/body/liquidity_per_decision'],
    [{ liquidity_per_decision: '1.1234567' }, '/body/liquidity_per_decision'],
    [{ delivery: { type: 'carrier-pigeon' } }, '/body/delivery'],
    [{ action_source: 'llm', llm: undefined }, '/body/llm'],
    [{ surprise: true }, '/body/surprise'],
    [{ liquidity_per_decision: 50 }, '/body/liquidity_per_decision'],
    [{ decision_rule: { min_volume: 10 } }, '/body/decision_rule/min_volume'],
  ])('refuses %o with a 400 naming %s', async (change, field) => {
    const res = await create({ ...agentBody, ...change })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    const fields = (res.json().errors ?? []).map((e: { field: string }) => e.field)
    expect(fields.some((f: string) => f.startsWith(field))).toBe(true)
  })
})
