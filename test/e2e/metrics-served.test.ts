/**
 * The service as `npm start` runs it, in both roles, with METRICS_PORT: the admin server lists
 * every family of the catalogue (docs/operations/metrics.md), a trade moves its counter, and
 * /metrics is not on the public port.
 */
import { afterAll, expect, it } from 'vitest'
import { type Served, serve, servedTestEnv, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { freePort } from '../helpers/net.js'

/** Every family this service declares, in every role (dm_redis_up only with Redis). */
const FAMILIES = [
  'dm_build_info',
  'dm_http_requests_total',
  'dm_http_request_duration_seconds',
  'dm_trades_total',
  'dm_trade_duration_seconds',
  'dm_trade_batch_size',
  'dm_db_pool_connections',
  'dm_db_pool_max',
  'dm_db_query_duration_seconds',
  'dm_queue_jobs',
  'dm_queue_lag_seconds',
  'dm_webhook_deliveries_total',
  'dm_llm_calls_total',
  'dm_llm_call_duration_seconds',
  'dm_rate_limit_refusals_total',
  'dm_auth_failures_total',
  'dm_anchoring_unbatched_postings',
  'dm_anchoring_lag_seconds',
  'dm_process_cpu_user_seconds_total',
  'dm_nodejs_eventloop_lag_p99_seconds',
]

const started: Served[] = []
let database: TestDatabase | undefined
afterAll(async () => {
  for (const served of started) {
    if (served.child.exitCode === null) served.child.kill('SIGTERM')
    await served.exited
  }
  await database?.drop()
})

const value = (scrape: string, series: string) => {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

it('serves every family on the admin port in both roles, and nothing on the public port', async () => {
  database = await createTestDatabase()
  const [apiPort, apiMetrics, workerMetrics] = [await freePort(), await freePort(), await freePort()]
  const base = `http://127.0.0.1:${apiPort}`
  const env = servedTestEnv(database.url, base)
  const api = serve({ ...env, PROCESS_ROLE: 'api', PORT: String(apiPort), METRICS_PORT: String(apiMetrics) })
  started.push(api)
  const worker = serve({
    ...env,
    PROCESS_ROLE: 'worker',
    PORT: '0',
    METRICS_PORT: String(workerMetrics),
    MIGRATE_ON_START: 'false',
  })
  started.push(worker)
  await waitFor(`${base}/readyz`, api, 90_000)
  await waitFor(`http://127.0.0.1:${workerMetrics}/metrics`, worker, 90_000)

  const signup = await fetch(`${base}/auth/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `served-${apiPort}@example.test`,
      password: 'correct horse battery staple',
    }),
  })
  expect(signup.status).toBe(200)
  const auth = { authorization: `Bearer ${((await signup.json()) as { access_token: string }).access_token}` }
  const market = await fetch(`${base}/v1/markets`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      question: 'Served metrics?',
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  })
  expect(market.status).toBe(201)
  const { id } = (await market.json()) as { id: string }
  const trade = await fetch(`${base}/v1/markets/${id}/trades`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'YES', side: 'buy', amount: '3' }),
  })
  expect(trade.status).toBe(201)

  // Not on the public port: there it is a route like any unknown one.
  expect((await fetch(`${base}/metrics`)).status).toBe(404)

  const withRedis = Boolean(process.env.REDIS_URL)
  for (const [role, port] of [
    ['api', apiMetrics],
    ['worker', workerMetrics],
  ] as const) {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const scrape = await res.text()
    const missing = FAMILIES.filter((name) => !scrape.includes(`# TYPE ${name} `))
    expect(missing, `${role}: families missing`).toEqual([])
    expect(scrape.includes('# TYPE dm_redis_up gauge'), `${role}: dm_redis_up iff Redis`).toBe(withRedis)
    if (withRedis) expect(value(scrape, 'dm_redis_up')).toBe(1)
    expect(scrape).toMatch(
      new RegExp(`^dm_build_info\\{version="[^"]+",node_version="v[^"]+",role="${role}"\\} 1$`, 'm'),
    )
    expect(value(scrape, 'dm_db_pool_max')).toBe(10)
    // Queue series exist for the queues every role registers, idle ones at 0.
    expect(scrape).toMatch(/^dm_queue_jobs\{queue="market-close",state="created"\} \d+$/m)
    // The admin port's probes (the worker's only HTTP, for its Kubernetes probes).
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true } },
    })
  }
  const apiScrape = await (await fetch(`http://127.0.0.1:${apiMetrics}/metrics`)).text()
  expect(value(apiScrape, 'dm_trades_total{result="accepted",code="ok"}')).toBe(1)
  expect(value(apiScrape, 'dm_trade_batch_size_count')).toBe(1)
  expect(
    value(
      apiScrape,
      'dm_http_requests_total{route="/v1/markets/:market/trades",method="POST",status_class="2xx"}',
    ),
  ).toBe(1)
  expect(value(apiScrape, 'dm_http_requests_total{route="unmatched",method="GET",status_class="4xx"}')).toBe(
    1,
  )
  expect(apiScrape).not.toContain(id)
}, 180_000)
