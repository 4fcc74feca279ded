/**
 * The MCP tools: each one is a few calls of the REST API (src/mcp/api.ts), named and described for
 * an LLM. Input schemas guide the model and catch arguments a request cannot even be built from
 * (a missing market); everything else (amount formats, state, scopes) is the API's to judge, so
 * an agent meets the same rules and error codes as any other client.
 *
 * The schemas carry no `format`: the API checks formats (with its own formats for amounts), and
 * TypeBox's checker here would refuse any format it was not told about.
 */
import { randomUUID } from 'node:crypto'
import { type Static, type TObject, Type } from '@sinclair/typebox'
import { ErrorCode } from '../errors/codes.js'
import type { ApiRequest, ApiResponse, CallApi } from './api.js'

/** An answer of the API that is a problem document (status ≥ 400). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    const body = problem as { code?: unknown; detail?: unknown; title?: unknown } | undefined
    const code = typeof body?.code === 'string' ? body.code : `http_${status}`
    const detail =
      typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : ''
    super(`${code} (HTTP ${status})${detail ? `: ${detail}` : ''}`)
    this.name = 'ApiProblem'
  }
}

/** Calls the API; an error answer becomes an ApiProblem, which the server turns into a tool error. */
export async function request(api: CallApi, req: ApiRequest): Promise<ApiResponse> {
  const res = await api(req)
  if (res.status >= 400) throw new ApiProblem(res.status, res.body)
  return res
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

const segment = (value: string) => encodeURIComponent(value)

const MarketRef = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'The market: its id (UUID) or its slug, as list_markets returns them',
})
const AgentId = Type.String({
  minLength: 1,
  description: "The agent's id (UUID), as list_my_agents returns it",
})
const Cursor = Type.String({
  maxLength: 200,
  description: 'next_cursor of the previous page, to read the next one',
})
const limit = (max: number, fallback: number) =>
  Type.Integer({
    minimum: 1,
    maximum: max,
    description: `Items per page (default ${fallback}, at most ${max})`,
  })

const credits = (description: string) =>
  Type.String({
    description: `${description}. A decimal string of credits, at most 6 decimals (e.g. "10", "2.5")`,
  })

const tradeFields = {
  market: MarketRef,
  outcome: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], {
    description: 'The outcome: its label (case-insensitive, e.g. "YES"), index (0-based) or id',
  }),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')], { description: 'buy or sell' }),
  branch: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], {
      description:
        'Decision markets only: the branch (candidate action) by index or id. Omit for plain markets',
    }),
  ),
  amount: Type.Optional(credits('Buy by amount: credits to spend, fee included')),
  shares: Type.Optional(
    Type.String({
      description: 'Shares to buy or sell, a decimal string; "all" sells everything held of the outcome',
    }),
  ),
  max_cost: Type.Optional(
    credits('Buy: the most to pay in total (cost + fee); refused if it would cost more'),
  ),
  min_shares: Type.Optional(credits('Buy by amount: the fewest shares to accept')),
  min_proceeds: Type.Optional(credits('Sell: the least to receive after the fee')),
}

const TradeInput = Type.Object(tradeFields, { additionalProperties: false })
type TradeArgs = Static<typeof TradeInput>

/** The trade's body as the API takes it: the tool's arguments without the market. */
function tradeBody({ market: _market, ...body }: TradeArgs) {
  return body
}

export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export interface Tool<S extends TObject = TObject> {
  name: string
  title: string
  description: string
  input: S
  annotations: ToolAnnotations
  /** What the tool answers (shown to the model as JSON); an API error is thrown as ApiProblem. */
  run(args: Static<S>, api: CallApi): Promise<unknown>
}

const tool = <S extends TObject>(spec: Tool<S>): Tool => spec as unknown as Tool

const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}

export const tools: Tool[] = [
  tool({
    name: 'list_markets',
    title: 'List markets',
    description:
      'Lists prediction and decision markets, newest first, one page at a time. Each market has its ' +
      'outcomes, current prices (probabilities between 0 and 1, per outcome), volume and status; ' +
      'decision markets have one branch per candidate action. Filter by status (e.g. "open" for ' +
      'tradable ones), kind, agent, or search words in the question.',
    input: Type.Object(
      {
        status: Type.Optional(
          Type.Union(
            ['preparing', 'proposing', 'open', 'closed', 'decided', 'resolved', 'finalized', 'voided'].map(
              (s) => Type.Literal(s),
            ),
            { description: 'Only markets in this state; "open" markets can be traded' },
          ),
        ),
        kind: Type.Optional(
          Type.Union(
            ['binary', 'categorical', 'scalar'].map((k) => Type.Literal(k)),
            {
              description:
                'binary (YES/NO), categorical (several outcomes) or scalar (LONG/SHORT on a range)',
            },
          ),
        ),
        q: Type.Optional(
          Type.String({ maxLength: 200, description: 'Full-text search of question and description' }),
        ),
        agent: Type.Optional(Type.String({ description: "Only this agent's decision markets (agent id)" })),
        limit: Type.Optional(limit(200, 20)),
        cursor: Type.Optional(Cursor),
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(args, api) {
      const path = `/v1/markets${query({ ...args, limit: args.limit ?? 20 })}`
      return (await request(api, { method: 'GET', path })).body
    },
  }),
  tool({
    name: 'get_market',
    title: 'Get a market',
    description:
      'One market by id or slug, with the prices of every branch and outcome, volumes and traders; for ' +
      "a decision market, each branch's decision score and, once decided, the chosen action.",
    input: Type.Object({ market: MarketRef }, { additionalProperties: false }),
    annotations: READ,
    async run({ market }, api) {
      return (await request(api, { method: 'GET', path: `/v1/markets/${segment(market)}` })).body
    },
  }),
  tool({
    name: 'quote_trade',
    title: 'Quote a trade',
    description:
      'What a trade would do now, without trading: its cost or proceeds, fee, shares, average price and ' +
      'the prices after it. Your cash and holdings apply, so a trade you could not make is refused the ' +
      'same way place_trade would refuse it. Buy by `amount` (credits to spend) or by `shares`; sell ' +
      'by `shares`.',
    input: TradeInput,
    annotations: READ,
    async run(args, api) {
      const path = `/v1/markets/${segment(args.market)}/quote`
      return (await request(api, { method: 'POST', path, body: tradeBody(args) })).body
    },
  }),
  tool({
    name: 'place_trade',
    title: 'Place a trade',
    description:
      "Buys or sells shares of an outcome at the market maker's price, spending or receiving credits. " +
      'Quote first (quote_trade) and pass a bound (max_cost, min_shares or min_proceeds) so the price ' +
      'cannot move against you unseen. Safe to retry: the answer carries the idempotency_key used ' +
      '(one is made when you give none); calling again with the same key and arguments returns the ' +
      'first trade instead of trading twice.',
    input: Type.Object(
      {
        ...tradeFields,
        idempotency_key: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 255,
            description: 'Makes a retry safe: the trade happens once. Made for you when omitted',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ idempotency_key, ...args }, api) {
      const key = idempotency_key ?? randomUUID()
      const res = await request(api, {
        method: 'POST',
        path: `/v1/markets/${segment(args.market)}/trades`,
        body: tradeBody(args),
        headers: { 'idempotency-key': key },
      })
      return {
        idempotency_key: key,
        replayed: res.header('idempotent-replayed') === 'true',
        ...(res.body as object),
      }
    },
  }),
  tool({
    name: 'get_portfolio',
    title: 'My portfolio and positions',
    description:
      'Your money and holdings: cash, value of positions, profit and loss, and one page of your ' +
      'positions (market, outcome, shares, average cost, current price and value).',
    input: Type.Object(
      {
        positions: Type.Optional(
          Type.Union([Type.Literal('open'), Type.Literal('settled'), Type.Literal('all')], {
            description: 'Which positions to list (default open)',
          }),
        ),
        limit: Type.Optional(limit(200, 50)),
        cursor: Type.Optional(Cursor),
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run({ positions, limit: count, cursor }, api) {
      const portfolio = await request(api, { method: 'GET', path: '/v1/me/portfolio' })
      const page = await request(api, {
        method: 'GET',
        path: `/v1/me/positions${query({ status: positions, limit: count, cursor })}`,
      })
      return { portfolio: portfolio.body, positions: page.body }
    },
  }),
  tool({
    name: 'list_my_agents',
    title: 'My agents',
    description:
      'The AI agents you operate, newest first: their ids (for open_decision and ' +
      'list_agent_decisions), names, decision rules and webhooks.',
    input: Type.Object(
      { limit: Type.Optional(limit(100, 20)), cursor: Type.Optional(Cursor) },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(args, api) {
      return (await request(api, { method: 'GET', path: `/v1/agents${query({ owner: 'me', ...args })}` }))
        .body
    },
  }),
  tool({
    name: 'open_decision',
    title: 'Open a decision for one of your agents',
    description:
      "Opens a decision market for your agent's next decision: one branch per candidate action, funded " +
      'from your cash. Traders bet on the outcome under each action; at decide_at the market chooses ' +
      'the action with the best expected outcome (by its decision rule) and the agent is told. Give ' +
      "the actions, or leave them to the agent's LLM when it has one. Needs an API key with the " +
      '"agents" scope.',
    input: Type.Object(
      {
        agent: AgentId,
        question: Type.String({
          minLength: 3,
          maxLength: 300,
          description: 'What is to be decided, e.g. "Which pricing page should we ship?"',
        }),
        decide_at: Type.String({
          description: 'When the market decides, ISO 8601 date-time (e.g. "2026-01-31T12:00:00Z")',
        }),
        close_at: Type.String({
          description: 'When trading closes (the outcome is known by then), ISO 8601, after decide_at',
        }),
        actions: Type.Optional(
          Type.Array(
            Type.Object(
              {
                label: Type.String({ minLength: 1, maxLength: 200 }),
                description: Type.Optional(Type.String({ maxLength: 2000 })),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 16, description: 'The candidate actions, one branch each' },
          ),
        ),
        description: Type.Optional(Type.String({ maxLength: 20_000, description: 'Shown to traders' })),
        context: Type.Optional(
          Type.String({ maxLength: 20_000, description: "What the agent knows; sent to the agent's LLM" }),
        ),
        slug: Type.Optional(Type.String({ maxLength: 80, description: 'lowercase-words-with-dashes' })),
      },
      { additionalProperties: false },
    ),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run({ agent, ...body }, api) {
      const path = `/v1/agents/${segment(agent)}/decisions`
      return (await request(api, { method: 'POST', path, body })).body
    },
  }),
  tool({
    name: 'get_decision',
    title: "A decision's record",
    description:
      "A decision market's record: its candidate actions with their prices and decision scores, the " +
      'decision rule, traders and volume, and once decided the chosen action, the best-scoring one, ' +
      "the reason and an explanation (and the agent's own prior once public).",
    input: Type.Object({ market: MarketRef }, { additionalProperties: false }),
    annotations: READ,
    async run({ market }, api) {
      const found = (await request(api, { method: 'GET', path: `/v1/markets/${segment(market)}` })).body as {
        decision?: unknown
      }
      if (!found.decision) {
        throw new ApiProblem(422, {
          code: ErrorCode.NotADecisionMarket,
          detail: 'This market decides nothing: it is a plain prediction market (see get_market)',
        })
      }
      const { decision, ...rest } = found as Record<string, unknown>
      return { decision, market: rest }
    },
  }),
  tool({
    name: 'list_agent_decisions',
    title: "An agent's decisions",
    description:
      "An agent's track record, newest first: each decision with the agent's prior, the market's " +
      'choice, whether the market overrode the prior, and the outcome once reported.',
    input: Type.Object(
      { agent: AgentId, limit: Type.Optional(limit(100, 20)), cursor: Type.Optional(Cursor) },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run({ agent, ...page }, api) {
      const path = `/v1/agents/${segment(agent)}/decisions${query(page)}`
      return (await request(api, { method: 'GET', path })).body
    },
  }),
]
