/**
 * Bounded labels: whatever callers send (paths, query strings, tokens, market ids that exist or
 * not) and however many users trade on however many markets, the registry's series are fixed
 * once every kind of request has been seen once. A fast-check run sends random requests after a
 * warm-up that sent one of each kind, and counts every series of the whole registry before and
 * after; and no label anywhere carries a value the requests made up.
 *
 * Left out of the count: the runtime's own families whose labels are Node's (active handle and
 * resource types, GC kinds): they come and go with what the process holds at the instant of the
 * scrape, not with what callers send, and are bounded by Node's list of types.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { seriesByFamily } from '../helpers/metrics.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

const RUNTIME_FAMILIES = /^dm_nodejs_(active_(handles|requests|resources)|gc_duration_seconds)$/

let t: TestApp
let users: TestUser[]
let apiKey: string
let markets: Array<{ id: string; slug: string }>

beforeAll(async () => {
  t = await createTestApp()
  users = await Promise.all(Array.from({ length: 4 }, () => createTestUser(t)))
  apiKey = (await createTestApiKey(t, users[0] as TestUser)).key
  markets = []
  for (const [i, creator] of users.slice(0, 3).entries()) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/markets',
      headers: creator.headers,
      payload: {
        question: `Bounded labels, market ${i}?`,
        kind: 'binary',
        subsidy: '50',
        close_at: new Date(Date.now() + 86_400_000).toISOString(),
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    markets.push({ id: res.json().id, slug: res.json().slug })
  }
}, 120_000)
afterAll(() => t?.close())

/** Every value a request makes up, to look for in the registry's labels afterwards. */
const madeUp = new Set<string>()

type Token =
  | { kind: 'user'; user: number }
  | { kind: 'api-key' }
  | { kind: 'none' }
  | { kind: 'garbage'; value: string }
  | { kind: 'unknown-key'; value: string }
type MarketRef = { kind: 'existing'; market: number; bySlug: boolean } | { kind: 'unknown'; value: string }
type Body = 'buy' | 'sell-all' | 'unknown-outcome' | 'bad-amount'
type Request =
  | { route: 'market'; token: Token; market: MarketRef; query: string }
  | { route: 'trade'; token: Token; market: MarketRef; body: Body; outcome: number }
  | { route: 'me'; token: Token; query: string }
  | { route: 'list'; token: Token; query: string }
  | { route: 'random-path'; token: Token; path: string }

const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{6,24}$/)
const query = fc.option(
  fc.tuple(segment, segment).map(([k, v]) => `?${k}=${v}`),
  { nil: '' },
)
const token: fc.Arbitrary<Token> = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((user) => ({ kind: 'user', user }) as const),
  fc.constant({ kind: 'api-key' } as const),
  fc.constant({ kind: 'none' } as const),
  segment.map((value) => ({ kind: 'garbage', value }) as const),
  segment.map((value) => ({ kind: 'unknown-key', value: `dmk_${value}` }) as const),
)
const market: fc.Arbitrary<MarketRef> = fc.oneof(
  fc
    .record({ market: fc.integer({ min: 0, max: 2 }), bySlug: fc.boolean() })
    .map((m) => ({ kind: 'existing', ...m }) as const),
  fc.oneof(fc.uuid(), segment).map((value) => ({ kind: 'unknown', value }) as const),
)
const body = fc.constantFrom<Body>('buy', 'sell-all', 'unknown-outcome', 'bad-amount')
const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ route: fc.constant('market' as const), token, market, query }),
  fc.record({
    route: fc.constant('trade' as const),
    token,
    market,
    body,
    outcome: fc.integer({ min: 0, max: 1 }),
  }),
  fc.record({ route: fc.constant('me' as const), token, query }),
  fc.record({ route: fc.constant('list' as const), token, query }),
  fc.record({
    route: fc.constant('random-path' as const),
    token,
    // `zz-` keeps the first segment off every real route: these must all be `unmatched`.
    path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/zz-${s.join('/')}`),
  }),
)

function headers(tok: Token): Record<string, string> {
  switch (tok.kind) {
    case 'user':
      return (users[tok.user] as TestUser).headers
    case 'api-key':
      return { authorization: `Bearer ${apiKey}` }
    case 'none':
      return {}
    case 'garbage':
    case 'unknown-key':
      madeUp.add(tok.value)
      return { authorization: `Bearer ${tok.value}` }
  }
}

function ref(m: MarketRef): string {
  if (m.kind === 'unknown') {
    madeUp.add(m.value)
    return m.value
  }
  const found = markets[m.market] as { id: string; slug: string }
  return m.bySlug ? found.slug : found.id
}

function tradeBody(kind: Body, outcome: number) {
  switch (kind) {
    case 'buy':
      return { outcome, side: 'buy', amount: '0.5' }
    case 'sell-all':
      return { outcome, side: 'sell', shares: 'all' }
    case 'unknown-outcome':
      return { outcome: 'MAYBE', side: 'buy', amount: '1' }
    case 'bad-amount':
      return { outcome, side: 'buy', amount: '1.2345678' }
  }
}

async function send(r: Request): Promise<number> {
  const h = headers(r.token)
  let res: Awaited<ReturnType<TestApp['app']['inject']>>
  switch (r.route) {
    case 'market':
      res = await t.app.inject({ method: 'GET', url: `/v1/markets/${ref(r.market)}${r.query}`, headers: h })
      break
    case 'trade':
      res = await t.app.inject({
        method: 'POST',
        url: `/v1/markets/${ref(r.market)}/trades`,
        headers: h,
        payload: tradeBody(r.body, r.outcome),
      })
      break
    case 'me':
      res = await t.app.inject({ method: 'GET', url: `/v1/me${r.query}`, headers: h })
      break
    case 'list':
      res = await t.app.inject({ method: 'GET', url: `/v1/markets${r.query}`, headers: h })
      break
    case 'random-path':
      madeUp.add(r.path)
      res = await t.app.inject({ method: 'GET', url: r.path, headers: h })
      break
  }
  for (const part of r.route === 'random-path' ? r.path.split('/') : [])
    if (part.length >= 6) madeUp.add(part)
  expect(res.statusCode).toBeLessThan(500)
  return res.statusCode
}

async function countSeries(): Promise<{ total: number; byFamily: Map<string, number>; all: Set<string> }> {
  const byFamily = new Map<string, number>()
  const all = new Set<string>()
  let total = 0
  for (const [family, series] of await seriesByFamily(t.ctx.metrics)) {
    if (RUNTIME_FAMILIES.test(family)) continue
    byFamily.set(family, series.length)
    total += series.length
    for (const one of series) if (!one.includes('"le":')) all.add(one)
  }
  return { total, byFamily, all }
}

it('random requests and trades by many users on many markets leave the series count fixed', async () => {
  // Warm-up: one request of every kind (each token kind × market kind × body), sells before buys
  // so a sell of shares nobody holds yet is among them. Made-up values are drawn once here.
  const tokens: Token[] = [
    ...users.map((_, user) => ({ kind: 'user', user }) as const),
    { kind: 'api-key' },
    { kind: 'none' },
    { kind: 'garbage', value: `g${randomUUID()}` },
    { kind: 'unknown-key', value: `dmk_${randomUUID()}` },
  ]
  const refs: MarketRef[] = [
    { kind: 'existing', market: 0, bySlug: false },
    { kind: 'existing', market: 1, bySlug: true },
    { kind: 'unknown', value: randomUUID() },
    { kind: 'unknown', value: `slug-${randomUUID()}` },
  ]
  for (const tok of tokens) {
    await send({ route: 'me', token: tok, query: '' })
    await send({ route: 'list', token: tok, query: '?limit=5' })
    await send({ route: 'random-path', token: tok, path: `/zz-${randomUUID()}` })
    for (const m of refs) {
      await send({ route: 'market', token: tok, market: m, query: '' })
      for (const b of ['sell-all', 'unknown-outcome', 'bad-amount', 'buy', 'sell-all'] as const)
        await send({ route: 'trade', token: tok, market: m, body: b, outcome: 0 })
    }
  }
  // A scrape is part of the warm-up too: its collect callbacks run queries of their own.
  await countSeries()
  const before = await countSeries()

  let sent = 0
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      await send(r)
      sent++
    }),
    { numRuns: 200 },
  )
  expect(sent).toBe(200)
  const after = await countSeries()
  const grown = [...after.byFamily].filter(([family, n]) => n !== before.byFamily.get(family))
  const added = [...after.all].filter((one) => !before.all.has(one))
  expect(grown, `families whose series count changed; new series: ${added.join(', ')}`).toEqual([])
  expect(after.total).toBe(before.total)
  expect(before.total).toBeGreaterThan(100)

  // No label of any family (runtime ones included) carries a path, token or id a caller made up.
  const scraped = await t.ctx.metrics.registry.metrics()
  const leaked = [...madeUp].filter((value) => scraped.includes(value))
  expect(leaked).toEqual([])
  for (const m of markets) {
    expect(scraped).not.toContain(m.id)
    expect(scraped).not.toContain(m.slug)
  }
  for (const u of users) expect(scraped).not.toContain(u.userId)
}, 120_000)
