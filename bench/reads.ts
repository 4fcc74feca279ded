/**
 * Public reads per second, in one run (not a test): a Fastify hello-world on this machine, then
 * `GET /v1/markets/{id}` and `GET /v1/markets` of the service, cached and uncached, and cached
 * with Redis; each with autocannon, the same connections and duration, and its ratio to the
 * hello-world (targets: a market ≥ 50%, the list ≥ 25%).
 *
 *   npx tsx bench/reads.ts            (BENCH_DATABASE_URL=postgres://… to use a server of yours)
 *
 * The service runs as `npm start` runs it: scripts/build-if-changed.mjs, then
 * `node <package.json config.node_options> dist/start/cli.js serve`, one process (role all),
 * rate limits off, anonymous requests (no Authorization) as a CDN's origin fetches would be.
 * Seeded first through the API: BENCH_MARKETS (200) markets, BENCH_TRADES (2000) trades spread
 * over them, so a list page (50 markets) is the size it would be. With Redis: BENCH_REDIS_URL,
 * else a redis-server of the bench's own on a free port when the binary exists, else skipped.
 * BENCH_API_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is added to the API's;
 * BENCH_READ_RUNS (default `cached,uncached,redis`) picks the runs and BENCH_READ_VIEWS (default
 * `market,list`) the views, e.g. `cached` and `market` alone to profile one.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { createLogger } from '../src/infra/logger.js'
import { freePort } from '../test/helpers/net.js'
import { provisionDatabase } from './database.js'
import { BENCH_SERVICE_ENV } from './env.js'
import { httpCaller } from './http.js'
import { benchRedis } from './redis.js'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const MARKETS = Number(process.env.BENCH_MARKETS ?? 200)
const TRADES = Number(process.env.BENCH_TRADES ?? 2000)
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn')
const RUNS = new Set((process.env.BENCH_READ_RUNS ?? 'cached,uncached,redis').split(','))
/** BENCH_LOAD=wrk: Debian's wrk generates the load (see wrk()); default autocannon. */
const LOAD = process.env.BENCH_LOAD === 'wrk' ? 'wrk' : 'autocannon'
const VIEWS = new Set((process.env.BENCH_READ_VIEWS ?? 'market,list').split(','))
const NODE_OPTIONS: string[] = `${
  JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).config.node_options
} ${process.env.BENCH_API_NODE_OPTIONS ?? ''}`
  .split(/\s+/)
  .filter(Boolean)

const ENV = { ...BENCH_SERVICE_ENV, PROCESS_ROLE: 'all', REDIS_URL: '' }

interface Proc {
  child: ChildProcess
  base: string
  stop(): Promise<void>
}

function spawnProc(args: string[], env: Record<string, string>, port: number): Proc {
  let output = ''
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (c) => {
    output += c
  })
  child.stderr?.on('data', (c) => {
    output += c
  })
  child.once('exit', (code) => {
    if (code) console.error(output)
  })
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

async function ready(proc: Proc, urlPath: string) {
  const deadline = Date.now() + 120_000
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${urlPath}: the process exited`)
    if (
      await fetch(proc.base + urlPath).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    if (Date.now() > deadline) throw new Error(`${urlPath} did not answer`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const HELLO = `
import Fastify from 'fastify'
const app = Fastify()
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
`

async function startApi(databaseUrl: string, env: Record<string, string>): Promise<Proc> {
  const proc = spawnProc(
    [...NODE_OPTIONS, 'dist/start/cli.js', 'serve'],
    { ...ENV, DATABASE_URL: databaseUrl, ...env },
    await freePort(),
  )
  await ready(proc, '/readyz')
  return proc
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
const call = httpCaller(agent)

async function seed(base: string): Promise<string[]> {
  const users: Record<string, string>[] = []
  for (let i = 0; i < 8; i++) {
    const res = await call(
      base,
      'POST',
      '/auth/v1/signup',
      { 'x-supabase-api-version': '2024-01-01' },
      {
        email: `reads-${Date.now()}-${i}@example.test`,
        password: 'correct horse battery staple',
      },
    )
    if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${res.body}`)
    users.push({ authorization: `Bearer ${(JSON.parse(res.body) as { access_token: string }).access_token}` })
  }
  const ids: string[] = []
  for (let i = 0; i < MARKETS; i++) {
    const categorical = i % 4 === 0
    const res = await call(base, 'POST', '/v1/markets', users[i % users.length] as Record<string, string>, {
      question: `Will benchmark question number ${i} resolve yes?`,
      description: 'A market of the read benchmark, with a description of a realistic length. '.repeat(4),
      kind: categorical ? 'categorical' : 'binary',
      ...(categorical ? { outcomes: ['north', 'south', 'east', 'west'] } : {}),
      subsidy: '100',
      close_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    })
    if (res.status !== 201) throw new Error(`market: ${res.status} ${res.body}`)
    ids.push((JSON.parse(res.body) as { id: string }).id)
  }
  let next = 0
  await Promise.all(
    users.map(async (headers) => {
      while (next < TRADES) {
        const n = next++
        const res = await call(base, 'POST', `/v1/markets/${ids[n % ids.length]}/trades`, headers, {
          side: 'buy',
          outcome: n % 2,
          amount: String(1 + (n % 9)),
        })
        if (res.status !== 201) throw new Error(`trade: ${res.status} ${res.body}`)
      }
    }),
  )
  return ids
}

interface Figure {
  label: string
  rps: number
  p50: number
  p99: number
  non2xx: number
  bytes: number
}

/**
 * wrk (Debian's, C, one thread) in place of autocannon: autocannon runs in this Node process on
 * the same two cores, and its cost per answer grows with the body (2.4 kB against the
 * hello-world's 188 B), so with it part of a ratio is the load generator's, not the server's.
 */
function wrk(url: string, seconds: number): Omit<Figure, 'label'> {
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  })
  const ms = (text: string | undefined) => {
    const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? '')
    if (!m) return Number.NaN
    return Math.round(Number(m[1]) * ({ us: 1, ms: 1000, s: 1e6 } as const)[m[2] as 'us' | 'ms' | 's']) / 1000
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out)
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(transfer?.[2] ?? 'B') as 'B']
  return {
    rps,
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    bytes: (Number(transfer?.[1]) * unit) / Math.max(1, rps),
  }
}

async function measure(label: string, url: string): Promise<Figure> {
  // Warm-up (JIT, the cache's first miss), then the measured run.
  if (LOAD === 'wrk') {
    wrk(url, 2)
    const figure = { label, ...wrk(url, DURATION_S) }
    console.log(
      `${label.padEnd(44)} ${figure.rps.toFixed(0).padStart(7)} req/s  p50 ${figure.p50} ms  p99 ${figure.p99} ms  ${figure.bytes.toFixed(0)} B/resp  non-2xx ${figure.non2xx}`,
    )
    return figure
  }
  await autocannon({ url, connections: CONNECTIONS, duration: 2 })
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S })
  const figure = {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors + r.timeouts,
    bytes: r.throughput.average / Math.max(1, r.requests.average),
  }
  console.log(
    `${label.padEnd(44)} ${figure.rps.toFixed(0).padStart(7)} req/s  p50 ${figure.p50} ms  p99 ${figure.p99} ms  ${figure.bytes.toFixed(0)} B/resp  non-2xx ${figure.non2xx}`,
  )
  return figure
}

async function main() {
  execFileSync(process.execPath, ['scripts/build-if-changed.mjs'], { cwd: projectRoot, stdio: 'inherit' })
  const database = await provisionDatabase(log)
  console.log(`database: ${database.label}; ${CONNECTIONS} connections, ${DURATION_S} s per run`)
  const procs: Proc[] = []
  let redis: Awaited<ReturnType<typeof benchRedis>>
  try {
    const hello = spawnProc(['--input-type=module', '-e', HELLO], {}, await freePort())
    procs.push(hello)
    await ready(hello, '/')
    const reference = await measure('Fastify hello-world', `${hello.base}/`)
    await hello.stop()

    let api = await startApi(database.url, {})
    procs.push(api)
    const ids = await seed(api.base)
    const hot = ids[Math.floor(ids.length / 2)] as string
    console.log(`seeded ${ids.length} markets, ${TRADES} trades`)
    const figures: Figure[] = []
    const run = async (label: string, base: string) => {
      if (VIEWS.has('market'))
        figures.push(await measure(`${label}: GET /v1/markets/{id}`, `${base}/v1/markets/${hot}`))
      if (VIEWS.has('list')) figures.push(await measure(`${label}: GET /v1/markets`, `${base}/v1/markets`))
    }
    if (RUNS.has('cached')) await run('cached, in process', api.base)
    await api.stop()

    if (RUNS.has('uncached')) {
      api = await startApi(database.url, { READ_CACHE: 'false' })
      procs.push(api)
      await run('uncached', api.base)
      await api.stop()
    }

    redis = RUNS.has('redis') ? await benchRedis() : undefined
    if (redis) {
      api = await startApi(database.url, {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `dm:bench:${Date.now()}:`,
      })
      procs.push(api)
      await run('cached, Redis', api.base)
      await api.stop()
    } else if (RUNS.has('redis'))
      console.log('no Redis (BENCH_REDIS_URL unset, no redis-server): the Redis figures are skipped')

    console.log('\nratio to the hello-world (targets: a market ≥ 50%, the list ≥ 25%)')
    for (const f of figures)
      console.log(`${f.label.padEnd(44)} ${((100 * f.rps) / reference.rps).toFixed(1)}%`)
  } finally {
    for (const p of procs) await p.stop()
    redis?.stop()
    agent.destroy()
    await database.cleanup()
  }
}

await main()
