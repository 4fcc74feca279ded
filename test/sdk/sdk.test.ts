/**
 * The SDK against the real service on a real socket (startService, as the e2e tests run it):
 * its examples (packages/sdk/examples) run as a bot author would run them, then what the
 * hand-written layer promises: a trade whose response is lost is retried under the same key and
 * happens once; a 503 is retried, a 4xx is not; pages follow every cursor; a session is
 * refreshed before it expires and after a 401.
 *
 * Faults are injected by a `fetch` that wraps the real one (named `faultyFetch`): it forwards to
 * the server and then drops the response, or answers 503 itself, as a proxy in between would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorsExample } from '../../packages/sdk/examples/errors.js'
import { followFillsExample } from '../../packages/sdk/examples/follow-fills.js'
import { pagesExample } from '../../packages/sdk/examples/pages.js'
import { tradeExample } from '../../packages/sdk/examples/trade.js'
import {
  createClient,
  ProblemError,
  type Session,
  signIn,
  signUp,
  unwrap,
} from '../../packages/sdk/src/index.js'
import { startTestService, type TestService } from '../helpers/service.js'

let running: TestService
let base: string

beforeAll(async () => {
  running = await startTestService()
  base = running.base
})

afterAll(() => running?.stop())

const quiet = () => {}
const password = 'a long enough password'
let counter = 0
const email = () => `sdk-${Date.now()}-${++counter}@example.test`

async function newClient(options: { fetch?: typeof fetch } = {}) {
  const login = { email: email(), password }
  const session = await signUp(base, login)
  return { login, session, dm: createClient({ baseUrl: base, credentials: { session }, ...options }) }
}

async function openMarket(dm: ReturnType<typeof createClient>, question = 'Will the SDK test pass?') {
  return unwrap(
    dm.api.POST('/v1/markets', {
      body: {
        question,
        kind: 'binary',
        subsidy: '100',
        close_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    }),
  )
}

interface Sent {
  method: string
  url: string
  idempotencyKey: string | null
  authorization: string | null
  apikey: string | null
}

/** The real fetch, recording what is sent; `fault` decides, per request, to drop or refuse it. */
function faultyFetch(fault: (request: Request, index: number) => 'drop-response' | 'answer-503' | undefined) {
  const sent: Sent[] = []
  const fetchImpl = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    sent.push({
      method: request.method,
      url: request.url,
      idempotencyKey: request.headers.get('idempotency-key'),
      authorization: request.headers.get('authorization'),
      apikey: request.headers.get('apikey'),
    })
    const action = fault(request, sent.length - 1)
    if (action === 'answer-503') {
      return new Response(
        JSON.stringify({
          type: 'urn:problem:unavailable',
          title: 'Unavailable',
          status: 503,
          code: 'unavailable',
        }),
        { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '0' } },
      )
    }
    const response = await fetch(request)
    if (action === 'drop-response') {
      await response.arrayBuffer()
      throw new TypeError('fetch failed: connection reset (injected)')
    }
    return response
  }
  return { sent, fetch: fetchImpl as typeof fetch }
}

const isTrade = (r: Request) => r.method === 'POST' && r.url.endsWith('/trades')

describe('the SDK examples, against the running service', () => {
  let login: { email: string; password: string }
  let slug: string

  it('trade.ts: signs up, opens and lists markets, quotes, trades, and a retry replays the trade', async () => {
    const lines: string[] = []
    const { market, list, quote, placed, retried } = await tradeExample(base, (line) => lines.push(line))
    slug = market.slug
    expect(list.items.map((m) => m.id)).toContain(market.id)
    expect(Number(quote.shares)).toBeGreaterThan(0)
    expect(placed.replayed).toBe(false)
    expect(placed.result.trade.shares).toBe(quote.shares)
    expect(placed.result.cash).toBe('890')
    expect(retried.replayed).toBe(true)
    expect(retried.result.trade.id).toBe(placed.result.trade.id)
    expect(lines.at(-1)).toBe('retry replayed: true, same trade: true')
  })

  it('pages.ts: every trade of the user across pages of 2, with positions and portfolio', async () => {
    const { dm, login: user } = await newClient()
    login = user
    const market = await openMarket(dm)
    for (let i = 0; i < 5; i++)
      await dm.trade(market.slug, { outcome: i % 2 ? 'NO' : 'YES', side: 'buy', amount: '1' })
    const key = await unwrap(dm.api.POST('/v1/me/api-keys', { body: { name: 'report', scopes: ['read'] } }))
    const { trades, positions, portfolio } = await pagesExample(base, key.key, quiet)
    expect(trades).toHaveLength(5)
    expect(new Set(trades.map((t) => t.id)).size).toBe(5)
    expect(positions.map((p) => p.outcome.label).sort()).toEqual(['NO', 'YES'])
    expect(portfolio.open_positions).toBe(2)
  })

  it("follow-fills.ts: an API key's stream of the user channel delivers the fill of its trade", async () => {
    const { dm } = await newClient()
    const key = await unwrap(
      dm.api.POST('/v1/me/api-keys', { body: { name: 'bot', scopes: ['read', 'trade'] } }),
    )
    const { placed, received } = await followFillsExample(base, key.key, slug, quiet)
    const fill = received.at(-1)
    expect(fill?.event).toBe('fill')
    expect(JSON.stringify(fill?.data)).toContain(placed.result.trade.id)
  })

  it('errors.ts: refusals arrive as ProblemError with code, status, title, detail and fields', async () => {
    const { tooBig, badAmount, forbidden } = await errorsExample(base, login, slug, quiet)
    expect(tooBig).toMatchObject({ status: 422, code: 'insufficient_funds' })
    expect(tooBig.title).toBeTruthy()
    expect(tooBig.detail).toBeTruthy()
    expect(badAmount).toMatchObject({ status: 400, code: 'invalid_amount' })
    expect(badAmount.errors.map((e) => e.field)).toEqual(['/body/amount'])
    expect(forbidden).toMatchObject({ status: 403 })
    expect(forbidden.message).toContain(forbidden.title)
  })
})

describe('trades survive retries', () => {
  it('a response lost after the server traded: the retry, same key, gets that trade; one trade happened', async () => {
    const faults = faultyFetch((request) =>
      isTrade(request) && faults.sent.filter((s) => s.url.endsWith('/trades')).length === 1
        ? 'drop-response'
        : undefined,
    )
    const { dm, session } = await newClient({ fetch: faults.fetch })
    const market = await openMarket(dm)
    const placed = await dm.trade(market.slug, { outcome: 'YES', side: 'buy', amount: '10' })
    const attempts = faults.sent.filter((s) => s.url.endsWith('/trades'))
    expect(attempts).toHaveLength(2)
    expect(attempts[0]?.idempotencyKey).toBe(placed.idempotencyKey)
    expect(attempts[1]?.idempotencyKey).toBe(placed.idempotencyKey)
    expect(placed.replayed).toBe(true)

    const plain = createClient({ baseUrl: base, credentials: { session } })
    const mine = await unwrap(plain.api.GET('/v1/me/trades', { params: { query: { limit: 50 } } }))
    expect(mine.items.map((t) => t.id)).toEqual([placed.result.trade.id])
    expect(placed.result.cash).toBe('890')
  })

  it('a 503 is retried with the same key; a 4xx is not retried', async () => {
    const faults = faultyFetch((request, index) =>
      isTrade(request) && faults.sent.slice(0, index).every((s) => !s.url.endsWith('/trades'))
        ? 'answer-503'
        : undefined,
    )
    const { dm } = await newClient({ fetch: faults.fetch })
    const market = await openMarket(dm)
    const placed = await dm.trade(market.slug, { outcome: 'YES', side: 'buy', amount: '5' })
    expect(placed.replayed).toBe(false)
    const keys = faults.sent.filter((s) => s.url.endsWith('/trades')).map((s) => s.idempotencyKey)
    expect(keys).toEqual([placed.idempotencyKey, placed.idempotencyKey])

    const before = faults.sent.length
    const refused = await dm
      .trade(market.slug, { outcome: 'YES', side: 'buy', amount: '5000' })
      .catch((e) => e)
    expect(refused).toBeInstanceOf(ProblemError)
    expect(refused.code).toBe('insufficient_funds')
    expect(faults.sent.length - before).toBe(1)
  })

  it('gives up after the configured retries with the last problem', async () => {
    const faults = faultyFetch((request) => (isTrade(request) ? 'answer-503' : undefined))
    const login = { email: email(), password }
    const session = await signUp(base, login)
    const dm = createClient({
      baseUrl: base,
      credentials: { session },
      fetch: faults.fetch,
      retry: { retries: 2, delayMs: 1 },
    })
    const market = await openMarket(dm)
    const error = await dm.trade(market.slug, { outcome: 'YES', side: 'buy', amount: '5' }).catch((e) => e)
    expect(error).toBeInstanceOf(ProblemError)
    expect(error.status).toBe(503)
    expect(faults.sent.filter((s) => s.url.endsWith('/trades'))).toHaveLength(3)
  })
})

describe('pages and sessions', () => {
  it('pages follows next_cursor to the end, one request a page', async () => {
    const faults = faultyFetch(() => undefined)
    const { dm } = await newClient({ fetch: faults.fetch })
    const market = await openMarket(dm)
    for (let i = 0; i < 5; i++) await dm.trade(market.slug, { outcome: 'YES', side: 'buy', amount: '1' })
    const before = faults.sent.length
    const seen: string[] = []
    for await (const trade of dm.pages('/v1/markets/{market}/trades', {
      path: { market: market.slug },
      query: { limit: 2 },
    })) {
      seen.push(trade.id)
    }
    expect(seen).toHaveLength(5)
    expect(new Set(seen).size).toBe(5)
    const requests = faults.sent.slice(before)
    expect(requests).toHaveLength(3)
    expect(requests.filter((r) => new URL(r.url).searchParams.has('cursor'))).toHaveLength(2)
  })

  it('refreshes a session about to expire, once for concurrent requests, and reports the new one', async () => {
    const { session } = await newClient()
    const stale: Session = { ...session, expires_at: Math.floor(Date.now() / 1000) }
    const reported: Session[] = []
    const faults = faultyFetch(() => undefined)
    const dm = createClient({
      baseUrl: base,
      credentials: { session: stale },
      fetch: faults.fetch,
      onSession: (s) => reported.push(s),
    })
    const [a, b] = await Promise.all([unwrap(dm.api.GET('/v1/me')), unwrap(dm.api.GET('/v1/me'))])
    expect(a.id).toBe(session.user.id)
    expect(b.id).toBe(session.user.id)
    expect(faults.sent.filter((s) => s.url.includes('grant_type=refresh_token'))).toHaveLength(1)
    expect(reported).toHaveLength(1)
    expect(reported[0]?.refresh_token).not.toBe(session.refresh_token)
    expect(dm.session?.access_token).toBe(reported[0]?.access_token)
    const me = faults.sent.filter((s) => s.url.endsWith('/v1/me'))
    expect(me.every((s) => s.authorization === `Bearer ${reported[0]?.access_token}`)).toBe(true)
  })

  it('after a 401 with a session, refreshes and retries the request once', async () => {
    const { session } = await newClient()
    const revoked: Session = { ...session, access_token: `${session.access_token}x` }
    const faults = faultyFetch(() => undefined)
    const dm = createClient({ baseUrl: base, credentials: { session: revoked }, fetch: faults.fetch })
    const me = await unwrap(dm.api.GET('/v1/me'))
    expect(me.id).toBe(session.user.id)
    expect(faults.sent.map((s) => new URL(s.url).pathname)).toEqual(['/v1/me', '/auth/v1/token', '/v1/me'])
  })

  it('an API key is sent as the bearer; a bad one is a 401 ProblemError, not retried', async () => {
    const faults = faultyFetch(() => undefined)
    const dm = createClient({ baseUrl: base, credentials: { apiKey: 'dm_not_a_key' }, fetch: faults.fetch })
    const error = await unwrap(dm.api.GET('/v1/me')).catch((e) => e)
    expect(error).toBeInstanceOf(ProblemError)
    expect(error.status).toBe(401)
    expect(faults.sent).toHaveLength(1)
    expect(faults.sent[0]?.authorization).toBe('Bearer dm_not_a_key')
  })

  it('signs in and refreshes at the auth server given (Supabase Auth: its URL and apikey header)', async () => {
    const { login } = await newClient()
    const faults = faultyFetch(() => undefined)
    // This server stands in for a Supabase project's auth: the same GoTrue protocol at /auth/v1.
    const auth = { url: `${base}/`, headers: { apikey: 'anon-key' } }
    const session = await signIn(base.replace('127.0.0.1', 'localhost'), login, { auth, fetch: faults.fetch })
    const dm = createClient({
      baseUrl: base,
      credentials: { session: { ...session, expires_at: 0 } },
      auth,
      fetch: faults.fetch,
    })
    await unwrap(dm.api.GET('/v1/me'))
    const authCalls = faults.sent.filter((s) => s.url.includes('/auth/v1/'))
    expect(authCalls.map((s) => new URL(s.url).search)).toEqual([
      '?grant_type=password',
      '?grant_type=refresh_token',
    ])
    expect(authCalls.every((s) => s.apikey === 'anon-key' && s.url.startsWith(base))).toBe(true)
    expect(faults.sent.filter((s) => s.url.endsWith('/v1/me'))[0]?.apikey).toBeNull()
  })

  it('a sign-in refused by /auth/v1 (GoTrue shape) is a ProblemError too', async () => {
    const { login } = await newClient()
    const error = await signUp(base, login).catch((e) => e)
    expect(error).toBeInstanceOf(ProblemError)
    expect(error.code).toBe('user_already_exists')
    expect(error.status).toBe(422)
  })
})

describe('the realtime stream', () => {
  it("follows the user's fills, and a dropped connection resumes after the last event: none lost or repeated", async () => {
    const sse: Array<{ lastEventId: string | null }> = []
    let cutAfterFill = true
    // The real fetch; the first SSE response's body fails at the read after its first fill, as a
    // connection reset between two events would.
    const fetchImpl = (async (input: Request | URL | string, init?: RequestInit) => {
      const request = new Request(input, init)
      const response = await fetch(request)
      if (!request.url.includes('/v1/stream/sse')) return response
      sse.push({ lastEventId: request.headers.get('last-event-id') })
      if (!cutAfterFill || !response.body) return response
      cutAfterFill = false
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      let seen = ''
      let delivered = false
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (delivered) {
            await reader.cancel()
            controller.error(new TypeError('terminated: connection reset (injected)'))
            return
          }
          const { value, done } = await reader.read()
          if (done) return controller.close()
          seen += decoder.decode(value, { stream: true })
          if (/event: fill\ndata: [^\n]*\n\n/.test(seen)) delivered = true
          controller.enqueue(value)
        },
      })
      return new Response(body, { status: response.status, headers: response.headers })
    }) as typeof fetch
    const { dm } = await newClient({ fetch: fetchImpl })
    const market = await openMarket(dm)
    const controller = new AbortController()
    const events = dm.stream('user', { signal: controller.signal })[Symbol.asyncIterator]()

    const snapshot = await events.next()
    expect(snapshot.value?.event).toBe('snapshot')
    const first = await dm.trade(market.slug, { outcome: 'YES', side: 'buy', amount: '3' })
    const fill1 = await events.next()
    expect(fill1.value?.event).toBe('fill')
    expect(JSON.stringify(fill1.value?.data)).toContain(first.result.trade.id)

    const second = await dm.trade(market.slug, { outcome: 'NO', side: 'buy', amount: '4' })
    const fill2 = await events.next()
    expect(fill2.value?.event).toBe('fill')
    expect(JSON.stringify(fill2.value?.data)).toContain(second.result.trade.id)
    expect(sse).toEqual([{ lastEventId: null }, { lastEventId: fill1.value?.id }])

    controller.abort()
    await events.return?.(undefined)
  })

  it('a channel the server refuses is a ProblemError, not a reconnect loop', async () => {
    const dm = createClient({ baseUrl: base })
    const error = await dm
      .stream('user')
      .next()
      .catch((e) => e)
    expect(error).toBeInstanceOf(ProblemError)
    expect(error.status).toBe(401)
  })
})
