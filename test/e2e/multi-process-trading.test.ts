/**
 * The bank's invariants with several API processes and a crash, through public interfaces only
 * (HTTP on real `serve` processes, SQL on the ledger). Two API processes share one database;
 * 16 clients signed up over /auth/v1 trade at random on two markets, each request sent to either
 * process, including: the same Idempotency-Key and body sent at the same moment to both
 * processes, retries of earlier keys, and refusals (selling more than held, buying beyond one's
 * cash) among the accepted trades. Midway one process is killed with SIGKILL while trades are
 * in flight on it; the clients carry on with the other, the killed one is started again on the
 * same database and the port it had, and trading continues on both. Then every request whose
 * answer was lost is retried with its key, the markets are resolved, and a worker process pays
 * them out.
 *
 * What must hold:
 *   - every acknowledged trade (a 201 with a trade id) is in public.trades with the same trader,
 *     side, shares, cost, proceeds and fee, and has exactly one journal entry whose postings
 *     move the trader's cash, the escrow and the fees by exactly the trade's amounts;
 *   - one Idempotency-Key, one answer: the two copies of a racing pair, a later retry and the
 *     retry after the crash all get the same trade (or the same refusal), and no key traded
 *     twice;
 *   - a trade in the database that nobody was told about is one of the requests whose answer
 *     the crash swallowed: those are there whole (trade, position, entry, postings) or not at
 *     all, which `ledgerViolations` (every position the sum of its trades, every entry balanced,
 *     every balance the sum of its postings, 1..N gap-free) and the checks above establish;
 *   - no request is answered with a 5xx; refusals are the business rule's 422 with its code;
 *   - after settlement the escrows are empty and issued = cash + fees.
 * Nothing here times anything: the kill waits until requests are in flight on the victim, and the
 * phases are counted in answered requests, not seconds.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, sql } from '../../src/db/database.js'
import { parseAmount } from '../../src/domain/money.js'
import { type Served, serve, servedTestEnv, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { ledgerTotals, ledgerViolations } from '../helpers/money.js'
import { freePort } from '../helpers/net.js'
import { rng } from '../helpers/random.js'

const CLIENTS = 16
// Answered requests before the kill, while one process is down, and after the restart.
const BEFORE_KILL = 500
const WHILE_DOWN = 250
const AFTER_RESTART = 500

let database: TestDatabase
let db: Database
const started: Served[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  db = createDatabase({ connectionString: database.url, max: 2, statementTimeoutMs: 30_000 })
})

afterAll(async () => {
  for (const served of started) {
    if (served.child.exitCode === null && served.child.signalCode === null) killGroup(served, 'SIGKILL')
  }
  await Promise.all(started.map((served) => served.exited))
  await db?.close()
  await database?.drop()
})

/** `serve` puts the service in a process group of its own: signal all of it, as a supervisor does. */
function killGroup(served: Served, signal: NodeJS.Signals) {
  const pid = served.child.pid
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/** What every replica of the service shares: the database, the token issuer, the secrets' key. */
function replicaEnv(databaseUrl: string, issuerPort: number): Record<string, string> {
  return {
    ...servedTestEnv(databaseUrl, `http://127.0.0.1:${issuerPort}`),
    DATABASE_POOL_MAX: '6',
    DISPUTE_WINDOW_S: '0',
    TRADE_FEE_BPS: '75',
    QUEUE_POLL_INTERVAL_SECONDS: '1',
    SHUTDOWN_GRACE_MS: '5000',
  }
}

interface Api {
  name: string
  base: string
  served: Served
  /** Receives new requests (false from the moment it is chosen to be killed). */
  up: boolean
  inFlight: number
}

interface Answer {
  status: number
  text: string
  replayed: boolean
  json: () => Record<string, unknown>
}

interface TradeBody {
  outcome: number
  side: 'buy' | 'sell'
  amount?: string
  shares?: string
}

interface TradeJson {
  id: string
  market_id: string
  side: string
  shares: string
  cost: string
  proceeds: string
  fee: string
}

/** What a request was, for the checks and for retrying it. */
interface Sent {
  client: number
  market: string
  body: TradeBody
  key?: string
}

/** A key's answer: the trade it made, or the refusal (status and code) it got. */
type KeyAnswer = { trade: TradeJson } | { refused: string }

async function call(api: Api, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  api.inFlight++
  try {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {
      status: res.status,
      text,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      json: () => JSON.parse(text),
    } satisfies Answer
  } finally {
    api.inFlight--
  }
}

const TradesByKey = sql<{ id: string }>(
  'MultiProcessTradesByKey',
  'select id from public.trades where trader_id = $1 and idempotency_key = $2',
)

describe('trading on several API processes, one of them killed midway', () => {
  it('keeps every acknowledged trade, answers each key once, and leaves nothing half-applied', async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000)
    // Where the time goes, for the log line (nothing is asserted on it).
    const t0 = Date.now()
    const phases: string[] = []
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const random = rng(seed)
    const ports = [await freePort(), await freePort()]
    const common = replicaEnv(database.url, ports[0] as number)
    const launch = (role: 'api' | 'worker', port: number) => {
      const served = serve({ ...common, PROCESS_ROLE: role, PORT: String(port) })
      started.push(served)
      return served
    }
    const startApi = async (name: string, port: number): Promise<Api> => {
      const served = launch('api', port)
      const base = `http://127.0.0.1:${port}`
      await waitFor(`${base}/readyz`, served, 90_000)
      return { name, base, served, up: true, inFlight: 0 }
    }
    // One after the other: started at the same moment on a fresh database, all but one can fail
    // to register the job queues (test/infra/queue-register-race.test.ts).
    const apis = [await startApi('A', ports[0] as number)]
    apis.push(await startApi('B', ports[1] as number))
    mark('started')
    const live = () => apis.filter((api) => api.up)
    const anyApi = () => {
      const candidates = live()
      return candidates[Math.floor(random() * candidates.length)] as Api
    }

    // Sign-ups alternate between the processes: a token issued by one is accepted by the other.
    const signUp = async (i: number) => {
      const res = await call(
        apis[i % 2] as Api,
        'POST',
        '/auth/v1/signup',
        {},
        {
          email: `multi-${i}-${randomBytes(4).toString('hex')}@example.test`,
          password: 'correct horse battery staple',
        },
      )
      expect(res.status, res.text).toBe(200)
      const session = res.json() as { user: { id: string }; access_token: string }
      return { userId: session.user.id, headers: { authorization: `Bearer ${session.access_token}` } }
    }
    const creator = await signUp(0)
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => signUp(i + 1)))
    const closeAt = new Date(Date.now() + 3_600_000).toISOString()
    const markets: Array<{ id: string; outcomes: number }> = []
    for (const [i, spec] of [
      { question: 'Multi-process: binary?', kind: 'binary', subsidy: '200' },
      {
        question: 'Multi-process: categorical?',
        kind: 'categorical',
        outcomes: ['A', 'B', 'C'],
        subsidy: '250',
      },
    ].entries()) {
      const res = await call(apis[(i + 1) % 2] as Api, 'POST', '/v1/markets', creator.headers, {
        ...spec,
        close_at: closeAt,
      })
      expect(res.status, res.text).toBe(201)
      markets.push({ id: res.json().id as string, outcomes: (res.json().outcomes as unknown[]).length })
    }

    // Everything the clients were told, and what they were not.
    const acknowledged = new Map<string, { sent: Sent; trade: TradeJson }>()
    const keyAnswers = new Map<string, KeyAnswer>()
    const answeredAsNew = new Set<string>()
    const lost: Sent[] = [] // the connection failed: the answer, whatever it was, never arrived
    const statuses = new Map<number, number>()
    const refusals = new Map<string, number>()
    const mismatches: string[] = []
    let answered = 0
    let racePairs = 0
    let retries = 0
    const count = <K>(map: Map<K, number>, k: K) => map.set(k, (map.get(k) ?? 0) + 1)
    const keyOf = (sent: Sent) => `${clients[sent.client]?.userId}/${sent.key}`

    /** Records an answer, and any contradiction with an earlier answer of the same trade or key. */
    const record = (sent: Sent, res: Answer, api: Api): void => {
      answered++
      count(statuses, res.status)
      const where = `${api.name} ${sent.key ?? '(no key)'} ${JSON.stringify(sent.body)}`
      let answer: KeyAnswer
      if (res.status === 201) {
        const trade = res.json().trade as TradeJson
        answer = { trade }
        const earlier = acknowledged.get(trade.id)
        if (earlier && JSON.stringify(earlier.trade) !== JSON.stringify(trade)) {
          mismatches.push(`${where}: trade ${trade.id} answered differently`)
        }
        // Only one answer per trade says it is new; all others are replays (whichever arrives first).
        if (!res.replayed) {
          if (answeredAsNew.has(trade.id))
            mismatches.push(`${where}: trade ${trade.id} answered twice as new`)
          answeredAsNew.add(trade.id)
        }
        if (!earlier) acknowledged.set(trade.id, { sent, trade })
      } else if (res.status === 422) {
        const code = res.json().code as string
        count(refusals, code)
        answer = { refused: `422 ${code}` }
      } else {
        mismatches.push(`${where}: status ${res.status}: ${res.text}`)
        return
      }
      if (sent.key === undefined) return
      const previous = keyAnswers.get(keyOf(sent))
      if (!previous) keyAnswers.set(keyOf(sent), answer)
      else if ('trade' in previous !== 'trade' in answer) {
        mismatches.push(
          `${where}: key answered ${JSON.stringify(previous)} and then ${JSON.stringify(answer)}`,
        )
      } else if ('trade' in previous && 'trade' in answer && previous.trade.id !== answer.trade.id) {
        mismatches.push(`${where}: key answered trade ${previous.trade.id} and then ${answer.trade.id}`)
      } else if ('refused' in previous && 'refused' in answer && previous.refused !== answer.refused) {
        mismatches.push(`${where}: key refused as ${previous.refused} and then ${answer.refused}`)
      }
    }

    const send = async (sent: Sent, api: Api) => {
      const client = clients[sent.client] as (typeof clients)[number]
      try {
        const res = await call(
          api,
          'POST',
          `/v1/markets/${sent.market}/trades`,
          { ...client.headers, ...(sent.key ? { 'idempotency-key': sent.key } : {}) },
          sent.body,
        )
        record(sent, res, api)
        return res
      } catch (error) {
        // Only the killed process may drop a request.
        if (api.up) throw error
        lost.push(sent)
        return undefined
      }
    }

    // The ledger's invariants, checked while the trades run (each check is one snapshot).
    let trading = true
    const violationsWhileTrading: string[] = []
    let checksWhileTrading = 0
    const monitor = (async () => {
      while (trading) {
        violationsWhileTrading.push(...(await ledgerViolations(db)))
        checksWhileTrading++
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()

    const trader = async (c: number) => {
      const next = rng(seed * 1000 + c)
      const keyed: Sent[] = []
      for (let i = 0; trading; i++) {
        const market = markets[Math.floor(next() * markets.length)] as { id: string; outcomes: number }
        const outcome = Math.floor(next() * market.outcomes)
        const roll = next()
        const previous = keyed.length > 0 ? keyed[Math.floor(next() * keyed.length)] : undefined
        if (previous && roll < 0.05) {
          // A retry of an earlier keyed request, to either process: the same answer.
          // `record` holds it to the key's first answer.
          await send(previous, anyApi())
          retries++
          continue
        }
        if (roll < 0.12 && live().length > 1) {
          // The same new key and body at the same moment to both processes: one trades, the
          // other waits for it and answers with the same trade; or both refuse alike.
          const sent: Sent = {
            client: c,
            market: market.id,
            body: { outcome, side: 'buy', amount: (0.5 + next() * 10).toFixed(6) },
            key: `c${c}-race${i}`,
          }
          const [one, other] = live()
          const pair = await Promise.all([send(sent, one as Api), send(sent, other as Api)])
          if (pair[0] && pair[1]) {
            racePairs++
            const [x, y] = pair
            if (x.status !== y.status) mismatches.push(`race ${sent.key}: ${x.status} and ${y.status}`)
            else if (x.status === 201) {
              if (Number(x.replayed) + Number(y.replayed) !== 1) {
                mismatches.push(`race ${sent.key}: replayed ${x.replayed} and ${y.replayed}`)
              }
              const [tx, ty] = [x.json().trade, y.json().trade]
              if (JSON.stringify(tx) !== JSON.stringify(ty)) mismatches.push(`race ${sent.key}: two trades`)
            } else {
              const problem = (res: Answer) => {
                const { request_id: _id, ...rest } = res.json()
                return JSON.stringify(rest)
              }
              if (problem(x) !== problem(y)) mismatches.push(`race ${sent.key}: ${x.text} and ${y.text}`)
            }
          }
          if (pair[0] || pair[1]) keyed.push(sent)
          continue
        }
        let body: TradeBody
        let expectRefusal: string | undefined
        if (roll < 0.17) {
          // More than anyone holds.
          body = { outcome, side: 'sell', shares: '1000000' }
          expectRefusal = 'insufficient_shares'
        } else if (roll < 0.22) {
          // More than anyone's cash (1000 credits at sign-up).
          body = { outcome, side: 'buy', amount: '50000' }
          expectRefusal = 'insufficient_funds'
        } else if (roll < 0.6) body = { outcome, side: 'buy', amount: (0.5 + next() * 20).toFixed(6) }
        else if (roll < 0.7) body = { outcome, side: 'buy', shares: (0.1 + next() * 10).toFixed(3) }
        else if (roll < 0.93) body = { outcome, side: 'sell', shares: (0.1 + next() * 10).toFixed(2) }
        else body = { outcome, side: 'sell', shares: 'all' }
        const sent: Sent = {
          client: c,
          market: market.id,
          body,
          ...(next() < 0.6 ? { key: `c${c}-op${i}` } : {}),
        }
        const res = await send(sent, anyApi())
        if (sent.key && res) keyed.push(sent)
        if (res && expectRefusal && (res.status !== 422 || res.json().code !== expectRefusal)) {
          mismatches.push(`${JSON.stringify(body)} answered ${res.status} ${res.text}, not ${expectRefusal}`)
        }
      }
    }

    let tradersFailed = false
    const until = async (condition: () => boolean) => {
      while (!condition()) {
        if (tradersFailed) throw new Error('a trader failed')
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    }
    mark('signed up')
    const traders = Promise.all(clients.map((_, c) => trader(c))).catch((error) => {
      // Stop the monitor and the stages too, so the failure is reported at once.
      tradersFailed = true
      trading = false
      throw error
    })
    const stages = (async () => {
      await until(() => answered >= BEFORE_KILL)
      // Kill B while it has requests in flight; from this moment new requests go to A only.
      const victim = apis[1] as Api
      await until(() => victim.inFlight >= 3)
      const inFlightAtKill = victim.inFlight
      victim.up = false
      killGroup(victim.served, 'SIGKILL')
      await victim.served.exited
      mark('killed')
      const killedAt = answered
      await until(() => answered >= killedAt + WHILE_DOWN)
      // A supervisor starts it again: same database, same port.
      const restarted = await startApi('B2', ports[1] as number)
      mark('restarted')
      apis[1] = restarted
      const restartedAt = answered
      await until(() => answered >= restartedAt + AFTER_RESTART)
      trading = false
      return inFlightAtKill
    })()
    const [inFlightAtKill] = await Promise.all([stages, traders])
    await monitor
    mark('traded')

    // The requests whose answers the crash swallowed, retried with their keys on a live
    // process: a trade the crash let commit is answered (replayed), one it rolled back can be
    // made now (or refused).
    const lostKeyed = lost.filter((sent) => sent.key !== undefined)
    const lostUnkeyed = lost.filter((sent) => sent.key === undefined)
    let committedBeforeCrash = 0
    for (const sent of lostKeyed) {
      const client = clients[sent.client] as (typeof clients)[number]
      const existing = await db.many(TradesByKey, [client.userId, sent.key])
      if (existing.length > 0) committedBeforeCrash++
      const res = await send(sent, anyApi())
      if (!res) throw new Error(`a live process did not answer the retry of ${sent.key}`)
      if (existing.length > 0) {
        expect(res.status, `${sent.key} committed before the crash: ${res.text}`).toBe(201)
        expect(res.replayed).toBe(true)
        expect((res.json().trade as TradeJson).id).toBe(existing[0]?.id)
      }
    }

    mark('retried')
    process.stdout.write(
      `[multi-process] seed ${seed}: ${answered} answers, ${acknowledged.size} trades acknowledged, ` +
        `${racePairs} racing pairs across processes, ${retries} retries, ${inFlightAtKill} requests in flight ` +
        `at the kill, ${lost.length} answers lost (${lostKeyed.length} keyed, of which ${committedBeforeCrash} ` +
        `had committed), ${checksWhileTrading} invariant checks while trading, ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}, refusals ${JSON.stringify(Object.fromEntries(refusals))}\n`,
    )
    expect(mismatches, 'answers that contradict each other or the rules').toEqual([])
    expect(violationsWhileTrading).toEqual([])
    expect(lost.length, 'requests in flight on the killed process').toBeGreaterThan(0)
    expect(racePairs).toBeGreaterThan(0)
    expect(refusals.get('insufficient_shares') ?? 0).toBeGreaterThan(0)
    expect(refusals.get('insufficient_funds') ?? 0).toBeGreaterThan(0)
    expect(acknowledged.size).toBeGreaterThan(200)

    // Every acknowledged trade is in the database as it was told.
    const rows = await db.many(
      sql<{
        id: string
        trader_id: string
        market_id: string
        side: string
        shares: bigint
        cost: bigint
        proceeds: bigint
        fee: bigint
        idempotency_key: string | null
      }>(
        'MultiProcessAllTrades',
        'select id, trader_id, market_id, side, shares, cost, proceeds, fee, idempotency_key from public.trades',
      ),
    )
    const inDb = new Map(rows.map((row) => [row.id, row]))
    const show = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v))
    const wrong: string[] = []
    for (const [id, { sent, trade }] of acknowledged) {
      const row = inDb.get(id)
      const told = {
        trader_id: clients[sent.client]?.userId,
        market_id: sent.market,
        side: trade.side,
        shares: parseAmount(trade.shares),
        cost: parseAmount(trade.cost),
        proceeds: parseAmount(trade.proceeds),
        fee: parseAmount(trade.fee),
        idempotency_key: sent.key ?? null,
      }
      const stored = row && {
        trader_id: row.trader_id,
        market_id: row.market_id,
        side: row.side,
        shares: row.shares,
        cost: row.cost,
        proceeds: row.proceeds,
        fee: row.fee,
        idempotency_key: row.idempotency_key,
      }
      if (show(stored) !== show(told))
        wrong.push(`${id}: told ${show(told)}, stored ${show(stored) ?? 'nothing'}`)
    }
    expect(wrong, 'acknowledged trades missing or different in public.trades').toEqual([])

    // Each key that traded traded once, the trade it answered with; each refused key traded none.
    const byKey = new Map<string, string[]>()
    for (const row of rows) {
      if (row.idempotency_key === null) continue
      const k = `${row.trader_id}/${row.idempotency_key}`
      byKey.set(k, [...(byKey.get(k) ?? []), row.id])
    }
    for (const [k, answer] of keyAnswers) {
      expect(byKey.get(k) ?? [], k).toEqual('trade' in answer ? [answer.trade.id] : [])
    }

    // A trade nobody was told about is a lost request's: a keyed one was answered by its retry
    // above; an unkeyed one matches a lost request of the same trader, market and side.
    const unclaimed = rows.filter((row) => !acknowledged.has(row.id))
    const candidates = lostUnkeyed.map(
      (sent) => `${clients[sent.client]?.userId} ${sent.market} ${sent.body.side}`,
    )
    for (const row of unclaimed) {
      const at = candidates.indexOf(`${row.trader_id} ${row.market_id} ${row.side}`)
      expect(row.idempotency_key, `trade ${row.id} was never acknowledged`).toBeNull()
      expect(at, `trade ${row.id} was never acknowledged nor lost in the crash`).toBeGreaterThanOrEqual(0)
      candidates.splice(at, 1)
    }

    // Each trade is whole: one journal entry, whose postings move the trader's cash, the escrow
    // and the fees by exactly the trade's amounts; and no trade entry without its trade.
    const partial = await db.many(
      sql<{ item: string }>(
        'MultiProcessWholeTrades',
        `with entries as (
           select e.trade_id, count(distinct e.id) as entries,
                  coalesce(sum(p.amount) filter (where a.kind = 'user_cash' and a.user_id = e.user_id), 0) as cash,
                  coalesce(sum(p.amount) filter (where a.kind = 'branch_escrow'), 0) as escrow,
                  coalesce(sum(p.amount) filter (where p.account_id = 2), 0) as fees
             from public.journal_entries e
             join public.ledger_postings p on p.entry_id = e.id
             left join public.ledger_accounts a on a.id = p.account_id
            where e.kind = 'trade'
            group by e.trade_id
         )
         select coalesce(t.id, e.trade_id)::text || ': ' || coalesce(e.entries, 0) || ' entries, cash '
                || coalesce(e.cash, 0) || ', escrow ' || coalesce(e.escrow, 0) || ', fees ' || coalesce(e.fees, 0) as item
           from public.trades t
           full join entries e on e.trade_id = t.id
          where t.id is null or e.trade_id is null or e.entries <> 1
             or e.cash <> t.proceeds - t.cost - t.fee or e.escrow <> t.cost - t.proceeds or e.fees <> t.fee
          limit 10`,
      ),
    )
    expect(partial, 'trades without their postings, or postings without their trade').toEqual([])
    expect(await ledgerViolations(db)).toEqual([])

    // Resolve over HTTP, and let a worker process pay the markets out.
    const resolutions = [{ outcome: 'YES' }, { outcome: 'B' }]
    for (const [i, market] of markets.entries()) {
      const res = await call(anyApi(), 'POST', `/v1/markets/${market.id}/resolve`, creator.headers, {
        ...resolutions[i],
        evidence: { note: 'the multi-process test says so' },
      })
      expect(res.status, res.text).toBe(200)
    }
    const worker = launch('worker', await freePort())
    const payDeadline = Date.now() + 60_000
    for (const market of markets) {
      for (;;) {
        const res = await call(apis[0] as Api, 'GET', `/v1/markets/${market.id}`, {})
        if (res.json().status === 'finalized') break
        if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`)
        if (Date.now() > payDeadline) throw new Error(`market ${market.id} not paid out:\n${worker.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    expect(await ledgerViolations(db)).toEqual([])
    const totals = await ledgerTotals(db)
    expect(totals.escrow).toBe(0n)
    expect(totals.cash + totals.fees).toBe(totals.issued)
    expect(totals.issued).toBe(BigInt(CLIENTS + 1) * parseAmount('1000'))

    mark('settled')
    process.stdout.write(
      `[multi-process] ${unclaimed.length} of the ${lostUnkeyed.length} lost requests without a key had committed; ` +
        `${phases.join(', ')}\n`,
    )
    // The processes still running stop cleanly.
    for (const served of [apis[0]?.served, apis[1]?.served, worker]) {
      if (!served) continue
      killGroup(served, 'SIGTERM')
      expect(await served.exited, served.output()).toBe(0)
    }
  }, 120_000)
})
