/**
 * The realtime feed under fan-out (not a test): BENCH_SUBSCRIBERS (2,000) WebSocket subscribers
 * of one hot market's tape (`market:<id>:trades`) while it trades at BENCH_RATE (50) trades/s
 * for BENCH_DURATION_S (20) s. Reports commit-to-client latency p50/p99/max, gaps and
 * duplicates, events/s delivered, the API's RSS and heap per connection and its CPU, and the
 * client side's own CPU (so a saturated client is seen, not mistaken for a slow server).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:realtime
 *
 * Runs twice: without Redis (in-process bus) and with it (BENCH_REDIS_URL, else a redis-server
 * of its own on a free port when the binary exists, else that run is skipped, said so);
 * BENCH_REDIS=only|off picks one.
 *
 * The API is a real process (`src/start/cli.ts serve` through tsx, role api), preloaded with
 * bench/realtime-probe.cjs, which prints its memory (after a GC) when sent SIGUSR2: memory per
 * connection is (after opening them − before) / subscribers. CPU from /proc/<pid>/stat over
 * the trading window. BENCH_API_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is
 * added to the API's node options.
 *
 * The subscribers are spread over BENCH_CLIENT_WORKERS (4) worker threads, each its own event
 * loop with its own sockets (`ws`), so one loop parsing 100,000 messages/s is not the
 * bottleneck. Latency: an event's receive time (Date.now() in the worker) minus its trade's
 * `created_at` (the trade transaction's now(), taken before its COMMIT, so the figure is an
 * upper bound of commit-to-client): one machine, one clock. Gaps: per connection, an event
 * whose `prev` is not the last seq seen; duplicates: a seq not above it; and at the end the
 * events received are checked against accepted trades × subscribers (`missing`).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { createLogger } from '../src/infra/logger.js'
import { freePort } from '../test/helpers/net.js'
import { provisionDatabase } from './database.js'
import { BENCH_SERVICE_ENV } from './env.js'
import { httpCaller } from './http.js'
import { benchRedis } from './redis.js'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 2000)
const RATE = Number(process.env.BENCH_RATE ?? 50)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20)
const WORKERS = Number(process.env.BENCH_CLIENT_WORKERS ?? 4)
const TRADERS = Number(process.env.BENCH_TRADERS ?? 8)
const REDIS_MODE = process.env.BENCH_REDIS ?? 'both'
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn')
const NODE_ARGS: string[] = [
  ...`${JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).config.node_options} ${
    process.env.BENCH_API_NODE_OPTIONS ?? ''
  }`
    .split(/\s+/)
    .filter(Boolean),
  '--expose-gc',
  '--require',
  path.join(projectRoot, 'bench/realtime-probe.cjs'),
]

const ENV = {
  ...BENCH_SERVICE_ENV,
  PROCESS_ROLE: 'api',
  MIGRATE_ON_START: 'true',
  METRICS_PORT: '',
  REDIS_URL: '',
}

interface Api {
  child: ChildProcess
  base: string
  /** Memory after a GC, from bench/realtime-probe.cjs. */
  memory(): Promise<{ rss: number; heapUsed: number; external: number }>
  /** utime + stime of the process, in seconds. */
  cpuSeconds(): number
  stop(): Promise<void>
}

async function startApi(databaseUrl: string, env: Record<string, string>): Promise<Api> {
  const port = await freePort()
  let output = ''
  const probes: ((line: string) => void)[] = []
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, '--import', 'tsx', path.join(projectRoot, 'src/start/cli.ts'), 'serve'],
    {
      cwd: projectRoot,
      env: { ...process.env, ...ENV, DATABASE_URL: databaseUrl, PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout?.on('data', (c) => {
    output += c
  })
  child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString()
    for (const line of text.split('\n')) {
      if (line.startsWith('DM_PROBE ')) probes.shift()?.(line.slice(9))
    }
    output += text
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited:\n${output}`)
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error(`the API did not become ready:\n${output}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  const pid = child.pid as number
  const ticks = 100 // USER_HZ on Linux
  return {
    child,
    base,
    memory: () =>
      new Promise((resolve) => {
        probes.push((json) => resolve(JSON.parse(json)))
        child.kill('SIGUSR2')
      }),
    cpuSeconds: () => {
      // Fields after the command (which is in parentheses and may hold spaces): utime is the
      // 14th field of the line, stime the 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / ticks
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

const call = httpCaller(agent)

async function signUp(base: string): Promise<Record<string, string>> {
  const res = await call(
    base,
    'POST',
    '/auth/v1/signup',
    {},
    {
      email: `rt-${randomBytes(6).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
    },
  )
  if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${res.body}`)
  return { authorization: `Bearer ${(JSON.parse(res.body) as { access_token: string }).access_token}` }
}

// The subscribers' side, one worker thread each: plain JavaScript (no loader in the thread),
// `ws` resolved from the project. Commands from the main thread: open, then report.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const WebSocket = require(workerData.ws)
const { url, channel, count } = workerData
const conns = []
let latencies = new Float64Array(1 << 16)
let n = 0
let gaps = 0
let duplicates = 0
let events = 0
let measuring = false
function record(ms) {
  if (n === latencies.length) {
    const grown = new Float64Array(latencies.length * 2)
    grown.set(latencies)
    latencies = grown
  }
  latencies[n++] = ms
}
function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    const conn = { ws, cursor: {}, received: 0, subscribed: false }
    ws.on('error', reject)
    ws.on('message', (data) => {
      const now = Date.now()
      const m = JSON.parse(data.toString())
      if (m.type === 'event') {
        const last = conn.cursor[m.stream] ?? 0
        if (m.seq <= last) { duplicates++; return }
        if (m.prev !== last) gaps++
        conn.cursor[m.stream] = m.seq
        conn.received++
        events++
        if (measuring) record(now - Date.parse(m.data.created_at))
      } else if (m.type === 'reply' && m.id === 1) {
        if (!m.ok) return reject(new Error(JSON.stringify(m)))
        conn.cursor = { ...m.cursor }
        resolve(conn)
      }
    })
    ws.on('close', (code) => { conn.closed = code })
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 1, channel })))
  })
}
parentPort.on('message', async (command) => {
  if (command === 'open') {
    // A few at a time: 2,000 upgrades at once would measure the accept queue, not the feed.
    for (let i = 0; i < count; i += 25) {
      const batch = []
      for (let j = i; j < Math.min(count, i + 25); j++) batch.push(open())
      conns.push(...(await Promise.all(batch)))
    }
    parentPort.postMessage({ type: 'opened' })
  } else if (command === 'measure') {
    measuring = true
  } else if (command === 'report') {
    const cpu = process.cpuUsage()
    const result = {
      type: 'report',
      latencies: latencies.slice(0, n),
      gaps, duplicates, events,
      closed: conns.filter((c) => c.closed !== undefined).length,
    }
    for (const c of conns) c.ws.terminate()
    parentPort.postMessage(result, [result.latencies.buffer])
  }
})
`

interface Report {
  latencies: Float64Array
  gaps: number
  duplicates: number
  events: number
  closed: number
}

class Subscribers {
  private readonly workers: Worker[] = []

  constructor(base: string, channel: string, total: number) {
    const wsPath = path.join(projectRoot, 'node_modules/ws/index.js')
    const url = `${base.replace(/^http/, 'ws')}/v1/stream`
    for (let i = 0; i < WORKERS; i++) {
      const count = Math.floor(total / WORKERS) + (i < total % WORKERS ? 1 : 0)
      this.workers.push(new Worker(WORKER, { eval: true, workerData: { ws: wsPath, url, channel, count } }))
    }
  }

  private ask<T>(command: string, reply: string): Promise<T[]> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<T>((resolve, reject) => {
            const onMessage = (m: { type: string }) => {
              if (m.type !== reply) return
              w.off('message', onMessage)
              resolve(m as T)
            }
            w.on('message', onMessage)
            w.once('error', reject)
            w.postMessage(command)
          }),
      ),
    )
  }

  open = () => this.ask<unknown>('open', 'opened')
  measure = () => {
    for (const w of this.workers) w.postMessage('measure')
  }
  report = () => this.ask<Report>('report', 'report')
  stop = () => Promise.all(this.workers.map((w) => w.terminate()))
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

async function scenario(label: string, databaseUrl: string, env: Record<string, string>) {
  console.log(`\n== ${label}: ${SUBSCRIBERS} subscribers, ${RATE} trades/s for ${DURATION_S} s`)
  const api = await startApi(databaseUrl, env)
  let subscribers: Subscribers | undefined
  try {
    const traders = await Promise.all(Array.from({ length: TRADERS }, () => signUp(api.base)))
    const created = await call(api.base, 'POST', '/v1/markets', traders[0] as Record<string, string>, {
      question: `Will the realtime benchmark ${randomBytes(3).toString('hex')} keep up?`,
      kind: 'binary',
      subsidy: '1000',
      close_at: new Date(Date.now() + 86_400_000).toISOString(),
    })
    if (created.status !== 201) throw new Error(`market: ${created.status} ${created.body}`)
    const marketId = (JSON.parse(created.body) as { id: string }).id
    // Warm the trade path (JIT, pool) before the baseline.
    for (let i = 0; i < 20; i++)
      await trade(api.base, marketId, traders[i % TRADERS] as Record<string, string>, i)

    await new Promise((r) => setTimeout(r, 1000))
    const before = await api.memory()
    subscribers = new Subscribers(api.base, `market:${marketId}:trades`, SUBSCRIBERS)
    const openedAt = Date.now()
    await subscribers.open()
    const openS = (Date.now() - openedAt) / 1000
    await new Promise((r) => setTimeout(r, 1000))
    const after = await api.memory()

    subscribers.measure()
    const cpu0 = api.cpuSeconds()
    const wall0 = Date.now()
    const clientCpu1 = process.cpuUsage()
    const result = await steadyTrades(api.base, marketId, traders)
    const tradingS = (Date.now() - wall0) / 1000
    const cpu1 = api.cpuSeconds()
    const clientCpu = process.cpuUsage(clientCpu1)
    // Let the last events arrive before counting.
    await new Promise((r) => setTimeout(r, 2000))
    const reports = await subscribers.report()
    const latencies = Float64Array.from(reports.flatMap((r) => Array.from(r.latencies))).sort()
    const gaps = reports.reduce((s, r) => s + r.gaps, 0)
    const duplicates = reports.reduce((s, r) => s + r.duplicates, 0)
    const closed = reports.reduce((s, r) => s + r.closed, 0)
    const delivered = latencies.length
    // Every connection should hold every trade of the window: the committed trades (201s).
    const expected = result.accepted * SUBSCRIBERS
    const missing = Math.max(0, expected - delivered)

    console.log(`  connections opened in ${openS.toFixed(1)} s (${(SUBSCRIBERS / openS).toFixed(0)}/s)`)
    console.log(
      `  trades: ${result.accepted} accepted (${(result.accepted / tradingS).toFixed(1)}/s), ${result.failed} failed; response p50 ${result.p50} ms p99 ${result.p99} ms; sender lag max ${result.lagMax} ms`,
    )
    console.log(
      `  delivered ${delivered} events (${(delivered / tradingS).toFixed(0)} events/s), expected ${expected}: missing ${missing}, gaps ${gaps}, duplicates ${duplicates}, connections closed by the server ${closed}`,
    )
    console.log(
      `  commit→client latency ms: p50 ${percentile(latencies, 50)}  p90 ${percentile(latencies, 90)}  p99 ${percentile(latencies, 99)}  p99.9 ${percentile(latencies, 99.9)}  max ${latencies[latencies.length - 1]}   (target p99 ≤ 100, gaps 0)`,
    )
    console.log(
      `  API memory: RSS ${mb(before.rss)} → ${mb(after.rss)} MB, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB: per connection RSS ${((after.rss - before.rss) / SUBSCRIBERS / 1024).toFixed(1)} KiB, heap ${((after.heapUsed - before.heapUsed) / SUBSCRIBERS / 1024).toFixed(1)} KiB`,
    )
    console.log(
      `  API CPU ${((100 * (cpu1 - cpu0)) / tradingS).toFixed(0)}% of one core; bench process (subscribers + trader) ${((100 * (clientCpu.user + clientCpu.system)) / 1e6 / tradingS).toFixed(0)}% (${WORKERS} worker threads; the machine has ${(await import('node:os')).availableParallelism()} cores)`,
    )
  } finally {
    await subscribers?.stop()
    await api.stop()
  }
}

async function trade(base: string, marketId: string, headers: Record<string, string>, n: number) {
  return call(base, 'POST', `/v1/markets/${marketId}/trades`, headers, {
    side: 'buy',
    outcome: n % 2,
    amount: String(1 + (n % 5)),
  })
}

/** Trades at RATE per second from its due times (open loop), spread over the traders. */
async function steadyTrades(base: string, marketId: string, traders: Record<string, string>[]) {
  const total = Math.round(RATE * DURATION_S)
  const start = Date.now()
  let accepted = 0
  let failed = 0
  let lagMax = 0
  const latencies: number[] = []
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE
    const wait = due - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    lagMax = Math.max(lagMax, Date.now() - due)
    const sent = Date.now()
    inFlight.push(
      trade(base, marketId, traders[i % traders.length] as Record<string, string>, i).then(
        (res) => {
          latencies.push(Date.now() - sent)
          if (res.status === 201) accepted++
          else failed++
        },
        () => {
          failed++
        },
      ),
    )
  }
  await Promise.all(inFlight)
  const sorted = Float64Array.from(latencies).sort()
  return { accepted, failed, lagMax, p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

async function main() {
  const database = await provisionDatabase(log)
  console.log(`database: ${database.label}`)
  let redis: Awaited<ReturnType<typeof benchRedis>>
  try {
    if (REDIS_MODE !== 'only') await scenario('in-process bus (no Redis)', database.url, {})
    if (REDIS_MODE !== 'off') {
      redis = await benchRedis()
      if (redis) {
        await scenario('Redis bus', database.url, {
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: `dm:bench:${randomBytes(4).toString('hex')}:`,
        })
      } else console.log('\nno Redis (BENCH_REDIS_URL unset, no redis-server): the Redis run is skipped')
    }
  } finally {
    redis?.stop()
    agent.destroy()
    await database.cleanup()
  }
}

await main()
