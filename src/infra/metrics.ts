/**
 * Prometheus metrics on an admin server of their own (METRICS_PORT), never on the public API:
 * what a process exposes about itself is for the operator's scraper, not for the Internet.
 *
 * One registry per process, in the context (`ctx.metrics`), so every layer counts through the
 * same small interface and a test can read what a call counted. Families are declared where
 * they are counted, through `counter`/`histogram`/`gauge`, which return the family already
 * registered under that name: a module may be wired twice (API and worker in one process)
 * without a duplicate-registration error.
 *
 * Labels must be bounded: route templates, error codes, query names, queue names; never a path,
 * a user, a market or a message (test/infra/metrics-labels.test.ts holds the service to it).
 *
 * Gauges whose value lives in the database (the anchoring backlog, queue depth) are read when
 * scraped, through a `collect` callback, so a scrape shows the state now and an idle process
 * does no work for them.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Gauge, type GaugeConfiguration, type Metric, Registry } from 'prom-client'
import type { Logger } from './logger.js'
import { type CounterFamily, FastCounter, FastHistogram, type HistogramFamily } from './metric-families.js'

export type { CounterFamily, HistogramFamily } from './metric-families.js'

type Config<T extends string, C> = Omit<C, 'registers' | 'labelNames'> & { labelNames?: readonly T[] }

interface FamilyConfig<T extends string> {
  name: string
  help: string
  labelNames?: readonly T[]
}

export interface Metrics {
  readonly registry: Registry
  /**
   * false for `disabledMetrics()`: instrumentation that costs something of its own (an HTTP hook,
   * a timer per query) is not installed at all, so "off" measures the service without metrics.
   */
  readonly enabled: boolean
  counter<T extends string = never>(config: FamilyConfig<T>): CounterFamily<T>
  histogram<T extends string = never>(
    config: FamilyConfig<T> & { buckets?: readonly number[] },
  ): HistogramFamily<T>
  gauge<T extends string = never>(config: Config<T, GaugeConfiguration<T>>): Gauge<T>
  /** A gauge set from `read()` at every scrape; a failed read leaves the gauge out of that scrape. */
  gaugeFromDatabase(name: string, help: string, read: () => Promise<number>, log: Logger): Gauge
}

/**
 * A module's families (and their labelled children, cached) made once per registry: counting a
 * trade is then a WeakMap lookup and an increment, not a family lookup by name and a label hash.
 */
export function perRegistry<T>(make: (metrics: Metrics) => T): (metrics: Metrics) => T {
  const made = new WeakMap<Metrics, T>()
  return (metrics) => {
    let families = made.get(metrics)
    if (families === undefined) {
      families = make(metrics)
      made.set(metrics, families)
    }
    return families
  }
}

/** Buckets for request and trade latencies (seconds): 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'dm_' })
  const family = <M>(name: string, make: () => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? make()
  const registered = <M extends { name: string }>(metric: M): M => {
    registry.registerMetric(metric as unknown as Metric)
    return metric
  }
  const metrics: Metrics = {
    registry,
    enabled: true,
    // Counters and histograms are counted on every request: the fast families (metric-families.ts).
    counter: (config) =>
      family(config.name, () => registered(new FastCounter(config))) as unknown as CounterFamily<never>,
    histogram: (config) =>
      family(config.name, () => registered(new FastHistogram(config))) as unknown as HistogramFamily<never>,
    gauge: (config) =>
      family(
        config.name,
        () => new Gauge({ ...config, labelNames: config.labelNames ?? [], registers: [registry] }),
      ),
    gaugeFromDatabase(name, help, read, log) {
      return metrics.gauge({
        name,
        help,
        async collect() {
          try {
            this.set(await read())
          } catch (error) {
            this.reset()
            log.warn({ err: error, metric: name }, 'metric could not be read')
          }
        },
      })
    },
  }
  return metrics
}

/**
 * Metrics that count nothing: every family is one shared object whose methods do nothing, and the
 * registry stays empty. What a process without an admin port uses (nobody could scrape it), and
 * the "off" side of the overhead benchmark (bench/trades.ts BENCH_METRICS=both).
 */
export function disabledMetrics(): Metrics {
  const nothing = () => undefined
  const series = {
    inc: nothing,
    dec: nothing,
    set: nothing,
    observe: nothing,
    zero: nothing,
    reset: nothing,
    remove: nothing,
    startTimer: () => () => 0,
    labels: () => series,
  }
  // One shape serves as every kind of family: callers only count through it.
  const family = <M>() => series as unknown as M
  return {
    registry: new Registry(),
    enabled: false,
    counter: family,
    histogram: family,
    gauge: family,
    gaugeFromDatabase: family,
  }
}

/** What the admin server's /readyz reports: ready or not, and why. */
export interface Readiness {
  ok: boolean
  checks: Record<string, { ok: boolean; detail?: string }>
}

/**
 * The admin server: GET /metrics for the scraper, and the probes of a process that serves no
 * public HTTP (a worker): GET /healthz answers while the event loop does (liveness: nothing it
 * depends on is asked, so a slow database never gets a healthy worker restarted), GET /readyz
 * runs `ready` (the database answers and the schema is current) and answers 503 when not.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: { host: string; port: number; log: Logger; ready?: () => Promise<Readiness> },
): Promise<{ address: string; close(): Promise<void> }> {
  const json = (response: http.ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  const server = http.createServer(async (request, response) => {
    const path = request.url?.split('?')[0]
    if (request.method === 'GET' && path === '/healthz') return json(response, 200, { status: 'ok' })
    if (request.method === 'GET' && path === '/readyz') {
      const readiness = options.ready
        ? await options.ready().catch(
            (error: unknown): Readiness => ({
              ok: false,
              checks: { database: { ok: false, detail: (error as Error).message } },
            }),
          )
        : { ok: true, checks: {} }
      return json(response, readiness.ok ? 200 : 503, {
        status: readiness.ok ? 'ready' : 'not_ready',
        checks: readiness.checks,
      })
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('Not found: the admin server serves GET /metrics, /healthz and /readyz\n')
      return
    }
    try {
      const body = await metrics.registry.metrics()
      response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body)
    } catch (error) {
      options.log.error({ err: error }, 'metrics scrape failed')
      response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { address, port } = server.address() as AddressInfo
  return {
    address: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
