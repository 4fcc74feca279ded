/**
 * The dashboards and alerts against the running service, over real sockets: `decision-markets
 * serve` (all roles, METRICS_PORT on a free port) on the test database, a trade and a refused
 * trade through the public API, then
 *   - a scrape of /metrics declares every metric family a panel, a variable or an alert names,
 *     and carries the label values the panels filter on;
 *   - a real Prometheus (Debian's binary) scraping the admin port every second, with our
 *     alerts.yml as its rule file, sees the target up, sees the trade counter move after a trade,
 *     and has loaded every alert rule with health ok.
 * Only the processes started here are stopped, by their pid.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Served, serve, servedTestEnv, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { freePort } from '../helpers/net.js'
import {
  alertRules,
  dashboardExpressions,
  familyOf,
  metricNames,
  PROMETHEUS_DIR,
  parseExposition,
} from '../helpers/promql.js'
import { haveTools } from '../helpers/tools.js'

/** Series Prometheus makes itself, not the service. */
const SYNTHETIC = new Set(['up'])

let database: TestDatabase
let served: Served
let base: string
let metricsUrl: string
let metricsPort: number
let trader: { authorization: string }
let marketId: string

async function api(method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

async function trade() {
  const res = await api('POST', `/v1/markets/${marketId}/trades`, trader, {
    outcome: 0,
    side: 'buy',
    amount: '2',
  })
  expect(res.status, res.text).toBe(201)
}

beforeAll(async () => {
  database = await createTestDatabase()
  const port = await freePort()
  metricsPort = await freePort()
  base = `http://127.0.0.1:${port}`
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
  served = serve({
    ...servedTestEnv(database.url, base),
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    QUEUE_POLL_INTERVAL_SECONDS: '1',
    SHUTDOWN_GRACE_MS: '2000',
  })
  await waitFor(`${base}/readyz`, served)
  await waitFor(metricsUrl, served)

  const signup = await api(
    'POST',
    '/auth/v1/signup',
    {},
    { email: `ops-${randomBytes(4).toString('hex')}@example.test`, password: 'correct horse battery staple' },
  )
  expect(signup.status, signup.text).toBe(200)
  trader = { authorization: `Bearer ${signup.json().access_token as string}` }
  const market = await api('POST', '/v1/markets', trader, {
    question: 'Does the dashboard see this trade?',
    kind: 'binary',
    subsidy: '50',
    close_at: new Date(Date.now() + 3_600_000).toISOString(),
  })
  expect(market.status, market.text).toBe(201)
  marketId = market.json().id as string
}, 120_000)

afterAll(async () => {
  if (served?.child.pid !== undefined && served.child.exitCode === null) {
    process.kill(-served.child.pid, 'SIGTERM')
    await served.exited
  }
  await database?.drop()
})

describe('a scrape of the running service', () => {
  it('declares every metric the dashboards and alerts name, with the label values panels filter on', async () => {
    await trade()
    // A refusal with its code, and a path no route matches.
    const refused = await api('POST', `/v1/markets/${marketId}/trades`, trader, {
      outcome: 1,
      side: 'sell',
      shares: '1000',
    })
    expect(refused.status, refused.text).toBe(422)
    expect((await api('GET', '/v1/no-such-route', {})).status).toBe(404)

    const text = await (await fetch(metricsUrl)).text()
    const { types, samples } = parseExposition(text)

    const named = new Map<string, string>()
    for (const { where, expr } of dashboardExpressions()) {
      for (const name of metricNames(expr)) named.set(name, where)
    }
    for (const rule of alertRules()) {
      for (const name of metricNames(rule.expr)) named.set(name, `alert ${rule.alert}`)
    }
    // Without REDIS_URL the service runs the in-process store and serves no dm_redis_up (the
    // catalogue's rule); with it the gauge must be there and say 1.
    const redis = process.env.REDIS_URL !== undefined
    if (redis) expect(samples.get('dm_redis_up')).toBe(1)
    else expect(types.has('dm_redis_up'), 'dm_redis_up without REDIS_URL').toBe(false)

    const missing = [...named]
      .filter(([name]) => !SYNTHETIC.has(name) && !(name === 'dm_redis_up' && !redis))
      .filter(([name]) => familyOf(name, types) === undefined)
      .map(([name, where]) => `${name} (${where})`)
    expect(missing, 'metrics named by a panel or an alert but absent from /metrics').toEqual([])
    expect(named.size).toBeGreaterThan(30)

    // The label values the panels and alerts select on are the ones the service writes.
    expect(text).toMatch(/^dm_trades_total\{[^}]*result="accepted"[^}]*\} [1-9]/m)
    expect(text).toMatch(/^dm_trades_total\{[^}]*result="refused"[^}]*code="insufficient_shares"[^}]*\} 1/m)
    expect(text).toMatch(
      /^dm_http_requests_total\{(?=[^}]*route="\/v1\/markets\/:market\/trades")(?=[^}]*method="POST")(?=[^}]*status_class="2xx")[^}]*\} [1-9]/m,
    )
    expect(text).toMatch(/^dm_http_requests_total\{[^}]*route="unmatched"[^}]*\} 1/m)
    expect(samples.get('dm_trade_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(samples.get('dm_trade_batch_size_count')).toBeGreaterThanOrEqual(1)
    for (const state of ['total', 'idle', 'waiting']) {
      expect(text).toMatch(new RegExp(`^dm_db_pool_connections\\{[^}]*state="${state}"[^}]*\\} \\d`, 'm'))
    }
    expect(samples.get('dm_db_pool_max')).toBeGreaterThan(0)
    expect(samples.has('dm_anchoring_lag_seconds')).toBe(true)
  })
})

describe('a real Prometheus scraping the service', () => {
  if (!haveTools(['prometheus'], 'apt-get install prometheus')) return
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-prometheus-'))
  chmodSync(dir, 0o755)
  let prometheus: ChildProcess | undefined
  let prometheusOutput = ''
  let promUrl: string

  afterAll(async () => {
    if (prometheus?.pid !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve))
      prometheus.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  })

  async function query(
    promql: string,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`)
    const body = (await res.json()) as { status: string; data: { result: [] } }
    expect(body.status, JSON.stringify(body)).toBe('success')
    return body.data.result
  }

  /** Polls `check` until it returns a value, or fails with Prometheus's output after `ms`. */
  async function eventually<T>(
    what: string | (() => string),
    check: () => Promise<T | undefined>,
    ms = 30_000,
  ): Promise<T> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusOutput}`)
      const value = await check().catch(() => undefined)
      if (value !== undefined) return value
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(
      `${typeof what === 'string' ? what : what()}: not within ${ms} ms\n${prometheusOutput.slice(-4000)}`,
    )
  }

  it('scrapes the admin port, sees a trade counted, and loads our alert rules', async () => {
    const port = await freePort()
    promUrl = `http://127.0.0.1:${port}`
    const config = path.join(dir, 'prometheus.yml')
    // JSON is YAML. Our alerts.yml, by absolute path, as the rule file.
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(PROMETHEUS_DIR, 'alerts.yml')],
        scrape_configs: [
          { job_name: 'decision-markets-api', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] },
        ],
      }),
    )
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    prometheus.stdout?.on('data', (chunk) => {
      prometheusOutput += chunk
    })
    prometheus.stderr?.on('data', (chunk) => {
      prometheusOutput += chunk
    })

    await eventually('Prometheus sees the target up', async () => {
      const result = await query('up{job="decision-markets-api"}')
      return result[0]?.value[1] === '1' ? true : undefined
    })

    // Every alert of alerts.yml is loaded and evaluates without error against the real series.
    const names = alertRules()
      .map((rule) => rule.alert)
      .sort()
    let lastRules = ''
    const rules = await eventually(
      () => `every alert rule evaluated with health ok (not ok: ${lastRules})`,
      async () => {
        const res = await fetch(`${promUrl}/api/v1/rules?type=alert`)
        const body = (await res.json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> }
        }
        const loaded = body.data.groups.flatMap((group) => group.rules)
        lastRules = JSON.stringify(loaded.filter((rule) => rule.health !== 'ok'))
        return loaded.length === names.length && loaded.every((rule) => rule.health === 'ok')
          ? loaded
          : undefined
      },
    )
    expect(rules.map((rule) => rule.name).sort()).toEqual(names)

    // The counter as Prometheus has it now (the trade of the scrape test, if it ran), then once more.
    const accepted = 'sum(dm_trades_total{job="decision-markets-api", result="accepted"})'
    const before = await eventually('the trade counter is scraped', async () => {
      const result = await query(accepted)
      return result.length === 0 ? 0 : Number(result[0]?.value[1])
    })
    await trade()
    const after = await eventually('the trade counter moves in Prometheus', async () => {
      const result = await query(accepted)
      const value = Number(result[0]?.value[1] ?? 0)
      return value >= before + 1 ? value : undefined
    })
    expect(after).toBe(before + 1)
  }, 90_000)
})
