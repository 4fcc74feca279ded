/**
 * Requests as Prometheus families: a counter and a duration histogram by route template
 * (`/v1/markets/:market`, never the path), method and status class. A request no route matched
 * (a 404 or 405 from the not-found handler) is `unmatched`, and a method outside the usual
 * ones `other`, so no caller can mint a series.
 *
 * On every request's path: the labelled children are made once per (route, method, class) and
 * kept in nested maps, so a request costs three map reads and two increments; the duration is
 * Fastify's own `reply.elapsedTime`, no timer of ours.
 */
import { LATENCY_BUCKETS, type Metrics } from '../../infra/metrics.js'
import type { App } from '../types.js'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const STATUS_CLASSES = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'] as const

interface Series {
  requests: { inc(): void }
  duration: { observe(value: number): void }
}

const labelNames = ['route', 'method', 'status_class'] as const

/** The two families (declared by start-up in every role, so a worker's scrape lists them too). */
export function httpMetricFamilies(metrics: Metrics) {
  return {
    requests: metrics.counter({
      name: 'dm_http_requests_total',
      help: 'HTTP requests answered, by route template (unmatched: no route), method and status class',
      labelNames,
    }),
    duration: metrics.histogram({
      name: 'dm_http_request_duration_seconds',
      help: 'Server time per HTTP request, from its arrival to the end of the answer',
      labelNames,
      buckets: LATENCY_BUCKETS,
    }),
  }
}

/** The counter and histogram children of a route template, method and status. */
export type HttpSeries = (route: string, method: string, statusCode: number) => Series

/** The HTTP metrics' series (the fast lane of reads counts in them too), or undefined when off. */
export function registerHttpMetrics(app: App, metrics: Metrics): HttpSeries | undefined {
  // Off: not even the hook, so "metrics off" costs the request nothing.
  if (!metrics.enabled) return undefined
  const { requests, duration } = httpMetricFamilies(metrics)
  const byRoute = new Map<string, Map<string, Array<Series | undefined>>>()

  function series(route: string, method: string, statusCode: number): Series {
    let byMethod = byRoute.get(route)
    if (!byMethod) {
      byMethod = new Map()
      byRoute.set(route, byMethod)
    }
    let byClass = byMethod.get(method)
    if (!byClass) {
      byClass = []
      byMethod.set(method, byClass)
    }
    const index = Math.min(5, Math.max(1, Math.floor(statusCode / 100)))
    let found = byClass[index]
    if (!found) {
      const labels = [route, method, STATUS_CLASSES[index] as string] as const
      found = { requests: requests.labels(...labels), duration: duration.labels(...labels) }
      byClass[index] = found
    }
    return found
  }

  app.addHook('onResponse', (request, reply, done) => {
    // The not-found handler runs with no route of its own: its url is undefined.
    const route = request.routeOptions.url ?? 'unmatched'
    const method = METHODS.has(request.method) ? request.method : 'other'
    const counted = series(route, method, reply.statusCode)
    counted.requests.inc()
    counted.duration.observe(reply.elapsedTime / 1000)
    done()
  })
  return series
}
