/**
 * Prometheus metrics on an admin server of their own (METRICS_PORT), never on the public API:
 * what a process exposes about itself is for the operator's scraper, not for the Internet.
 *
 * One registry per process. Gauges whose value lives in the database (the anchoring backlog)
 * are read when scraped, through a `collect` callback, so a scrape shows the state now and an
 * idle process does no work for them.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { Logger } from './logger.js'

export interface Metrics {
  readonly registry: Registry
  /** A gauge set from `read()` at every scrape; a failed read leaves the gauge out of that scrape. */
  gaugeFromDatabase(name: string, help: string, read: () => Promise<number>, log: Logger): Gauge
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'dm_' })
  return {
    registry,
    gaugeFromDatabase(name, help, read, log) {
      return new Gauge({
        name,
        help,
        registers: [registry],
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
}

/** Serves GET /metrics; resolves with the address once listening. */
export async function startMetricsServer(
  metrics: Metrics,
  options: { host: string; port: number; log: Logger },
): Promise<{ address: string; close(): Promise<void> }> {
  const server = http.createServer(async (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('Not found: the admin server serves GET /metrics\n')
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
