/**
 * Traces over OTLP: with an endpoint configured, the spans of a request (named by its route
 * template, in the caller's trace, the trade span its child) reach a real HTTP collector when the
 * tracer shuts down; without one, the tracer records nothing and nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageVersion } from '../../src/config/index.js'
import { buildApp } from '../../src/http/app.js'
import { createTracer, propagatingTracer, type Tracer, tracesUrl } from '../../src/infra/tracing.js'
import { type OtlpCollector, startOtlpCollector } from '../fakes/otlp-collector.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestUser } from '../helpers/users.js'

const TRACE = '0af7651916cd43dd8448eb211c80319c'
const CALLER_SPAN = 'b7ad6b7169203331'

let collector: OtlpCollector
let tracer: Tracer
let t: TestApp

beforeAll(async () => {
  collector = await startOtlpCollector()
  tracer = await createTracer({ endpoint: collector.url, serviceVersion: packageVersion, role: 'api' })
  t = await createTestApp({ tracer })
})

afterAll(async () => {
  await t?.close()
  await collector?.close()
})

describe('OTLP export', () => {
  it('sends the spans of requests, named by route template, in the caller trace', async () => {
    expect(tracer.exporting).toBe(true)
    const user = await createTestUser(t)
    const traceparent = `00-${TRACE}-${CALLER_SPAN}-01`
    const health = await t.app.inject({ method: 'GET', url: '/healthz', headers: { traceparent } })
    expect(health.statusCode).toBe(200)
    // A trade on a market that does not exist: the request and its trade span, both failed.
    const trade = await t.app.inject({
      method: 'POST',
      url: '/v1/markets/00000000-0000-4000-8000-000000000000/trades',
      headers: { ...user.headers, traceparent },
      payload: { branch: 0, outcome: 'YES', side: 'buy', amount: '1' },
    })
    expect(trade.statusCode).toBe(404)
    const unknown = await t.app.inject({ method: 'GET', url: '/no/such/path/123' })
    expect(unknown.statusCode).toBe(404)
    // Nothing is sent per request: spans leave in batches, and shutdown flushes the last one.
    await tracer.shutdown()

    expect(collector.requests.every((r) => r.path === '/v1/traces')).toBe(true)
    expect(collector.requests[0]?.contentType).toMatch(/^application\/json/)
    const ours = collector.spans.filter((s) => s.traceId === TRACE)
    const healthSpan = ours.find((s) => s.name === 'GET /healthz')
    expect(healthSpan).toMatchObject({
      parentSpanId: CALLER_SPAN,
      kind: 2, // SERVER
      attributes: {
        'http.route': '/healthz',
        'http.response.status_code': 200,
        'http.request.method': 'GET',
      },
      resource: {
        'service.name': 'decision-markets',
        'service.version': packageVersion,
        'service.role': 'api',
      },
    })
    expect(healthSpan?.attributes['dm.request_id']).toBe(health.headers['x-request-id'])
    const tradeRequest = ours.find((s) => s.name === 'POST /v1/markets/:market/trades')
    expect(tradeRequest?.parentSpanId).toBe(CALLER_SPAN)
    expect(tradeRequest?.attributes['http.response.status_code']).toBe(404)
    const placement = ours.find((s) => s.name === 'trade.place')
    expect(placement?.parentSpanId).toBe(tradeRequest?.spanId)
    expect(placement?.status.code).toBe(2) // ERROR: the market was not found
    // A path no route matches is named by its method alone (no ids in span names), in a trace of its own.
    const unmatched = collector.spans.find(
      (s) => s.attributes['dm.request_id'] === unknown.headers['x-request-id'],
    )
    expect(unmatched?.name).toBe('GET')
    expect(unmatched?.traceId).not.toBe(TRACE)
    expect(unmatched?.parentSpanId).toBeUndefined()
  })

  it('is off without an endpoint: no SDK, nothing recorded, trace ids still passed on', async () => {
    expect(tracesUrl({})).toBeUndefined()
    expect(tracesUrl({ endpoint: 'http://c:4318/' })).toBe('http://c:4318/v1/traces')
    expect(tracesUrl({ endpoint: 'http://c:4318', tracesEndpoint: 'http://d/x' })).toBe('http://d/x')
    const off = await createTracer({ serviceVersion: packageVersion, role: 'api' })
    expect(off).toBe(propagatingTracer)
    expect(off.exporting).toBe(false)
    const sent = collector.requests.length
    // What a process without OTEL_* runs with, around the same database.
    const plain = await buildApp({ ...t.ctx, tracer: off })
    try {
      const res = await plain.inject({
        method: 'GET',
        url: '/healthz',
        headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
      })
      expect(res.statusCode).toBe(200)
      const span = off.startSpan('x', { parent: { traceId: TRACE, spanId: CALLER_SPAN, flags: '01' } })
      expect(span.context.traceId).toBe(TRACE)
      expect(span.context.spanId).not.toBe(CALLER_SPAN)
      span.end()
      await off.shutdown()
    } finally {
      await plain.close()
    }
    expect(collector.requests.length).toBe(sent)
  })
})
