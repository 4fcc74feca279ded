/**
 * Trading under concurrency, end to end: the API on a real socket over its own pool, 24 clients
 * signed up through /auth/v1, several thousand random buys and sells on three markets (binary,
 * categorical, scalar), some repeating an Idempotency-Key with the same body (a retry, later or
 * at the same moment) or with another body (a bug), then resolution and finalisation. The
 * ledger's invariants are checked in SQL while the trades run (each check is one statement, so
 * it sees one consistent snapshot) and again afterwards: every journal entry sums to zero, no
 * cash is negative, every position is the sum of its trades, every escrow covers its worst case
 * while open and ends at exactly zero, total credits equal total issued, and no idempotency key
 * traded twice.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql } from '../../src/db/database.js'
import { systemClock } from '../../src/domain/clock.js'
import { MICRO, parseAmount } from '../../src/domain/money.js'
import { buildApp } from '../../src/http/app.js'
import type { ApiContext } from '../../src/http/context.js'
import type { App } from '../../src/http/types.js'
import { createLogger } from '../../src/infra/logger.js'
import { startJobQueue } from '../../src/infra/queue.js'
import { settleMarket } from '../../src/services/markets/settlement.js'
import { createAppContext } from '../../src/start/context.js'
import { testConfig } from '../helpers/app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { ledgerTotals, ledgerViolations } from '../helpers/money.js'
import { rng } from '../helpers/random.js'

const CLIENTS = 24
// 24 × 150 = 3,600 requests, of which about 3,000 trade.
const OPERATIONS_PER_CLIENT = Number(process.env.CONCURRENCY_OPS ?? 150)

let database: TestDatabase
let ctx: ApiContext
let app: App
let base: string

beforeAll(async () => {
  database = await createTestDatabase()
  const config = testConfig({ DATABASE_URL: database.url, DISPUTE_WINDOW_S: '0', TRADE_FEE_BPS: '75' })
  const log = createLogger(config.LOG_LEVEL)
  // A pool of its own, larger than the clients' fan-in to the branch locks, so transactions
  // really run at once and queue on the rows they lock rather than on the pool.
  const db = createDatabase({ connectionString: database.url, max: 16, statementTimeoutMs: 30_000 })
  const queue = await startJobQueue({ connectionString: database.url, log, supervise: false })
  ctx = await createAppContext({ config, db, log, clock: systemClock, queue })
  app = await buildApp(ctx)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  base = address
})

afterAll(async () => {
  await app?.close()
  await ctx?.store.close()
  await ctx?.identity.close()
  await ctx?.readCache.close()
  await ctx?.queue.stop(0)
  await ctx?.db.close()
  await database?.drop()
})

interface Client {
  userId: string
  headers: Record<string, string>
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    text,
    json: () => JSON.parse(text),
    replayed: res.headers.get('idempotent-replayed'),
  }
}

async function signUp(): Promise<Client> {
  const res = await call(
    'POST',
    '/auth/v1/signup',
    {},
    {
      email: `trader-${randomBytes(6).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
    },
  )
  expect(res.status, res.text).toBe(200)
  const session = res.json()
  return { userId: session.user.id, headers: { authorization: `Bearer ${session.access_token}` } }
}

describe('concurrent trading through the HTTP API', () => {
  it(`${CLIENTS} clients, thousands of random trades on 3 markets, then resolution and finalisation`, async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000)
    const creator = await signUp()
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => signUp()))
    const closeAt = new Date(Date.now() + 3_600_000).toISOString()
    const specs = [
      { question: 'Concurrency: binary?', kind: 'binary', subsidy: '200' },
      {
        question: 'Concurrency: categorical?',
        kind: 'categorical',
        outcomes: ['A', 'B', 'C'],
        subsidy: '250',
      },
      { question: 'Concurrency: scalar?', kind: 'scalar', scalar: { lo: '0', hi: '100' }, subsidy: '150' },
    ]
    const markets: Array<{ id: string; outcomes: number }> = []
    for (const spec of specs) {
      const res = await call('POST', '/v1/markets', creator.headers, { ...spec, close_at: closeAt })
      expect(res.status, res.text).toBe(201)
      markets.push({ id: res.json().id, outcomes: res.json().outcomes.length })
    }

    const statuses = new Map<number, number>()
    const codes = new Map<string, number>()
    let placed = 0
    let replays = 0
    let conflicts = 0
    let races = 0
    const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)

    // The invariants, checked over and over while the trades run: each escrow covers its worst
    // case at every moment it is open, not only once the trading has stopped.
    let trading = true
    let checksDuringTrading = 0
    const violationsDuringTrading: string[] = []
    const monitor = (async () => {
      while (trading) {
        violationsDuringTrading.push(...(await ledgerViolations(ctx.db)))
        checksDuringTrading++
        await new Promise((resolve) => setTimeout(resolve, 20)) // leave the pool to the traders
      }
    })()

    await Promise.all(
      clients.map(async (client, c) => {
        const random = rng(seed * 1000 + c)
        const sent: Array<{ key: string; body: unknown; response: string }> = []
        for (let i = 0; i < OPERATIONS_PER_CLIENT; i++) {
          const market = markets[Math.floor(random() * markets.length)] as { id: string; outcomes: number }
          const outcome = Math.floor(random() * market.outcomes)
          const roll = random()
          let key: string | undefined
          let body: Record<string, unknown>
          const previous = sent.length > 0 ? sent[Math.floor(random() * sent.length)] : undefined
          if (previous && roll < 0.06) {
            // A retry: same key, same body → the stored response.
            const res = await call(
              'POST',
              `/v1/markets/${(previous.body as { m: string }).m}/trades`,
              {
                ...client.headers,
                'idempotency-key': previous.key,
              },
              (previous.body as { b: unknown }).b,
            )
            count(statuses, res.status)
            expect(res.status).toBe(201)
            expect(res.replayed).toBe('true')
            expect(res.text).toBe(previous.response)
            replays++
            continue
          }
          if (roll >= 0.06 && roll < 0.09) {
            // A retry racing the original: the same new key and body sent twice at once. One
            // trades; the other waits for it and replays its response (or both are refused).
            key = `c${c}-race${i}`
            const raced = { outcome, side: 'buy', amount: (0.5 + random() * 10).toFixed(6) }
            const path = `/v1/markets/${market.id}/trades`
            const headers = { ...client.headers, 'idempotency-key': key }
            const pair = await Promise.all([
              call('POST', path, headers, raced),
              call('POST', path, headers, raced),
            ])
            for (const res of pair) count(statuses, res.status)
            const accepted = pair.filter((res) => res.status === 201)
            for (const res of pair) if (res.status !== 201) expect(res.status, res.text).toBe(422)
            if (accepted.length > 0) {
              expect(
                accepted.filter((res) => res.replayed !== 'true'),
                'traded once',
              ).toHaveLength(1)
              expect(new Set(accepted.map((res) => res.json().trade.id)).size).toBe(1)
              placed++
              races++
              sent.push({ key, body: { m: market.id, b: raced }, response: accepted[0]?.text as string })
            }
            continue
          }
          if (previous && roll < 0.11) {
            // A bug: same key, another body → 409, and no trade.
            const res = await call(
              'POST',
              `/v1/markets/${market.id}/trades`,
              {
                ...client.headers,
                'idempotency-key': previous.key,
              },
              { outcome, side: 'buy', amount: '0.77' },
            )
            count(statuses, res.status)
            expect(res.status, res.text).toBe(409)
            conflicts++
            continue
          }
          if (roll < 0.55) body = { outcome, side: 'buy', amount: (0.5 + random() * 30).toFixed(6) }
          else if (roll < 0.7) body = { outcome, side: 'buy', shares: (0.1 + random() * 20).toFixed(3) }
          else if (roll < 0.85) body = { outcome, side: 'sell', shares: (0.1 + random() * 15).toFixed(2) }
          else body = { outcome, side: 'sell', shares: 'all' }
          if (random() < 0.3) key = `c${c}-op${i}`
          const res = await call(
            'POST',
            `/v1/markets/${market.id}/trades`,
            {
              ...client.headers,
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body,
          )
          count(statuses, res.status)
          if (res.status === 201) {
            placed++
            if (key) sent.push({ key, body: { m: market.id, b: body }, response: res.text })
          } else {
            // Refusals are business rules (no cash, no shares), never a server error.
            expect(res.status, res.text).toBe(422)
            count(codes, res.json().code)
          }
        }
      }),
    )
    trading = false
    await monitor
    expect(violationsDuringTrading).toEqual([])
    expect(checksDuringTrading).toBeGreaterThan(0)
    process.stdout.write(
      `[concurrency] seed ${seed}: ${placed} trades placed, ${replays} replays, ${races} racing duplicates, ` +
        `${conflicts} key conflicts, ${checksDuringTrading} invariant checks while trading, ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}, refusals ${JSON.stringify(Object.fromEntries(codes))}\n`,
    )
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true)
    expect(placed).toBeGreaterThan(CLIENTS * OPERATIONS_PER_CLIENT * 0.5)
    expect(replays).toBeGreaterThan(0)
    expect(races).toBeGreaterThan(0)
    expect(conflicts).toBeGreaterThan(0)

    const { n: trades } = await ctx.db.one(
      sql<{ n: bigint }>('CountAllTrades', 'select count(*) as n from public.trades'),
    )
    expect(Number(trades)).toBe(placed)
    // While open: every escrow covers its worst case, and everything else holds.
    expect(await ledgerViolations(ctx.db)).toEqual([])

    const resolutions = [{ outcome: 'YES' }, { outcome: 'B' }, { value: '37.5' }]
    for (const [i, market] of markets.entries()) {
      const res = await call('POST', `/v1/markets/${market.id}/resolve`, creator.headers, {
        ...resolutions[i],
        evidence: { note: 'the concurrency test says so' },
      })
      expect(res.status, res.text).toBe(200)
    }
    // Finalise, twice over for one market, as a duplicated job would.
    await Promise.all([...markets.map((m) => settleMarket(ctx, m.id)), settleMarket(ctx, markets[0]!.id)])
    for (const market of markets) {
      const res = await call('GET', `/v1/markets/${market.id}`, {})
      expect(res.json()).toMatchObject({
        status: 'finalized',
        branches: [{ escrow: '0', status: 'settled' }],
      })
    }
    expect(await ledgerViolations(ctx.db)).toEqual([])

    // Every credit is accounted for: issued = users' cash + fees (the escrows are empty).
    const totals = await ledgerTotals(ctx.db)
    expect(totals.escrow).toBe(0n)
    expect(totals.cash + totals.fees).toBe(totals.issued)
    expect(totals.issued).toBe(BigInt(CLIENTS + 1) * parseAmount('1000'))
    expect(totals.fees).toBeGreaterThan(0n)
    expect(totals.cash).toBeLessThan(totals.issued)
    expect(MICRO).toBe(1_000_000n)
  }, 180_000)
})
