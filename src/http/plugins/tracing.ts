/**
 * A span per request, named by its route template (`POST /v1/markets/:market/trades`, never the
 * path with its ids) and ended with the status. Its parent is the caller's `traceparent` when
 * that is valid (else the request starts a trace), and its context is what the request's own
 * work passes on: the trade span, and the jobs it queues (the LLM call, the webhook delivery).
 * Registered before every other onRequest hook, so refusals (429, 503 while draining) and 404s
 * have their span too.
 */
import type { FastifyRequest } from 'fastify'
import { parseTraceparent, type TraceContext } from '../../infra/trace-context.js'
import type { Span } from '../../infra/tracing.js'
import type { ApiContext } from '../context.js'
import type { App } from '../types.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Null only for requests refused before any hook ran (malformed URLs). */
    span: Span | null
  }
}

/** The request's trace, to start child spans or queue jobs with. */
export function requestTrace(request: FastifyRequest): TraceContext | undefined {
  return request.span?.context
}

export function registerTracing(app: App, ctx: ApiContext) {
  const { tracer } = ctx
  app.decorateRequest('span', null)
  app.addHook('onRequest', async (request) => {
    request.span = tracer.startSpan(request.method, {
      kind: 'server',
      parent: parseTraceparent(request.headers.traceparent, request.headers.tracestate),
      attributes: tracer.exporting
        ? { 'http.request.method': request.method, 'dm.request_id': request.id }
        : {},
    })
  })
  app.addHook('onResponse', async (request, reply) => {
    const span = request.span
    if (!span) return
    const route = request.routeOptions.url
    span.setName(route ? `${request.method} ${route}` : request.method)
    if (tracer.exporting) {
      span.setAttributes({ 'http.route': route, 'http.response.status_code': reply.statusCode })
      if (reply.statusCode >= 500) span.fail()
    }
    span.end()
  })
}
