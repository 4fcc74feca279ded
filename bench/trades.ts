/**
 * Trade throughput and latency: `npm run bench:trades`. Not a test.
 *
 * Four scenarios, each BENCH_DURATION_S long:
 *   1. HTTP, one hot market   — BENCH_CLIENTS keep-alive clients POST /v1/markets/{id}/trades
 *                               with their users' access tokens, all on one market;
 *   2. SQL,  one hot market   — the trade transaction without HTTP and without group commit:
 *                               BENCH_POOL workers on a `pg` pool of BENCH_POOL connections (never
 *                               more queries in flight than connections) each run one trade per
 *                               money transaction, services/trading/write.ts `executeOrders`
 *                               (lock branch, lock cash, positions, pure engine, write
 *                               trade/position/branch, post the ledger), COMMIT;
 *   3. HTTP, BENCH_MARKETS markets — as 1, each trade on a random market;
 *   4. SQL,  BENCH_MARKETS markets — as 2.
 * and prints trades/s, p50 and p99 latency, and the HTTP/SQL ratio per workload. Beside them, in
 * the same run and on the same server, the minimal SQL trade of ../shared/bench (pgbench where
 * the machine has it, else its statements through pg; bench/minimal-trade.ts), on 1 and on
 * BENCH_MARKETS markets, and each HTTP figure's ratio to it: the reference the targets are set in.
 *
 * The API runs as its own process (`src/start/cli.ts serve`, role api), so the load generator
 * does not steal its event loop; it uses BENCH_POOL database connections.
 *
 * The database: BENCH_DATABASE_URL (a server where we may create databases, e.g. the machine's
 * postgres://postgres@127.0.0.1:5432/postgres) gets a fresh database, dropped at the end; unset,
 * an embedded PostgreSQL is started in a temporary folder and removed at the end, so the
 * benchmark runs from a fresh clone with no setup.
 *
 * Trade mix (every scenario): 80% buys of 1–10 credits on a random outcome, 20% "sell all" of
 * a random outcome (refused with 422 when the trader holds none; counted apart, not as trades).
 *
 * Three measurements of issue 9 beside them:
 *   - open-hot, open-many: open-loop latency (bench/open-loop.ts). Trades arrive at a fixed rate
 *     (BENCH_OPEN_RATE, else half the accepted trades/s the closed-loop HTTP scenario of the
 *     same workload reached just before) for BENCH_OPEN_DURATION_S, each timed from its due
 *     time, over a pool of BENCH_OPEN_SOCKETS keep-alive sockets; the API process's RSS is
 *     sampled every second meanwhile;
 *   - grown: trade and GET /v1/me/portfolio p50 on the database as the run left it, then again
 *     after bench/seed.ts has grown it by BENCH_SEED_TRADES trades of BENCH_SEED_USERS users in
 *     SQL, and their ratios. Runs last: it changes the database.
 *
 * BENCH_ANCHOR=1 adds a worker process that anchors the ledger on a local stand-in Starknet node
 * during the closed loops: its lag per HTTP loop, the chain checked against the database, and the
 * first HTTP loop's throughput without the worker beside it (see ANCHOR below).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig, projectRoot } from '../src/config/index.js'
import type { AppContext } from '../src/context.js'
import { createDatabase, type Database, sql } from '../src/db/database.js'
import { systemClock } from '../src/domain/clock.js'
import { createLogger } from '../src/infra/logger.js'
import { secretBoxFromConfig } from '../src/infra/secrets.js'
import { sealStarknetKey } from '../src/infra/starknet/index.js'
import { type AnchoringStatus, anchoringStatus } from '../src/services/anchoring/queries.js'
import { withMoneyTransaction } from '../src/services/money/transaction.js'
import { tradingMarket } from '../src/services/trading/orders.js'
import { executeOrders, type TradeOrder } from '../src/services/trading/write.js'
import { type LocalStarknetNode, startLocalStarknetNode } from '../test/fakes/starknet-node.js'
import { ledgerViolations } from '../test/helpers/money.js'
import { freePort } from '../test/helpers/net.js'
import { rng } from '../test/helpers/random.js'
import { provisionDatabase } from './database.js'
import { BENCH_SERVICE_ENV } from './env.js'
import { type MinimalTradeResult, minimalTradeFiles, runMinimalTrade } from './minimal-trade.js'
import { type OpenLoopResult, openLoop } from './open-loop.js'
import { type SeedResult, seedChecks, seedGrownData } from './seed.js'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32)
const POOL = Number(process.env.BENCH_POOL ?? 16)
const MARKETS = Number(process.env.BENCH_MARKETS ?? 100)
const USERS = Number(process.env.BENCH_USERS ?? 200)
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn')
/**
 * Which scenarios to run (comma-separated of http-hot, sql-hot, http-many, sql-many, the
 * minimal reference: minimal-hot, minimal-many, the open loops: open-hot, open-many, and the
 * grown database: grown); all by default, in that order with each open loop after its
 * workload's closed loop and grown last.
 */
const SCENARIOS = new Set(
  (
    process.env.BENCH_SCENARIOS ??
    'minimal-hot,http-hot,open-hot,sql-hot,minimal-many,http-many,open-many,sql-many,grown'
  )
    .split(',')
    .map((s) => s.trim()),
)
const KNOWN_SCENARIOS = [
  'minimal-hot',
  'http-hot',
  'open-hot',
  'sql-hot',
  'minimal-many',
  'http-many',
  'open-many',
  'sql-many',
  'grown',
]
/** Arrival rate of the open loops, trades/s; unset: half of the closed loop's accepted rate. */
const OPEN_RATE = process.env.BENCH_OPEN_RATE ? Number(process.env.BENCH_OPEN_RATE) : undefined
const OPEN_DURATION_S = Number(process.env.BENCH_OPEN_DURATION_S ?? DURATION_S)
/**
 * Keep-alive sockets of the open loops: enough that a request never waits for one (at 50% load
 * a few dozen are in flight; a stall of a second at 300/s needs 300). Waits are counted.
 */
const OPEN_SOCKETS = Number(process.env.BENCH_OPEN_SOCKETS ?? 512)
/** Closed-loop clients of the grown measurements: few, so p50 is the cost of a request, not a queue. */
const GROWN_CLIENTS = Number(process.env.BENCH_GROWN_CLIENTS ?? 4)
const SEED_USERS = Number(process.env.BENCH_SEED_USERS ?? 100_000)
const SEED_TRADES = Number(process.env.BENCH_SEED_TRADES ?? 1_000_000)
/** One market per creator, so at most BENCH_SEED_USERS; 1000 trades per market by default. */
const SEED_MARKETS = Number(process.env.BENCH_SEED_MARKETS ?? Math.max(1, Math.min(1000, SEED_USERS)))
/**
 * Extra node arguments for the API process, whitespace-separated: e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile it (the profile is written when it exits, which the
 * SIGTERM at the end of the run makes a graceful exit).
 */
// The heap limits `npm start` runs the service with (package.json "config"), then any of the bench's own.
const PACKAGE_NODE_OPTIONS: string = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
  .config.node_options
const API_NODE_ARGS = `${PACKAGE_NODE_OPTIONS} ${process.env.BENCH_API_NODE_OPTIONS ?? ''}`
  .split(/\s+/)
  .filter(Boolean)
/**
 * BENCH_API_DIST=1 runs the API as `npm start` does, from the build (`npm run build` first),
 * instead of from source through tsx, whose loader adds to the process's memory: for the RSS
 * figure as production would have it.
 */
const API_FROM_DIST = process.env.BENCH_API_DIST === '1'
/**
 * BENCH_ANCHOR=1: a worker process (PROCESS_ROLE=worker) anchors the ledger from before the first
 * scenario to the end of the closed loops, on a local stand-in Starknet node; its lag is sampled
 * during the HTTP closed loops; then the backlog is waited out (at most BENCH_ANCHOR_DRAIN_S), the
 * chain is checked against the database, the worker stopped, and the first HTTP closed loop run
 * again without it, for the throughput ratio.
 */
const ANCHOR = process.env.BENCH_ANCHOR === '1'
const ANCHOR_DRAIN_S = Number(process.env.BENCH_ANCHOR_DRAIN_S ?? 300)
/**
 * BENCH_METRICS=both: the cost of metrics, measured in one run. Two API processes on the same
 * database, one without METRICS_PORT (it counts nothing: a no-op registry, no HTTP hook, no query
 * timer) and one with it (scraped every BENCH_METRICS_SCRAPE_S, as Prometheus would); each
 * selected HTTP closed loop (http-hot, http-many) runs BENCH_METRICS_ROUNDS times on each, in
 * alternating order (off, on, on, off, …) so drift of the machine falls on both; then prints the
 * throughput of each and the ratio. Runs only that, not the other scenarios.
 */
const METRICS_BOTH = process.env.BENCH_METRICS === 'both'
const METRICS_ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? 3)
const METRICS_SCRAPE_S = Number(process.env.BENCH_METRICS_SCRAPE_S ?? 15)
/** Connections of the minimal reference: 8, as ../shared/bench/README.md measures it. */
const MINIMAL_CLIENTS = Number(process.env.BENCH_MINIMAL_CLIENTS ?? 8)

const BENCH_ENV = {
  ...BENCH_SERVICE_ENV,
  PROCESS_ROLE: 'api',
  MIGRATE_ON_START: 'true',
  DATABASE_POOL_MAX: String(POOL),
  REDIS_URL: '',
  // Metrics off unless a scenario turns them on; one issuer for every API process of a run, so
  // a token works on each.
  METRICS_PORT: '',
  PUBLIC_URL: 'http://127.0.0.1:3000',
}

interface Service {
  child: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

/** A `serve` process of the service on the run's database, `env` over the bench's own. */
function spawnService(databaseUrl: string, env: Record<string, string>): Service {
  let output = ''
  const built = path.join(projectRoot, 'dist/start/cli.js')
  if (API_FROM_DIST && !existsSync(built)) throw new Error('BENCH_API_DIST=1 needs `npm run build` first')
  const entry = API_FROM_DIST ? [built] : ['--import', 'tsx', path.join(projectRoot, 'src/start/cli.ts')]
  const child = spawn(process.execPath, [...API_NODE_ARGS, ...entry, 'serve'], {
    cwd: projectRoot,
    env: { ...process.env, ...BENCH_ENV, DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Polls `ready` until it holds, the process exits, or two minutes pass. */
async function waitReady(service: Service, what: string, ready: () => Promise<boolean>) {
  const deadline = Date.now() + 120_000
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`${what} exited:\n${service.output()}`)
    if (await ready().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`${what} did not become ready:\n${service.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function startApi(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Service & { base: string }> {
  const port = await freePort()
  const service = spawnService(databaseUrl, { PORT: String(port), ...env })
  const base = `http://127.0.0.1:${port}`
  await waitReady(service, 'the API', async () => (await fetch(`${base}/readyz`)).ok)
  return { ...service, base }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS * 2 })

function request(
  base: string,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: unknown,
  via: http.Agent = agent,
): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const url = new URL(urlPath, base)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent: via,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: {
          ...headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (payload) req.write(payload)
    req.end()
  })
}

interface User {
  id: string
  headers: Record<string, string>
}

async function signUp(base: string): Promise<User> {
  const res = await request(
    base,
    'POST',
    '/auth/v1/signup',
    {},
    {
      email: `bench-${randomBytes(6).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
    },
  )
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${res.body}`)
  const session = JSON.parse(res.body)
  return { id: session.user.id, headers: { authorization: `Bearer ${session.access_token}` } }
}

function nextOrder(random: () => number): {
  outcome: number
  side: 'buy' | 'sell'
  amount?: string
  shares?: string
} {
  const outcome = random() < 0.5 ? 0 : 1
  if (random() < 0.8) return { outcome, side: 'buy', amount: (1 + random() * 9).toFixed(2) }
  return { outcome, side: 'sell', shares: 'all' }
}

interface Result {
  name: string
  trades: number
  refused: number
  errors: number
  seconds: number
  latencies: number[]
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** Closed-loop workers until the deadline; each iteration is one trade attempt. */
async function run(
  name: string,
  workers: number,
  step: (worker: number, random: () => number) => Promise<'trade' | 'refused' | 'error'>,
  durationS = DURATION_S,
): Promise<Result> {
  const result: Result = { name, trades: 0, refused: 0, errors: 0, seconds: durationS, latencies: [] }
  process.stdout.write(`  running ${name} for ${durationS} s …\n`)
  const started = performance.now()
  const deadline = started + durationS * 1000
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const random = rng(w + 1)
      while (performance.now() < deadline) {
        const t0 = performance.now()
        const outcome = await step(w, random)
        const elapsed = performance.now() - t0
        if (outcome === 'trade') {
          result.trades++
          result.latencies.push(elapsed)
        } else if (outcome === 'refused') result.refused++
        else result.errors++
      }
    }),
  )
  result.seconds = (performance.now() - started) / 1000
  result.latencies.sort((a, b) => a - b)
  return result
}

function httpScenario(base: string, users: User[], marketIds: string[]) {
  return async (worker: number, random: () => number) => {
    const user = users[(worker + Math.floor(random() * 4) * CLIENTS) % users.length] as User
    const market = marketIds[Math.floor(random() * marketIds.length)] as string
    const res = await request(base, 'POST', `/v1/markets/${market}/trades`, user.headers, nextOrder(random))
    if (res.status === 201) return 'trade' as const
    if (res.status === 422) return 'refused' as const
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${res.status} ${res.body}\n`)
    return 'error' as const
  }
}

async function sqlScenario(databaseUrl: string, users: User[], marketIds: string[]) {
  const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: databaseUrl })
  const db = createDatabase({ connectionString: databaseUrl, max: POOL, statementTimeoutMs: 60_000 })
  const ctx = { config, db, clock: systemClock } as unknown as AppContext
  const markets = await Promise.all(marketIds.map((id) => tradingMarket(ctx, id)))
  const step = async (worker: number, random: () => number) => {
    const user = users[(worker + Math.floor(random() * 4) * POOL) % users.length] as User
    const market = markets[Math.floor(random() * markets.length)] as (typeof markets)[number]
    const order = nextOrder(random)
    const terms: TradeOrder['terms'] = {
      side: order.side,
      amount:
        order.amount === undefined ? undefined : BigInt(Math.round(Number(order.amount) * 100)) * 10_000n,
      shares: order.shares === 'all' ? 'all' : undefined,
    }
    try {
      // One trade per transaction: the path without group commit, for comparison.
      const [result] = await withMoneyTransaction(db, (m) =>
        executeOrders(m, ctx, [
          {
            market,
            branchId: market.branches[0]?.id as string,
            userId: user.id,
            outcome: order.outcome,
            terms,
          },
        ]),
      )
      return result?.ok ? ('trade' as const) : ('refused' as const)
    } catch (error) {
      if (process.env.BENCH_VERBOSE) process.stderr.write(`${String(error)}\n`)
      return 'error' as const
    }
  }
  return { step, close: () => db.close() }
}

function report(results: Result[], minimal: Map<string, MinimalTradeResult>) {
  const rows = results.map((r) => ({
    scenario: r.name,
    trades: r.trades,
    'trades/s': (r.trades / r.seconds).toFixed(0),
    'p50 ms': percentile(r.latencies, 50).toFixed(2),
    'p99 ms': percentile(r.latencies, 99).toFixed(2),
    refused: r.refused,
    errors: r.errors,
  }))
  console.table(rows)
  const rate = (name: string) => {
    const r = results.find((x) => x.name === name)
    return r ? r.trades / r.seconds : Number.NaN
  }
  for (const workload of ['1 hot market', `${MARKETS} markets`]) {
    const ratio = rate(`HTTP, ${workload}`) / rate(`SQL, ${workload}`)
    if (Number.isNaN(ratio)) continue
    console.log(`HTTP / bare SQL, ${workload}: ${(ratio * 100).toFixed(0)}% (${ratio.toFixed(2)}×)`)
  }
  // The targets are ratios to the minimal trade measured in this run: ≥ 3× on one hot market
  // (group commit can beat one commit per trade), ≥ 1× on many markets.
  for (const [workload, target] of [
    ['1 hot market', 3],
    [`${MARKETS} markets`, 1],
  ] as const) {
    const reference = minimal.get(workload)
    if (!reference) continue
    const ratio = rate(`HTTP, ${workload}`) / reference.rate
    if (Number.isNaN(ratio)) continue
    console.log(
      `HTTP / minimal SQL trade (${reference.via}, ${reference.rate.toFixed(0)}/s), ${workload}: ` +
        `${ratio.toFixed(2)}× (target ≥ ${target}×)`,
    )
  }
}

// ---------------------------------------------------------------------------------------
// Open loop (issue 9): latency at a fixed arrival rate, and the API's memory meanwhile
// ---------------------------------------------------------------------------------------

/**
 * Request i of the open loop: a random user (any two may trade at once, as real users do), a
 * random market of the workload, the usual mix. Its own socket pool, so the closed loops' agent
 * (sized for their clients) never makes it wait.
 */
function openSender(base: string, users: User[], marketIds: string[], via: http.Agent) {
  const random = rng(0x09e9)
  return async () => {
    const user = users[Math.floor(random() * users.length)] as User
    const market = marketIds[Math.floor(random() * marketIds.length)] as string
    const res = await request(
      base,
      'POST',
      `/v1/markets/${market}/trades`,
      user.headers,
      nextOrder(random),
      via,
    ).catch((error: unknown) => ({ status: 0, body: String(error) }))
    if (res.status === 201) return 'trade' as const
    if (res.status === 422) return 'refused' as const
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${res.status} ${res.body}\n`)
    return 'error' as const
  }
}

async function openScenario(
  workload: string,
  base: string,
  users: User[],
  marketIds: string[],
  closed: Result | undefined,
  apiPid: number | undefined,
): Promise<OpenLoopResult> {
  // Half the peak: the closed loop's accepted trades/s is the most this workload gets through.
  const rate = OPEN_RATE ?? (closed ? closed.trades / closed.seconds / 2 : Number.NaN)
  if (!(rate > 0)) throw new Error(`open loop, ${workload}: no rate (BENCH_OPEN_RATE, or its closed loop)`)
  const via = new http.Agent({ keepAlive: true, maxSockets: OPEN_SOCKETS, maxFreeSockets: OPEN_SOCKETS })
  process.stdout.write(
    `  running open loop, ${workload} at ${rate.toFixed(0)} trades/s for ${OPEN_DURATION_S} s …\n`,
  )
  try {
    return await openLoop({
      name: `open loop, ${workload}`,
      rate,
      durationS: OPEN_DURATION_S,
      sockets: OPEN_SOCKETS,
      send: openSender(base, users, marketIds, via),
      rssPid: apiPid,
    })
  } finally {
    via.destroy()
  }
}

function reportOpen(results: OpenLoopResult[]) {
  if (results.length === 0) return
  const ms = (sorted: number[], p: number) => percentile(sorted, p).toFixed(1)
  console.log('Open loop: latency of accepted trades from their due time (no coordinated omission)')
  console.table(
    results.map((r) => ({
      scenario: r.name,
      'target /s': r.targetRate.toFixed(0),
      'achieved /s': ((r.accepted + r.refused) / r.seconds).toFixed(0),
      accepted: r.accepted,
      refused: r.refused,
      errors: r.errors,
      'p50 ms': ms(r.latencies, 50),
      'p90 ms': ms(r.latencies, 90),
      'p99 ms': ms(r.latencies, 99),
      'p99.9 ms': ms(r.latencies, 99.9),
      'max ms': (r.latencies.at(-1) ?? Number.NaN).toFixed(1),
    })),
  )
  for (const r of results) {
    console.log(
      `${r.name}: p99 ${ms(r.latencies, 99)} ms (target ≤ 50 ms), p50 ${ms(r.latencies, 50)} ms ` +
        `(target ≤ 10 ms); ${r.due} due over ${r.sendSeconds.toFixed(0)} s, ` +
        `accepted ${(r.accepted / r.seconds).toFixed(0)}/s; at most ${r.maxInFlight} in flight, ` +
        `${r.socketWaits} sent while all ${OPEN_SOCKETS} sockets were busy; ` +
        `sender lag p99 ${ms(r.sendLag, 99)} ms, max ${(r.sendLag.at(-1) ?? Number.NaN).toFixed(1)} ms` +
        (r.unanswered > 0 ? `; ${r.unanswered} never answered` : ''),
    )
    const rss = r.rss
    if (!rss) console.log(`  API RSS: not measured (no /proc/<pid>/status here)`)
    else {
      console.log(
        `  API RSS (${rss.samples} samples, 1/s): first ${rss.firstMb.toFixed(0)} MB, min ${rss.minMb.toFixed(0)}, ` +
          `max ${rss.maxMb.toFixed(0)}, last ${rss.lastMb.toFixed(0)} MB; slope ` +
          `${rss.slopeMbPerMin.toFixed(2)} MB/min after the first ${rss.skipS.toFixed(0)} s ` +
          `(target ≤ 200 MB, flat)`,
      )
    }
  }
}

// ---------------------------------------------------------------------------------------
// Anchoring under load (BENCH_ANCHOR=1): a worker anchors the ledger while the trades run
// ---------------------------------------------------------------------------------------

interface Anchoring {
  node: LocalStarknetNode
  contract: string
  worker: Service
  /** A pool of its own, so the samples never wait behind the scenarios' connections. */
  db: Database
}

/**
 * The chain is the LOCAL STAND-IN node of test/fakes/starknet-node.ts (it checks signatures,
 * nonces and the contract's rules; it is not Starknet), in this process, making a block a second.
 * The worker gets the account's key sealed as the service expects it, the API's settings, and
 * ANCHOR_* from the environment or the service's defaults, but batches close after 5 s rather than
 * 60 s, so the tail of a scenario does not wait a minute. Ready once its first pass reached the node.
 */
async function startAnchoring(databaseUrl: string): Promise<Anchoring> {
  const node = await startLocalStarknetNode({ autoMineMs: 1000 })
  const owner = node.createAccount()
  const contract = node.deployAnchorContract(owner.address)
  const box = secretBoxFromConfig(loadConfig({ ...BENCH_ENV, DATABASE_URL: databaseUrl }))
  const worker = spawnService(databaseUrl, {
    PROCESS_ROLE: 'worker',
    DATABASE_POOL_MAX: '4',
    ANCHOR_BATCH_MAX_LEAVES: process.env.ANCHOR_BATCH_MAX_LEAVES ?? '10000',
    ANCHOR_INTERVAL_SECONDS: process.env.ANCHOR_INTERVAL_SECONDS ?? '5',
    ANCHOR_POLL_MS: process.env.ANCHOR_POLL_MS ?? '1000',
    STARKNET_RPC_URL: node.url,
    STARKNET_ACCOUNT_ADDRESS: owner.address,
    STARKNET_PRIVATE_KEY: sealStarknetKey(box, owner.address, owner.privateKey),
    STARKNET_CONTRACT_ADDRESS: contract,
  })
  await waitReady(worker, 'the anchoring worker', async () => node.requests.length > 0)
  const db = createDatabase({ connectionString: databaseUrl, max: 1, statementTimeoutMs: 60_000 })
  return { node, contract, worker, db }
}

interface LagResult {
  name: string
  samples: AnchoringStatus[]
  /** CPU the worker used meanwhile, in cores (1 = one core all the time); NaN without /proc. */
  workerCores: number
}

/** User + system CPU seconds of `pid` so far, from /proc (Linux); NaN where unreadable. */
function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields 14 and 15 after the command name, in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/** Runs `scenario` while sampling anchoringStatus every second. */
async function withLagSamples(
  anchoring: Anchoring | undefined,
  scenario: Promise<Result>,
  lags: LagResult[],
): Promise<Result> {
  if (!anchoring) return scenario
  const samples: AnchoringStatus[] = []
  const cpu0 = cpuSeconds(anchoring.worker.child.pid)
  const t0 = performance.now()
  let sampling = Promise.resolve()
  const timer = setInterval(() => {
    sampling = sampling.then(async () => void samples.push(await anchoringStatus(anchoring.db, new Date())))
  }, 1000)
  try {
    const result = await scenario
    const cores = (cpuSeconds(anchoring.worker.child.pid) - cpu0) / ((performance.now() - t0) / 1000)
    lags.push({ name: result.name, samples, workerCores: cores })
    return result
  } finally {
    clearInterval(timer)
    await sampling
  }
}

interface AnchoringEnd {
  drainedS: number | undefined
  last: AnchoringStatus
  batches: number
  notAnchored: number
  /** Differences between the chain's batches and the database's anchored ones. */
  mismatches: string[]
}

const BatchesOfRun = sql<{ id: bigint; root: string; leaf_count: number; status: string }>(
  'BenchAnchorBatches',
  'select id, root, leaf_count, status from public.anchor_batches order by id',
)

/**
 * After the closed loops: waits until every posting is in an anchored batch (at most
 * BENCH_ANCHOR_DRAIN_S), stops the worker, and compares the chain with the database.
 */
async function finishAnchoring(anchoring: Anchoring): Promise<AnchoringEnd> {
  process.stdout.write(`  waiting for the anchoring backlog to drain (at most ${ANCHOR_DRAIN_S} s) …\n`)
  const t0 = performance.now()
  let drainedS: number | undefined
  let last = await anchoringStatus(anchoring.db, new Date())
  while (performance.now() - t0 < ANCHOR_DRAIN_S * 1000) {
    if (last.unbatched_postings === '0' && last.unbatched_records === '0' && last.pending_batches === 0) {
      drainedS = (performance.now() - t0) / 1000
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
    last = await anchoringStatus(anchoring.db, new Date())
  }
  await anchoring.worker.stop()
  const batches = await anchoring.db.many(BatchesOfRun)
  const anchored = batches
    .filter((b) => b.status === 'anchored')
    .map((b) => `${b.id}:${b.root}/${b.leaf_count}`)
  const onChain = anchoring.node
    .anchored(anchoring.contract)
    .batches.map((b) => `${b.batchId}:0x${b.root.toString(16)}/${b.leafCount}`)
  const mismatches = [
    ...onChain.filter((b) => !anchored.includes(b)).map((b) => `on the chain only: ${b}`),
    ...anchored.filter((b) => !onChain.includes(b)).map((b) => `anchored in the database only: ${b}`),
  ]
  return {
    drainedS,
    last,
    batches: batches.length,
    notAnchored: batches.length - anchored.length,
    mismatches,
  }
}

async function stopAnchoring(anchoring: Anchoring) {
  await anchoring.worker.stop()
  await anchoring.db.close()
  await anchoring.node.close()
}

function reportAnchoring(lags: LagResult[], end: AnchoringEnd, results: Result[], withoutName: string) {
  console.log(
    'Anchoring under load: a worker anchoring on the local stand-in Starknet node (a block a second), ' +
      'lag = age of the oldest posting not in an anchored batch, sampled every second',
  )
  console.table(
    lags.map((l) => {
      const lag = l.samples.map((s) => s.lag_seconds).sort((a, b) => a - b)
      const final = l.samples.at(-1)
      return {
        scenario: l.name,
        samples: lag.length,
        'lag p50 s': percentile(lag, 50),
        'lag max s': lag.at(-1) ?? Number.NaN,
        'final unbatched postings': final?.unbatched_postings ?? '?',
        'final pending batches': final?.pending_batches ?? '?',
        'last anchored batch': final?.last_anchored_batch ?? 'none',
        'worker CPU, cores': l.workerCores.toFixed(2),
      }
    }),
  )
  console.log(
    end.drainedS === undefined
      ? `Backlog not drained in ${ANCHOR_DRAIN_S} s: ${end.last.unbatched_postings} postings unbatched, ` +
          `${end.last.pending_batches} batches pending, lag ${end.last.lag_seconds} s`
      : `Backlog drained ${end.drainedS.toFixed(0)} s after the last closed loop`,
  )
  console.log(
    `Batches: ${end.batches} closed, ${end.notAnchored} not anchored; chain and database ` +
      (end.mismatches.length === 0
        ? 'agree on every anchored batch'
        : `differ:\n  ${end.mismatches.join('\n  ')}`),
  )
  const without = results.find((r) => r.name === withoutName)
  const withWorker = results.find((r) => `${r.name}, no anchoring worker` === withoutName)
  if (without && withWorker) {
    const rate = (r: Result) => r.trades / r.seconds
    console.log(
      `${withWorker.name}: ${rate(withWorker).toFixed(0)} trades/s with the anchoring worker, ` +
        `${rate(without).toFixed(0)}/s without: ${(rate(withWorker) / rate(without)).toFixed(2)}×`,
    )
  }
}

// ---------------------------------------------------------------------------------------
// Grown database (issue 9): the same requests on the run's database and after 10^6 trades
// ---------------------------------------------------------------------------------------

interface GrownPhase {
  trades: Result
  portfolio: Result
}

interface GrownResult {
  before: GrownPhase
  after: GrownPhase
  seed: SeedResult
  violations: string[] | undefined
}

async function grownScenario(
  databaseUrl: string,
  base: string,
  users: User[],
  marketIds: string[],
): Promise<GrownResult> {
  // The portfolio reader: a trader of a few positions, who trades nothing else during the
  // measurements, so both phases read the same portfolio.
  const holder = await signUp(base)
  for (const market of marketIds.slice(0, 5)) {
    const res = await request(base, 'POST', `/v1/markets/${market}/trades`, holder.headers, {
      outcome: 0,
      side: 'buy',
      amount: '5',
    })
    if (res.status !== 201) throw new Error(`the portfolio holder's trade failed: ${res.status} ${res.body}`)
  }
  const portfolioStep = async () => {
    const res = await request(base, 'GET', '/v1/me/portfolio', holder.headers)
    if (res.status === 200) return 'trade' as const
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${res.status} ${res.body}\n`)
    return 'error' as const
  }
  const tradeStep = httpScenario(base, users, marketIds)
  const measure = async (label: string): Promise<GrownPhase> => {
    // A second of each first, unmeasured: after the seeding, the caches hold the seeded pages.
    await run(`warm-up: trades, ${label}`, GROWN_CLIENTS, tradeStep, 1)
    await run(`warm-up: portfolio, ${label}`, GROWN_CLIENTS, portfolioStep, 1)
    return {
      trades: await run(`grown: trades, ${label}`, GROWN_CLIENTS, tradeStep),
      portfolio: await run(`grown: GET /v1/me/portfolio, ${label}`, GROWN_CLIENTS, portfolioStep),
    }
  }
  const before = await measure('before seeding')
  const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: databaseUrl })
  process.stdout.write(
    `  seeding ${SEED_USERS} users, ${SEED_MARKETS} markets, ${SEED_TRADES} trades in SQL …\n`,
  )
  const seed = await seedGrownData(databaseUrl, {
    users: SEED_USERS,
    markets: SEED_MARKETS,
    trades: SEED_TRADES,
    grant: 1000n * 1_000_000n,
    subsidy: 100n * 1_000_000n,
    feeBps: config.TRADE_FEE_BPS,
    viaTriggers: process.env.BENCH_SEED_VIA_TRIGGERS === '1',
    log: process.env.BENCH_VERBOSE ? (line) => console.log(line) : undefined,
  })
  process.stdout.write(`  seeded in ${seed.seconds.toFixed(0)} s (${seed.postings} postings)\n`)
  let violations: string[] | undefined
  if (process.env.BENCH_SEED_CHECK === '1') {
    // Every invariant of the ledger and the markets, on the whole grown database.
    const t0 = performance.now()
    const db = createDatabase({ connectionString: databaseUrl, max: 1, statementTimeoutMs: 3_600_000 })
    try {
      violations = await ledgerViolations(db)
      for (const check of seedChecks) {
        const rows = await db.executeSql(check.text)
        for (const row of rows.rows as Array<{ item: string }>) violations.push(`${check.name}: ${row.item}`)
      }
    } finally {
      await db.close()
    }
    process.stdout.write(
      `  invariants checked in ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
        `${violations.length === 0 ? 'all hold' : `${violations.length} violations`}\n`,
    )
  }
  const after = await measure('after seeding')
  return { before, after, seed, violations }
}

function reportGrown(grown: GrownResult) {
  const { before, after, seed } = grown
  console.log(
    `Grown database: +${SEED_TRADES} trades, +${SEED_USERS} users, +${SEED_MARKETS} markets seeded in SQL in ` +
      `${seed.seconds.toFixed(0)} s (${[
        ...seed.steps.filter((s) => s.seconds >= 1).map((s) => `${s.step} ${s.seconds.toFixed(0)} s`),
        'the rest under 1 s each',
      ].join(', ')})`,
  )
  const rows = [before.trades, before.portfolio, after.trades, after.portfolio].map((r) => ({
    measurement: r.name.replace(/^grown: /, ''),
    'ok requests': r.trades,
    'per s': (r.trades / r.seconds).toFixed(0),
    'p50 ms': percentile(r.latencies, 50).toFixed(2),
    'p99 ms': percentile(r.latencies, 99).toFixed(2),
    refused: r.refused,
    errors: r.errors,
  }))
  console.table(rows)
  for (const [what, b, a] of [
    ['trade', before.trades, after.trades],
    ['GET /v1/me/portfolio', before.portfolio, after.portfolio],
  ] as const) {
    const ratio = percentile(a.latencies, 50) / percentile(b.latencies, 50)
    console.log(
      `${what} p50 after / before seeding, ${GROWN_CLIENTS} clients: ${ratio.toFixed(2)}× (target ≤ 1.2×)`,
    )
  }
  if (grown.violations && grown.violations.length > 0) {
    console.log(`Invariant violations on the grown database:\n  ${grown.violations.join('\n  ')}`)
  }
}

interface OverheadResult {
  workload: string
  off: Result[]
  on: Result[]
  /** CPU seconds the API process spent during each run (user + system), by side. */
  cpu: { off: number[]; on: number[] }
  scrapes: number
}

/** BENCH_METRICS=both (see METRICS_BOTH): the same closed loop on the API without and with metrics. */
async function metricsOverhead(
  databaseUrl: string,
  offBase: string,
  offPid: number | undefined,
  users: User[],
  workloads: Array<{ name: string; markets: string[] }>,
): Promise<OverheadResult[]> {
  const metricsPort = await freePort()
  const on = await startApi(databaseUrl, { METRICS_PORT: String(metricsPort) })
  const pids = { off: offPid, on: on.child.pid }
  const scrapeUrl = `http://127.0.0.1:${metricsPort}/metrics`
  const results: OverheadResult[] = []
  let scrapes = 0
  // The metrics process is scraped all along, as Prometheus would scrape it: the scrapes that fall
  // in its runs are part of its cost.
  const scraper = setInterval(() => {
    fetch(scrapeUrl).then(
      async (res) => {
        await res.text()
        if (res.ok) scrapes++
      },
      () => undefined,
    )
  }, METRICS_SCRAPE_S * 1000)
  try {
    for (const workload of workloads) {
      const scrapesBefore = scrapes
      const result: OverheadResult = {
        workload: workload.name,
        off: [],
        on: [],
        cpu: { off: [], on: [] },
        scrapes: 0,
      }
      for (let round = 0; round < METRICS_ROUNDS; round++) {
        for (const side of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
          const base = side === 'on' ? on.base : offBase
          const cpuBefore = cpuSeconds(pids[side])
          result[side].push(
            await run(
              `${workload.name}, metrics ${side}, round ${round + 1}`,
              CLIENTS,
              httpScenario(base, users, workload.markets),
            ),
          )
          result.cpu[side].push(cpuSeconds(pids[side]) - cpuBefore)
        }
      }
      result.scrapes = scrapes - scrapesBefore
      results.push(result)
    }
    // The "on" process did count: its trades are in its scrape.
    const scraped = await (await fetch(scrapeUrl)).text()
    const accepted = /^dm_trades_total\{result="accepted",code="ok"\} (\d+)/m.exec(scraped)
    const counted = Number(accepted?.[1] ?? 0)
    const traded = results.reduce((sum, r) => sum + r.on.reduce((n, x) => n + x.trades, 0), 0)
    console.log(`  the metrics process counted ${counted} accepted trades (the load generator saw ${traded})`)
    if (counted < traded) throw new Error('the metrics process counted fewer trades than it answered')
  } finally {
    clearInterval(scraper)
    await on.stop()
  }
  return results
}

function reportOverhead(results: OverheadResult[]) {
  const rate = (rs: Result[]) => rs.reduce((n, r) => n + r.trades, 0) / rs.reduce((n, r) => n + r.seconds, 0)
  console.table(
    results.flatMap((r) =>
      [...r.off, ...r.on].map((x) => ({
        run: x.name,
        'trades/s': (x.trades / x.seconds).toFixed(0),
        'p50 ms': percentile(x.latencies, 50).toFixed(2),
        'p99 ms': percentile(x.latencies, 99).toFixed(2),
        errors: x.errors,
      })),
    ),
  )
  // Trades/s moves with everything else the machine runs; the API process's own CPU time per
  // answered request (trades and refusals) is what metrics add to, and moves far less.
  const cpuPerRequest = (rs: Result[], cpu: number[]) =>
    (cpu.reduce((a, b) => a + b, 0) * 1e3) / rs.reduce((n, r) => n + r.trades + r.refused, 0)
  for (const r of results) {
    const off = rate(r.off)
    const on = rate(r.on)
    const cpuOff = cpuPerRequest(r.off, r.cpu.off)
    const cpuOn = cpuPerRequest(r.on, r.cpu.on)
    console.log(
      `${r.workload}: metrics off ${off.toFixed(0)} trades/s, on ${on.toFixed(0)} trades/s ` +
        `(${r.off.length}+${r.on.length} rounds of ${DURATION_S} s, ${r.scrapes} scrapes): ` +
        `on/off ${(on / off).toFixed(3)}, cost ${((1 - on / off) * 100).toFixed(1)}% (target ≤ 3%); ` +
        `API CPU per request off ${cpuOff.toFixed(2)} ms, on ${cpuOn.toFixed(2)} ms: ` +
        `cost ${((cpuOn / cpuOff - 1) * 100).toFixed(1)}%`,
    )
  }
}

async function main() {
  const started = Date.now()
  const unknown = [...SCENARIOS].filter((name) => !KNOWN_SCENARIOS.includes(name))
  if (unknown.length > 0) throw new Error(`unknown BENCH_SCENARIOS: ${unknown.join(', ')}`)
  for (const [open, closed] of [
    ['open-hot', 'http-hot'],
    ['open-many', 'http-many'],
  ] as const) {
    if (SCENARIOS.has(open) && !SCENARIOS.has(closed) && OPEN_RATE === undefined) {
      throw new Error(
        `${open} takes half the rate of ${closed}: select ${closed} too, or set BENCH_OPEN_RATE`,
      )
    }
  }
  const database = await provisionDatabase(log)
  console.log(`Trade benchmark on ${database.label}`)
  console.log(
    `  ${DURATION_S} s per scenario, ${CLIENTS} HTTP clients, pool ${POOL} (API and SQL), ${USERS} users, ` +
      `${MARKETS} markets + 1 hot market`,
  )
  let api: Awaited<ReturnType<typeof startApi>> | undefined
  let anchoring: Anchoring | undefined
  try {
    api = await startApi(database.url)
    const { base } = api
    const creator = await signUp(base)
    const users: User[] = []
    for (let i = 0; i < USERS; i += 20) {
      users.push(...(await Promise.all(Array.from({ length: Math.min(20, USERS - i) }, () => signUp(base)))))
    }
    const closeAt = new Date(Date.now() + 7 * 86_400_000).toISOString()
    const createMarket = async (question: string) => {
      const res = await request(base, 'POST', '/v1/markets', creator.headers, {
        question,
        kind: 'binary',
        subsidy: '1000',
        close_at: closeAt,
      })
      if (res.status !== 201) throw new Error(`market creation failed: ${res.status} ${res.body}`)
      return JSON.parse(res.body).id as string
    }
    const hot = await createMarket('The hot market of the benchmark?')
    const many: string[] = []
    for (let i = 0; i < MARKETS; i++) many.push(await createMarket(`Benchmark market number ${i + 1}?`))
    if (METRICS_BOTH) {
      const workloads = [
        ...(SCENARIOS.has('http-hot') ? [{ name: 'HTTP, 1 hot market', markets: [hot] }] : []),
        ...(SCENARIOS.has('http-many') ? [{ name: `HTTP, ${MARKETS} markets`, markets: many }] : []),
      ]
      if (workloads.length === 0) throw new Error('BENCH_METRICS=both runs http-hot or http-many: select one')
      const overhead = await metricsOverhead(database.url, base, api.child.pid, users, workloads)
      reportOverhead(overhead)
      console.log(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`)
      const failed = overhead
        .flatMap((r) => [...r.off, ...r.on])
        .filter((r) => r.errors > 0 || r.trades === 0)
        .map((r) => `${r.name} (${r.trades} ok, ${r.errors} errors)`)
      if (failed.length > 0)
        throw new Error(`failed: ${failed.join(', ')}; BENCH_VERBOSE=1 prints the errors`)
      return
    }
    if (ANCHOR) anchoring = await startAnchoring(database.url)
    const lags: LagResult[] = []

    const sql = await sqlScenario(database.url, users, [hot])
    const sqlMany = await sqlScenario(database.url, users, many)
    const results: Result[] = []
    const minimal = new Map<string, MinimalTradeResult>()
    const files = minimalTradeFiles(projectRoot)
    const reference = async (workload: string, markets: number) => {
      if (!files) {
        console.log('  (no ../shared/bench beside the project: the minimal-trade reference is skipped)')
        return
      }
      const result = await runMinimalTrade(database.url, files, {
        markets,
        durationS: DURATION_S,
        clients: MINIMAL_CLIENTS,
      })
      minimal.set(workload, result)
      console.log(`  minimal SQL trade, ${workload}: ${result.rate.toFixed(0)} trades/s (${result.via})`)
    }
    if (SCENARIOS.has('minimal-hot')) await reference('1 hot market', 1)
    const openResults: OpenLoopResult[] = []
    const closedLoop = (name: string) => results.find((r) => r.name === name)
    if (SCENARIOS.has('http-hot'))
      results.push(
        await withLagSamples(
          anchoring,
          run('HTTP, 1 hot market', CLIENTS, httpScenario(base, users, [hot])),
          lags,
        ),
      )
    if (SCENARIOS.has('open-hot')) {
      openResults.push(
        await openScenario(
          '1 hot market',
          base,
          users,
          [hot],
          closedLoop('HTTP, 1 hot market'),
          api.child.pid,
        ),
      )
    }
    if (SCENARIOS.has('sql-hot')) results.push(await run('SQL, 1 hot market', POOL, sql.step))
    // The shared schema has 100 markets.
    if (SCENARIOS.has('minimal-many')) await reference(`${MARKETS} markets`, Math.min(MARKETS, 100))
    if (SCENARIOS.has('http-many')) {
      results.push(
        await withLagSamples(
          anchoring,
          run(`HTTP, ${MARKETS} markets`, CLIENTS, httpScenario(base, users, many)),
          lags,
        ),
      )
    }
    if (SCENARIOS.has('open-many')) {
      const closed = closedLoop(`HTTP, ${MARKETS} markets`)
      openResults.push(await openScenario(`${MARKETS} markets`, base, users, many, closed, api.child.pid))
    }
    if (SCENARIOS.has('sql-many')) results.push(await run(`SQL, ${MARKETS} markets`, POOL, sqlMany.step))
    await sql.close()
    await sqlMany.close()
    const anchoringEnd = anchoring ? await finishAnchoring(anchoring) : undefined
    // The first HTTP closed loop again, now without the worker: later in the run, on a database
    // a little larger, which if anything slows this one.
    const rerun = SCENARIOS.has('http-hot')
      ? { workload: '1 hot market', markets: [hot] }
      : SCENARIOS.has('http-many')
        ? { workload: `${MARKETS} markets`, markets: many }
        : undefined
    const withoutName = rerun ? `HTTP, ${rerun.workload}, no anchoring worker` : ''
    if (anchoringEnd && rerun)
      results.push(await run(withoutName, CLIENTS, httpScenario(base, users, rerun.markets)))
    // Last: it grows the database under everything else.
    const grown = SCENARIOS.has('grown') ? await grownScenario(database.url, base, users, many) : undefined
    report(results, minimal)
    reportOpen(openResults)
    if (grown) reportGrown(grown)
    if (anchoringEnd) reportAnchoring(lags, anchoringEnd, results, withoutName)
    console.log(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`)
    // A figure made of failed requests, or of none, is no measurement: the run fails.
    const failed = [
      ...results,
      ...(grown
        ? [grown.before.trades, grown.before.portfolio, grown.after.trades, grown.after.portfolio]
        : []),
    ]
      .filter((r) => r.errors > 0 || r.trades === 0)
      .map((r) => `${r.name} (${r.trades} ok, ${r.errors} errors)`)
    for (const r of openResults) {
      if (r.errors > 0 || r.accepted === 0)
        failed.push(`${r.name} (${r.accepted} trades, ${r.errors} errors)`)
    }
    if (anchoringEnd && anchoringEnd.mismatches.length > 0) {
      failed.push(`anchoring: the chain and the database differ on ${anchoringEnd.mismatches.length} batches`)
    }
    if (grown?.violations && grown.violations.length > 0) {
      failed.push(`grown: ${grown.violations.length} invariant violations on the seeded database`)
    }
    if (failed.length > 0) {
      throw new Error(`failed: ${failed.join(', ')}; BENCH_VERBOSE=1 prints the errors`)
    }
  } finally {
    agent.destroy()
    await api?.stop()
    if (anchoring) await stopAnchoring(anchoring)
    await database.cleanup()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
