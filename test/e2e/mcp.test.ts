/**
 * The MCP server with the SDK's own client: over streamable HTTP against the app on a real
 * socket, and over stdio by spawning the built CLI (`dist/start/cli.js mcp`) against the same
 * running server. The tools act with the caller's API key through the API's own routes, so a
 * read-only key cannot trade and the API's error codes reach the model as tool errors.
 */
import { spawnSync } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { CLI } from '../helpers/cli.js'
import { openBinaryMarket } from '../helpers/markets.js'
import { freePort } from '../helpers/net.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

const TOOLS = [
  'list_markets',
  'get_market',
  'quote_trade',
  'place_trade',
  'get_portfolio',
  'list_my_agents',
  'open_decision',
  'get_decision',
  'list_agent_decisions',
]

let t: TestApp
let base: string
let trader: TestUser
let tradeKey: string
let readKey: string
let market: { id: string }
const clients: Client[] = []

beforeAll(async () => {
  t = await createTestApp()
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  const creator = await createTestUser(t)
  market = await openBinaryMarket(t, creator, 'Will the MCP client trade?')
  trader = await createTestUser(t)
  tradeKey = (await createTestApiKey(t, trader, ['read', 'trade'])).key
  readKey = (await createTestApiKey(t, await createTestUser(t), ['read'])).key
})

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {})
  await t?.close()
})

async function overHttp(key: string, url = base): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' })
  clients.push(client)
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  )
  return client
}

async function overStdio(key: string, url = base): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' })
  clients.push(client)
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [...CLI, 'mcp', '--url', url],
      env: { PATH: process.env.PATH ?? '', DM_API_KEY: key },
      stderr: 'pipe',
    }),
  )
  return client
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult
}

/** A successful tool call's answer (the API's JSON); fails the test with the tool's error text. */
// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field by each test
async function ok<T = Record<string, any>>(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args)
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
  expect(result.isError, text).toBeFalsy()
  expect(result.structuredContent).toEqual(JSON.parse((result.content[0] as { text: string }).text))
  return result.structuredContent as T
}

/** A tool error's first line: the API's code, its status and detail. */
async function failure(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args)
  expect(result.isError).toBe(true)
  return (result.content[0] as { text: string }).text
}

describe('MCP over streamable HTTP (/mcp)', () => {
  it('lists every tool with a description and an object input schema', async () => {
    const client = await overHttp(tradeKey)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort())
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40)
      expect(tool.inputSchema.type).toBe('object')
    }
    const trade = tools.find((tool) => tool.name === 'place_trade')
    expect(trade?.inputSchema.required).toEqual(expect.arrayContaining(['market', 'outcome', 'side']))
    expect(trade?.annotations?.readOnlyHint).toBe(false)
    expect(client.getServerVersion()?.name).toBe('decision-markets')
  })

  it('lists, quotes, trades (once per idempotency key) and shows the position in the portfolio', async () => {
    const client = await overHttp(tradeKey)
    const page = await ok(client, 'list_markets', { status: 'open' })
    expect(page.items.map((m: { id: string }) => m.id)).toContain(market.id)

    const shown = await ok(client, 'get_market', { market: market.id })
    expect(shown.branches).toHaveLength(1)
    expect(shown.branches[0].prices).toEqual([0.5, 0.5])

    const quote = await ok(client, 'quote_trade', {
      market: market.id,
      outcome: 'YES',
      side: 'buy',
      amount: '10',
    })
    expect(Number(quote.shares)).toBeGreaterThan(0)

    const args = { market: market.id, outcome: 'YES', side: 'buy', amount: '10', max_cost: '10' }
    const placed = await ok(client, 'place_trade', args)
    expect(placed.idempotency_key).toMatch(/^[0-9a-f-]{36}$/)
    expect(placed.replayed).toBe(false)
    expect(placed.trade.shares).toBe(quote.shares)

    // A retry with the key the first answer carried is the same trade, not a second one.
    const again = await ok(client, 'place_trade', { ...args, idempotency_key: placed.idempotency_key })
    expect(again.replayed).toBe(true)
    expect(again.trade.id).toBe(placed.trade.id)

    const { portfolio, positions } = await ok(client, 'get_portfolio', {})
    expect(portfolio.open_positions).toBe(1)
    expect(positions.items).toHaveLength(1)
    expect(positions.items[0].market.id).toBe(market.id)
    expect(positions.items[0].shares).toBe(placed.trade.shares)

    const trades = await t.app.inject({ method: 'GET', url: '/v1/me/trades', headers: trader.headers })
    expect(trades.json().items).toHaveLength(1)
  })

  it("refuses a trade to a read-only key with the API's forbidden, and trades nothing", async () => {
    const client = await overHttp(readKey)
    const text = await failure(client, 'place_trade', {
      market: market.id,
      outcome: 'YES',
      side: 'buy',
      amount: '1',
    })
    expect(text).toMatch(/^forbidden \(HTTP 403\): .*'trade' scope/)
    // The key may still read: its portfolio holds nothing.
    const { positions } = await ok(client, 'get_portfolio', {})
    expect(positions.items).toEqual([])
  })

  it("answers bad input with a tool error carrying the API's code", async () => {
    const client = await overHttp(tradeKey)
    // The API judges what the tool schema lets through, in its own words.
    // 5000 credits: within the largest trade, beyond the 1000 a new user is granted.
    const body = { outcome: 'YES', side: 'buy', amount: '5000' }
    const rest = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/quote`,
      headers: { authorization: `Bearer ${tradeKey}` },
      payload: body,
    })
    expect(rest.statusCode).toBe(422)
    expect(rest.json().code).toBe('insufficient_funds')
    expect(await failure(client, 'quote_trade', { market: market.id, ...body })).toBe(
      `insufficient_funds (HTTP 422): ${rest.json().detail}`,
    )

    const malformed = await failure(client, 'quote_trade', {
      market: market.id,
      outcome: 'YES',
      side: 'buy',
      amount: '1.2.3',
    })
    expect(malformed).toMatch(/^invalid_amount \(HTTP 400\): amount "1.2.3"/)
    expect(await failure(client, 'get_market', { market: 'no-such-market' })).toMatch(
      /^not_found \(HTTP 404\)/,
    )
    // What no request can be built from is refused before any call, in the API's terms.
    expect(await failure(client, 'place_trade', { outcome: 'YES', side: 'buy', amount: '1' })).toMatch(
      /^validation_failed: .*market/,
    )
  })

  it("opens a decision for the caller's agent and reads its record", async () => {
    const operator = await createTestUser(t)
    const agentsKey = (await createTestApiKey(t, operator, ['read', 'agents'])).key
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: operator.headers,
      payload: {
        name: 'Pricing agent',
        objective: { kind: 'binary', measurement: 'Signups beat last month' },
        action_source: 'fixed',
        actions: [{ label: 'Ship the new page' }, { label: 'Keep the old page' }],
        default_action: 'Keep the old page',
        liquidity_per_decision: '10',
        delivery: { type: 'polling' },
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    const agentId = created.json().id as string
    const client = await overHttp(agentsKey)
    const mine = await ok(client, 'list_my_agents', {})
    expect(mine.items.map((a: { id: string }) => a.id)).toEqual([agentId])

    const decision = {
      agent: agentId,
      question: 'Which pricing page should we ship?',
      decide_at: new Date(Date.now() + 3_600_000).toISOString(),
      close_at: new Date(Date.now() + 7_200_000).toISOString(),
    }
    // Opening one spends the operator's cash: a key without the agents scope may not.
    expect(await failure(await overHttp(tradeKey), 'open_decision', decision)).toMatch(
      /^forbidden \(HTTP 403\)/,
    )
    const opened = await ok(client, 'open_decision', decision)
    expect(opened.market.branches.map((b: { label: string }) => b.label)).toEqual([
      'Ship the new page',
      'Keep the old page',
    ])

    const record = await ok(client, 'get_decision', { market: opened.market.id })
    expect(record.market.id).toBe(opened.market.id)
    expect(record.decision.agent_id).toBe(agentId)
    expect(record.decision.scores).toHaveLength(2)
    expect(record.decision.result).toBeNull()
    const history = await ok(client, 'list_agent_decisions', { agent: agentId })
    expect(history.items.map((d: { market: { id: string } }) => d.market.id)).toEqual([opened.market.id])
    // A plain market has no decision to read.
    expect(await failure(client, 'get_decision', { market: market.id })).toMatch(/^not_a_decision_market/)
  })

  it('refuses a missing or invalid credential with 401 before any MCP message', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    }
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    for (const authorization of [undefined, 'Bearer not-a-key']) {
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { ...headers, ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(initialize),
      })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(res.headers.get('content-type')).toMatch(/problem\+json/)
    }
    await expect(overHttp('not-a-key')).rejects.toThrow(/401/)
    // Without sessions there is no stream to open nor session to end.
    const get = await fetch(`${base}/mcp`, {
      headers: { authorization: `Bearer ${tradeKey}`, accept: 'text/event-stream' },
    })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })

  it('does not hold up a stop: a connected client leaves the app free to close at once', async () => {
    const other = await createTestApp({ database: t.database })
    try {
      await other.app.listen({ host: '127.0.0.1', port: 0 })
      const client = await overHttp(
        tradeKey,
        `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`,
      )
      await ok(client, 'get_market', { market: market.id })
      // A bound on a hang, not a speed: an open MCP stream would hold the close up for good.
      const closed = other.app.close().then(() => 'closed' as const)
      const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 20_000).unref())
      expect(await Promise.race([closed, stuck])).toBe('closed')
    } finally {
      await other.close()
    }
  }, 40_000)
})

describe('MCP over stdio (decision-markets mcp --url)', () => {
  it('lists the tools, trades with the key in DM_API_KEY and shows the position', async () => {
    const client = await overStdio(tradeKey)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort())
    const placed = await ok(client, 'place_trade', {
      market: market.id,
      outcome: 'NO',
      side: 'buy',
      shares: '2',
    })
    expect(placed.trade.shares).toBe('2')
    const { positions } = await ok(client, 'get_portfolio', {})
    const no = positions.items.find((p: { outcome: { label: string } }) => p.outcome.label === 'NO')
    expect(no?.shares).toBe('2')
  })

  it('refuses a trade to a read-only key, as over HTTP', async () => {
    const client = await overStdio(readKey)
    expect(
      await failure(client, 'place_trade', { market: market.id, outcome: 'YES', side: 'buy', amount: '1' }),
    ).toMatch(/^forbidden \(HTTP 403\)/)
  })

  it('answers a tool error, and keeps serving, when the API cannot be reached', async () => {
    const client = await overStdio(tradeKey, `http://127.0.0.1:${await freePort()}`)
    expect(await failure(client, 'list_markets', {})).toMatch(/^internal_error: the call to the API failed/)
    expect((await client.listTools()).tools).toHaveLength(TOOLS.length)
  })

  it('says the key is missing and exits 1 without DM_API_KEY', () => {
    const run = spawnSync(process.execPath, [...CLI, 'mcp', '--url', base], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/DM_API_KEY is not set/)
  })
})
