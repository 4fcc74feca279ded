/**
 * Many processes behind nginx, end to end: Debian's nginx runs deploy/nginx/nginx.conf (a copy
 * rewritten only for ports, upstream addresses and temp paths: test/helpers/nginx.ts) and is
 * started first, then three API processes and a worker of the real service (`serve`, real OS
 * processes on 127.0.0.1, one test database, TRUST_PROXY; REDIS_URL when the run has one, else
 * every process's feed relies on its database catch-up poll). Everything below goes through
 * nginx over real sockets.
 *
 *   - The API takes the client's address from nginx's X-Forwarded-For: sign-in attempts from
 *     127.0.0.2 run into their rate limit while 127.0.0.3's are untouched.
 *   - WebSocket clients attach to /v1/stream through nginx; each one's process is found from
 *     the processes' own dm_realtime_connections gauge. One process serving some of them is the
 *     victim: killed with SIGKILL while clients trade, then started again on its port.
 *   - Clients trade with an Idempotency-Key on every trade and retry a network error, 502, 503
 *     or 504 with the same key and body, as a client behind a load balancer must.
 *
 * What must hold: every acknowledged trade is in public.trades as it was told; every trade in
 * the database is an answered key's; no key traded twice, and a key retried once more replays
 * its trade; the ledger's invariants hold. A client on a process that was not killed received
 * every trade of its channels, in order and without a gap (each event's prev the seq before),
 * among them trades answered by each of the other processes, before the kill and after it; a
 * client on the killed one reconnected through nginx, resumed from its cursor, and ended with
 * the same gap-free sequence. Phases are counted in answered trades, not seconds.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, sql } from '../../src/db/database.js'
import { killGroup, killStarted, type Served, serve, servedTestEnv, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { expectContiguous, FeedClient, type Message } from '../helpers/feed.js'
import { ledgerViolations } from '../helpers/money.js'
import { freePort } from '../helpers/net.js'
import { NGINX_INSTALL, type NginxUnderTest, parseAccessLog, prepareNginx } from '../helpers/nginx.js'
import { rng } from '../helpers/random.js'
import { haveTools, which } from '../helpers/tools.js'

const CLIENTS = 6
// Answered trades before the kill, after it on the two processes left, and after the restarted
// process has answered its first ones. Between the last two the clients wait for the restart
// (seconds, more on a loaded machine), then trade slowly until nginx sends to the restarted
// process again (its fail_timeout, 10 s at most): a few hundred trades in all.
const BEFORE_KILL = 90
const WHILE_DOWN = 60
const AFTER_REJOIN = 60
const PAUSE_MS = 40
const PAUSE_REJOINING_MS = 250
// Sign-up and sign-in attempts per address and window, for the X-Forwarded-For check.
const AUTH_MAX = 3

interface Api {
  name: string
  port: number
  metricsPort: number
  served: Served
}

interface Answer {
  status: number
  text: string
  replayed: boolean
}

/**
 * One HTTP request through nginx from a loopback address of the client's own (Linux routes all
 * of 127/8 to lo), so nginx, and through its X-Forwarded-For the API, sees distinct clients.
 */
function request(
  agent: http.Agent,
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: unknown },
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent,
        method: options.method,
        headers: { ...options.headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text,
            replayed: res.headers['idempotent-replayed'] === 'true',
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** The value of an unlabelled gauge on a process's admin port. */
async function gauge(api: Api, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${api.metricsPort}/metrics`)
  const text = await res.text()
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  return m ? Number(m[1]) : 0
}

const AllTrades = sql<{
  id: string
  trader_id: string
  market_id: string
  branch_seq: bigint
  idempotency_key: string | null
}>(
  'LoadBalancerAllTrades',
  'select id, trader_id, market_id, branch_seq, idempotency_key from public.trades order by market_id, branch_seq',
)

const nginxReady = haveTools(['nginx'], NGINX_INSTALL)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A feed client of the test: its connections through nginx, in order, and what each replayed. */
interface Watcher {
  name: string
  /** The process its first connection was served by. */
  api: Api
  connections: FeedClient[]
  /** The cursor of each channel at subscribe. */
  start: Map<string, Record<string, number>>
  /** Per connection after the first: the events its resume replied with, by channel. */
  replayed: Map<FeedClient, Map<string, Message[]>>
}

/** Every event of `channel` the watcher got, over all its connections, in arrival order. */
function eventsOf(watcher: Watcher, channel: string): Message[] {
  return watcher.connections.flatMap((conn) => [
    ...(watcher.replayed.get(conn)?.get(channel) ?? []),
    ...conn.events(channel),
  ])
}

/** Where the watcher is in `channel`: its start cursor moved on by the events it got. */
function cursorOf(watcher: Watcher, channel: string): Record<string, number> {
  const cursor = { ...watcher.start.get(channel) }
  for (const e of eventsOf(watcher, channel)) cursor[e.stream] = e.seq
  return cursor
}

interface TradeJson {
  id: string
  market_id: string
}

/** A trade as the client sent it: its key, body, and every attempt's request id. */
interface Sent {
  client: number
  market: string
  key: string
  body: Record<string, unknown>
  attempts: string[]
}

describe.skipIf(!nginxReady)('three API processes and a worker behind nginx', () => {
  let database: TestDatabase
  let db: Database
  let proxy: NginxUnderTest
  const started: Served[] = []
  const agents: http.Agent[] = []
  const feeds: FeedClient[] = []
  let apis: Api[] = []
  let worker: Served
  let common: Record<string, string>
  let startup = ''

  const launch = (role: 'api' | 'worker', port: number, metricsPort: number) => {
    const served = serve({
      ...common,
      PROCESS_ROLE: role,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    })
    started.push(served)
    return served
  }
  const startApi = async (name: string, port: number, metricsPort: number): Promise<Api> => {
    const served = launch('api', port, metricsPort)
    await waitFor(`http://127.0.0.1:${port}/readyz`, served, 60_000)
    return { name, port, metricsPort, served }
  }
  const agent = (address: string) => {
    const made = new http.Agent({ keepAlive: true, localAddress: address })
    agents.push(made)
    return made
  }
  const connect = async () => {
    const feed = await FeedClient.connect(proxy.base)
    feeds.push(feed)
    return feed
  }
  const signUp = async (address: string) => {
    const own = agent(address)
    const res = await request(own, `${proxy.base}/auth/v1/signup`, {
      method: 'POST',
      body: {
        email: `lb-${randomBytes(6).toString('hex')}@example.test`,
        password: 'correct horse battery staple',
      },
    })
    expect(res.status, res.text).toBe(200)
    const session = JSON.parse(res.text) as { user: { id: string; email: string }; access_token: string }
    return {
      userId: session.user.id,
      email: session.user.email,
      agent: own,
      headers: { authorization: `Bearer ${session.access_token}` },
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDatabase({ connectionString: database.url, max: 2, statementTimeoutMs: 30_000 })
    const ports = [await freePort(), await freePort(), await freePort()]
    const metricsPorts = [await freePort(), await freePort(), await freePort()]

    // nginx first, as compose and a real host start it: no instance is up yet, so a request is
    // a 502 (one request only: three failures would take an instance out for fail_timeout).
    proxy = await prepareNginx(which('nginx') as string, ports)
    const check = proxy.check()
    expect(check.status, check.stderr).toBe(0)
    await proxy.start()
    const early = await request(agent('127.0.0.1'), `${proxy.base}/readyz`, { method: 'GET' })
    expect(early.status).toBe(502)

    common = {
      ...servedTestEnv(database.url, proxy.base),
      TRUST_PROXY: 'true',
      // As compose and the Kubernetes manifests run it: the database is migrated beforehand
      // (here: cloned from the migrated template), /readyz still checks it.
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
      DATABASE_POOL_MAX: '4',
      SHUTDOWN_GRACE_MS: '3000',
      REALTIME_POLL_MS: '250',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    }
    const t0 = Date.now()
    // The first alone, then the others at once. All four at once on a fresh database failed
    // here: one process exited with "deadlock detected" from pg-boss's createQueue inside
    // JobQueue.register (src/infra/queue.ts), whose advisory lock does not cover every path
    // that creates a queue. Once the queues exist the others only look them up.
    apis = [await startApi('A', ports[0] as number, metricsPorts[0] as number)]
    const workerMetrics = await freePort()
    worker = launch('worker', await freePort(), workerMetrics)
    apis.push(
      ...(await Promise.all(
        ['B', 'C'].map((name, i) => startApi(name, ports[i + 1] as number, metricsPorts[i + 1] as number)),
      )),
    )
    await waitFor(`http://127.0.0.1:${workerMetrics}/metrics`, worker, 60_000)
    startup = `4 processes started in ${((Date.now() - t0) / 1000).toFixed(1)} s`
  }, 120_000)

  afterAll(async () => {
    for (const feed of feeds) await feed.close()
    for (const made of agents) made.destroy()
    await killStarted(started)
    await proxy?.stop()
    await db?.close()
    await database?.drop()
  })

  it("takes each client's address from nginx's X-Forwarded-For (TRUST_PROXY): one address's limit spares another", async () => {
    const user = await signUp('127.0.0.4')
    const signIn = (address: string) =>
      request(agent(address), `${proxy.base}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        body: { email: user.email, password: 'not the password' },
      })
    // Without Redis each process counts on its own; 3 × AUTH_MAX + 1 attempts put more than
    // AUTH_MAX on at least one of them, whichever way nginx spreads them.
    const statuses: number[] = []
    for (let i = 0; i < 3 * AUTH_MAX + 1; i++) statuses.push((await signIn('127.0.0.2')).status)
    expect(
      statuses.every((status) => status === 400 || status === 429),
      statuses.join(),
    ).toBe(true)
    expect(statuses.slice(0, AUTH_MAX)).toEqual(Array(AUTH_MAX).fill(400))
    expect(statuses).toContain(429)
    // With one store for all, the count is exact.
    if (common.REDIS_URL) expect(statuses.slice(AUTH_MAX)).toEqual(Array(2 * AUTH_MAX + 1).fill(429))
    // Another address, through the same nginx: a bucket of its own, AUTH_MAX attempts refused
    // for the password only. Without TRUST_PROXY every request would come from nginx's
    // 127.0.0.1, into the bucket the attempts above filled.
    const other: number[] = []
    for (let i = 0; i < AUTH_MAX; i++) other.push((await signIn('127.0.0.3')).status)
    expect(other).toEqual(Array(AUTH_MAX).fill(400))
  })

  it('keeps every acknowledged trade once through a SIGKILL, and feeds every trade to clients on the other processes', async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000)
    const t0 = Date.now()
    const phases: string[] = []
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const creator = await signUp('127.0.0.5')
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => signUp(`127.0.0.${10 + c}`)))
    const closeAt = new Date(Date.now() + 3_600_000).toISOString()
    const markets: string[] = []
    for (const question of ['Behind nginx: one?', 'Behind nginx: two?']) {
      const res = await request(creator.agent, `${proxy.base}/v1/markets`, {
        method: 'POST',
        headers: creator.headers,
        body: { question, kind: 'binary', subsidy: '200', close_at: closeAt },
      })
      expect(res.status, res.text).toBe(201)
      markets.push((JSON.parse(res.text) as { id: string }).id)
    }
    const channels = markets.map((id) => `market:${id}:trades`)

    // Feed clients through nginx, each one's process told by the gauge that rose when it came,
    // until two processes serve some.
    const gauges = () => Promise.all(apis.map((api) => gauge(api, 'dm_realtime_connections')))
    const watchers: Watcher[] = []
    while (new Set(watchers.map((w) => w.api)).size < 2 || watchers.length < 3) {
      if (watchers.length >= 9) throw new Error('nginx sent nine feed clients to one process')
      const before = await gauges()
      const conn = await connect()
      let api: Api | undefined
      for (let tries = 0; !api; tries++) {
        const after = await gauges()
        api = apis.find((_, i) => (after[i] as number) > (before[i] as number))
        if (!api && tries > 50) throw new Error('no process counted the new feed connection')
        if (!api) await sleep(20)
      }
      const watcher: Watcher = {
        name: `w${watchers.length}`,
        api,
        connections: [conn],
        start: new Map(),
        replayed: new Map(),
      }
      for (const channel of channels) {
        const reply = await conn.request({ type: 'subscribe', channel })
        expect(reply.ok, JSON.stringify(reply)).toBe(true)
        watcher.start.set(channel, reply.cursor)
      }
      watchers.push(watcher)
    }
    const victim = (watchers[0] as Watcher).api
    const onVictim = watchers.filter((w) => w.api === victim)
    const steady = watchers.filter((w) => w.api !== victim)
    mark(`${watchers.length} feed clients attached (${onVictim.length} on the victim)`)

    // Trading: every trade keyed; a network error, 502, 503 or 504 retried with the same key.
    let trading = true
    let answered = 0
    let pause = PAUSE_MS
    let held: Promise<unknown> | undefined
    let networkErrors = 0
    const retryStatuses = new Map<number, number>()
    const acknowledged = new Map<string, { sent: Sent; requestId: string; replayed: boolean }>()
    const keyAnswers = new Map<string, string>() // userId/key → trade id or "422 code"
    const mismatches: string[] = []
    const sentAll: Sent[] = []
    const count = <K>(map: Map<K, number>, k: K) => map.set(k, (map.get(k) ?? 0) + 1)
    const keyOf = (sent: Sent) => `${clients[sent.client]?.userId}/${sent.key}`

    const trade = async (sent: Sent) => {
      const client = clients[sent.client] as (typeof clients)[number]
      for (;;) {
        const requestId = `${sent.key}-a${sent.attempts.length}`
        sent.attempts.push(requestId)
        const res = await request(client.agent, `${proxy.base}/v1/markets/${sent.market}/trades`, {
          method: 'POST',
          headers: { ...client.headers, 'idempotency-key': sent.key, 'x-request-id': requestId },
          body: sent.body,
        }).catch(() => {
          networkErrors++
          return undefined
        })
        if (res && ![502, 503, 504].includes(res.status)) return { res, requestId }
        if (res) count(retryStatuses, res.status)
        if (sent.attempts.length >= 100) throw new Error(`${sent.key}: no answer in 100 attempts`)
        await sleep(50)
      }
    }

    const record = (sent: Sent, res: Answer, requestId: string) => {
      answered++
      let answer: string
      if (res.status === 201) {
        const traded = (JSON.parse(res.text) as { trade: TradeJson }).trade
        answer = traded.id
        if (acknowledged.has(traded.id))
          mismatches.push(`${sent.key}: trade ${traded.id} answered to two keys`)
        acknowledged.set(traded.id, { sent, requestId, replayed: res.replayed })
      } else if (res.status === 422) {
        answer = `422 ${(JSON.parse(res.text) as { code: string }).code}`
      } else {
        mismatches.push(`${sent.key}: ${res.status} ${res.text}`)
        return
      }
      keyAnswers.set(keyOf(sent), answer)
    }

    const trader = async (c: number) => {
      const next = rng(seed * 100 + c)
      for (let i = 0; trading; i++) {
        const market = markets[Math.floor(next() * markets.length)] as string
        const outcome = next() < 0.5 ? 0 : 1
        const body =
          next() < 0.8
            ? { outcome, side: 'buy', amount: (0.5 + next() * 4).toFixed(6) }
            : { outcome, side: 'sell', shares: (0.1 + next()).toFixed(3) }
        const sent: Sent = { client: c, market, key: `lb-${c}-${i}`, body, attempts: [] }
        sentAll.push(sent)
        const { res, requestId } = await trade(sent)
        record(sent, res, requestId)
        await sleep(pause)
        await held
      }
    }

    let failed = false
    const until = async (condition: () => boolean) => {
      while (!condition()) {
        if (failed) throw new Error('a trader failed')
        await sleep(5)
      }
    }
    const traders = Promise.all(clients.map((_, c) => trader(c))).catch((error) => {
      failed = true
      trading = false
      throw error
    })
    const victimPort = `127.0.0.1:${victim.port}`
    /** Trades answered (201, not a replay) by the victim's port since the log had `from` lines. */
    const answeredByVictim = (from: number) =>
      parseAccessLog(proxy.output())
        .slice(from)
        .filter((l) => l.method === 'POST' && l.status === 201 && l.upstreams.at(-1) === victimPort).length
    let killedAt = 0
    let logAtKill = 0
    let logAtRestart = 0
    const stages = (async () => {
      await until(() => answered >= BEFORE_KILL)
      killGroup(victim.served, 'SIGKILL')
      await victim.served.exited
      killedAt = answered
      logAtKill = parseAccessLog(proxy.output()).length
      mark(`killed ${victim.name} at ${killedAt} answers`)
      // Its feed clients lose their connection (nginx closes them when the upstream goes), and
      // come back through nginx from where they were.
      for (const watcher of onVictim) {
        const lost = watcher.connections.at(-1) as FeedClient
        // No close frame from a killed process: nginx drops the client's connection (1006).
        expect((await lost.closed).code).toBe(1006)
        for (let attempt = 0; ; attempt++) {
          const conn = await connect().catch(() => undefined)
          if (conn) {
            const replies = new Map<string, Message[]>()
            for (const channel of channels) {
              const reply = await conn.request({
                type: 'resume',
                channel,
                cursor: cursorOf(watcher, channel),
              })
              expect(reply.ok, JSON.stringify(reply)).toBe(true)
              replies.set(channel, reply.events)
            }
            watcher.replayed.set(conn, replies)
            watcher.connections.push(conn)
            break
          }
          if (attempt > 50) throw new Error(`${watcher.name} could not reconnect through nginx`)
          await sleep(100)
        }
      }
      mark('feed clients of the victim resumed')
      await until(() => answered >= killedAt + WHILE_DOWN)
      // A supervisor starts it again on its port; nginx sends to it once fail_timeout is over.
      const restarting = startApi(`${victim.name}2`, victim.port, victim.metricsPort)
      held = restarting
      const restarted = await restarting
      apis[apis.indexOf(victim)] = restarted
      logAtRestart = parseAccessLog(proxy.output()).length
      pause = PAUSE_REJOINING_MS
      held = undefined
      mark('restarted')
      while (answeredByVictim(logAtRestart) < 5) {
        if (failed) throw new Error('a trader failed')
        await sleep(100)
      }
      mark('rejoined')
      pause = PAUSE_MS
      const rejoinedAt = answered
      await until(() => answered >= rejoinedAt + AFTER_REJOIN)
      trading = false
    })().catch((error) => {
      trading = false
      throw error
    })
    await Promise.all([stages, traders])
    mark(`traded ${answered}`)

    // A key that needed a retry, sent once more: the same answer, a replay, never a new trade.
    const retried = sentAll.filter((sent) => sent.attempts.length > 1)
    for (const sent of retried) {
      const { res } = await trade(sent)
      const first = keyAnswers.get(keyOf(sent))
      if (res.status === 201) {
        const traded = (JSON.parse(res.text) as { trade: TradeJson }).trade
        expect(traded.id, sent.key).toBe(first)
        expect(res.replayed, sent.key).toBe(true)
      } else expect(`${res.status} ${(JSON.parse(res.text) as { code: string }).code}`).toBe(first)
    }

    expect(mismatches).toEqual([])
    expect(answered).toBe(sentAll.length)

    // The database: every acknowledged trade as told, every trade an answered key's, each key once.
    const rows = await db.many(AllTrades)
    const byId = new Map(rows.map((row) => [row.id, row]))
    const wrong: string[] = []
    for (const [id, { sent }] of acknowledged) {
      const row = byId.get(id)
      const told = `${clients[sent.client]?.userId} ${sent.market} ${sent.key}`
      const stored = row && `${row.trader_id} ${row.market_id} ${row.idempotency_key}`
      if (stored !== told) wrong.push(`${id}: told ${told}, stored ${stored ?? 'nothing'}`)
    }
    expect(wrong, 'acknowledged trades missing or different').toEqual([])
    const perKey = new Map<string, string[]>()
    for (const row of rows) {
      const k = `${row.trader_id}/${row.idempotency_key}`
      perKey.set(k, [...(perKey.get(k) ?? []), row.id])
    }
    expect(
      [...perKey].filter(([, ids]) => ids.length > 1),
      'keys that traded twice',
    ).toEqual([])
    expect(
      rows.filter((row) => keyAnswers.get(`${row.trader_id}/${row.idempotency_key}`) !== row.id),
      'trades no client was answered with',
    ).toEqual([])
    expect(acknowledged.size).toBe(rows.length)
    expect(await ledgerViolations(db)).toEqual([])

    // The feeds: every watcher ends with every trade of its channels, gap-free, in branch order.
    const answeredBy = new Map(
      parseAccessLog(proxy.output())
        .filter((l) => l.method === 'POST' && l.status === 201)
        .map((l, index) => [l.requestId, { upstream: l.upstreams.at(-1), index }]),
    )
    for (const watcher of [...steady, ...onVictim]) {
      for (const [m, channel] of channels.entries()) {
        const inDb = rows.filter((row) => row.market_id === markets[m])
        const last = Number(inDb.at(-1)?.branch_seq ?? 0)
        const current = watcher.connections.at(-1) as FeedClient
        await current.waitFor(() => (cursorOf(watcher, channel).b0 ?? 0) >= last, 20_000)
        const events = eventsOf(watcher, channel)
        const from = watcher.start.get(channel)?.b0 ?? 0
        expect(expectContiguous(events, from), `${watcher.name} ${channel}`).toBe(last)
        expect(events.every((e) => e.seq === e.prev + 1)).toBe(true)
        expect(
          events.map((e) => e.data.id),
          `${watcher.name} ${channel}: the trades in branch order`,
        ).toEqual(inDb.filter((row) => Number(row.branch_seq) > from).map((row) => row.id))
      }
    }
    for (const watcher of steady) {
      expect(watcher.connections).toHaveLength(1)
      expect(watcher.connections[0]?.ws.readyState).toBe(1)
    }
    for (const watcher of onVictim) expect(watcher.connections.length).toBeGreaterThan(1)

    // Among what the steady clients got: trades answered by every other process, the victim
    // before its kill and after its restart included, and trades after the kill.
    for (const watcher of steady) {
      const own = `127.0.0.1:${watcher.api.port}`
      const got = channels.flatMap((channel) => eventsOf(watcher, channel).map((e) => e.data.id as string))
      const via = got.flatMap((id) => {
        const told = acknowledged.get(id)
        const line = told && !told.replayed ? answeredBy.get(told.requestId) : undefined
        return line ? [line] : []
      })
      const third = apis.find((api) => api !== victim && api !== watcher.api) as Api
      const counts = {
        victimBeforeKill: via.filter((l) => l.upstream === victimPort && l.index < logAtKill).length,
        victimAfterRestart: via.filter((l) => l.upstream === victimPort && l.index >= logAtRestart).length,
        third: via.filter((l) => l.upstream === `127.0.0.1:${third.port}`).length,
        othersAfterKill: via.filter((l) => l.upstream !== own && l.index >= logAtKill).length,
      }
      expect(
        Object.values(counts).every((n) => n > 0),
        `${watcher.name}: ${JSON.stringify(counts)}`,
      ).toBe(true)
    }
    mark('checked')

    // The processes still running stop cleanly, and say "going away" to the feed clients they
    // serve, through nginx.
    const running = [...apis.map((api) => api.served), worker]
    for (const served of running) killGroup(served, 'SIGTERM')
    for (const served of running) expect(await served.exited, served.output()).toBe(0)
    for (const watcher of watchers) {
      expect((await watcher.connections.at(-1)?.closed)?.code, watcher.name).toBe(1001)
    }
    process.stdout.write(
      `[load-balancer] seed ${seed}, ${common.REDIS_URL ? 'Redis' : 'no Redis (database catch-up)'}: ` +
        `${answered} trades answered, ${acknowledged.size} acknowledged, ${retried.length} keys retried ` +
        `(${networkErrors} network errors, statuses ${JSON.stringify(Object.fromEntries(retryStatuses))}), ` +
        `${[...acknowledged.values()].filter((a) => a.replayed).length} answered by replay, ` +
        `killed at ${killedAt}; ${startup}, ${phases.join(', ')}\n`,
    )
  }, 90_000)
})
