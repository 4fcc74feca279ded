/**
 * Rate limits: per client IP on every request (before anything else runs), stricter per IP on
 * sign-up and password sign-in (credential stuffing), and per user once the caller is known
 * (an API key counts against its owner, so ten keys do not buy ten times the rate). Counters
 * live in the Store: Redis when configured, so every instance behind the load balancer counts
 * together; in-process otherwise. Over a limit: 429 with Retry-After (a problem document, or
 * GoTrue's `over_request_rate_limit` under /auth/v1).
 *
 * When the store fails (Redis away), requests go through: a degraded limiter beats an outage.
 *
 * Every limited response says where the caller stands, in the IETF httpapi draft's fields
 * (draft-ietf-httpapi-ratelimit-headers), one item per limiter that counted the request:
 *   RateLimit-Policy: "ip";q=600;w=60, "user";q=300;w=60    (quota q per window of w seconds)
 *   RateLimit: "ip";r=598;t=41, "user";r=299;t=41            (r left, t seconds until the window resets)
 * so a bot slows down before it is refused rather than after.
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.js'
import { errors } from '../../errors/codes.js'
import type { WindowCount } from '../../infra/cache/store.js'
import { perRegistry } from '../../infra/metrics.js'
import type { App } from '../types.js'

/** Load balancers poll these; they must never be limited away. */
const UNLIMITED = new Set(['/healthz', '/readyz'])

function path(request: FastifyRequest): string {
  const url = request.url
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * Judged by what the router and the route read, never by the raw URL: `grant_type=%70assword`,
 * `%67rant_type=password` or `/auth/v1/%74oken` reach the sign-in all the same, and a regular
 * expression over `request.url` once let them through uncounted. Every token request counts but
 * a refresh (which needs a refresh token, not a password).
 */
function isCredentialAttempt(request: FastifyRequest): boolean {
  if (request.method !== 'POST') return false
  const route = request.routeOptions.url
  if (route === '/auth/v1/signup') return true
  if (route !== '/auth/v1/token') return false
  const grant = (request.query as Record<string, unknown> | undefined)?.grant_type
  return grant !== 'refresh_token'
}

/** The limiters, by the name their refusals are counted under. */
type Scope = 'ip' | 'auth' | 'user'
const SCOPES: readonly Scope[] = ['ip', 'auth', 'user']

/** 429s by limiter, each limiter's series present from the start. */
export const rateLimitRefusals = perRegistry((metrics) => {
  const refusals = metrics.counter({
    name: 'dm_rate_limit_refusals_total',
    help: 'Requests refused with 429, by limiter (ip: every request per address, auth: sign-in and sign-up per address, user: per user)',
    labelNames: ['scope'] as const,
  })
  return Object.fromEntries(
    SCOPES.map((scope) => {
      const child = refusals.labels(scope)
      child.inc(0)
      return [scope, child]
    }),
  ) as Record<Scope, { inc(): void }>
})

/** What one limiter counted for a request: the draft's policy and its state. */
interface Counted {
  scope: Scope
  max: number
  remaining: number
  resetSeconds: number
}

const counted = new WeakMap<FastifyRequest, Counted[]>()

/** The two fields for what the limiters counted (structured-field lists, RFC 8941). */
export function rateLimitHeaders(windowSeconds: number, items: readonly Counted[]) {
  return {
    'ratelimit-policy': items.map((c) => `"${c.scope}";q=${c.max};w=${windowSeconds}`).join(', '),
    ratelimit: items.map((c) => `"${c.scope}";r=${c.remaining};t=${c.resetSeconds}`).join(', '),
  }
}

/**
 * The per-IP limiter for the fast lane of public reads (http/fast-reads.ts), which answers
 * before Fastify's hooks run: the same count in the same store, and the same headers.
 */
export interface IpLimiter {
  /**
   * Counts a request of `ip`. Resolves with the RateLimit headers to send, `refused` (over the
   * limit: the lane hands the request to Fastify, whose hook refuses it from this same count,
   * not a second one), or undefined when the store failed (not limiting, as the hook does).
   */
  count(req: IncomingMessage, ip: string): Promise<Record<string, string> | 'refused' | undefined>
}

/** The per-IP limiter, or undefined when there is no per-IP limit. */
export function registerRateLimits(app: App, ctx: AppContext): IpLimiter | undefined {
  const { config, store, log } = ctx
  const windowMs = config.RATE_LIMIT_WINDOW_S * 1000
  let lastFailureLog = 0
  const refusals = rateLimitRefusals(ctx.metrics)

  const hit = (key: string) =>
    store.hit(key, windowMs).catch((error: unknown) => {
      if (Date.now() - lastFailureLog > 60_000) {
        lastFailureLog = Date.now()
        log.warn({ err: error, store: store.kind }, 'rate-limit store unavailable; not limiting')
      }
      return undefined
    })
  const item = (scope: Scope, max: number, window: WindowCount): Counted => ({
    scope,
    max,
    remaining: Math.max(0, max - window.count),
    resetSeconds: Math.max(0, Math.ceil(window.resetInMs / 1000)),
  })
  /** Requests the fast lane counted already, then handed to Fastify. */
  const countedByLane = new WeakMap<IncomingMessage, WindowCount | undefined>()

  async function check(request: FastifyRequest, scope: Scope, key: string, max: number): Promise<void> {
    if (max <= 0) return
    const window =
      scope === 'ip' && countedByLane.has(request.raw) ? countedByLane.get(request.raw) : await hit(key)
    if (!window) return
    const state = item(scope, max, window)
    const items = counted.get(request)
    if (items) items.push(state)
    else counted.set(request, [state])
    if (window.count > max) {
      refusals[scope].inc()
      throw errors.rateLimited(Math.max(1, Math.ceil(window.resetInMs / 1000)))
    }
  }

  app.addHook('onRequest', async (request) => {
    if (UNLIMITED.has(path(request))) return
    await check(request, 'ip', `rl:ip:${request.ip}`, config.RATE_LIMIT_IP_MAX)
    if (isCredentialAttempt(request))
      await check(request, 'auth', `rl:auth:${request.ip}`, config.RATE_LIMIT_AUTH_MAX)
  })

  // preValidation runs after every onRequest hook, so the caller is known by now.
  app.addHook('preValidation', async (request) => {
    if (request.principal)
      await check(request, 'user', `rl:user:${request.principal.userId}`, config.RATE_LIMIT_USER_MAX)
  })

  // Every limiter off (the benchmarks): not even the hook.
  if (config.RATE_LIMIT_IP_MAX <= 0 && config.RATE_LIMIT_AUTH_MAX <= 0 && config.RATE_LIMIT_USER_MAX <= 0)
    return undefined
  app.addHook('onSend', async (request, reply, payload) => {
    const items = counted.get(request)
    if (items) reply.headers(rateLimitHeaders(config.RATE_LIMIT_WINDOW_S, items))
    return payload
  })
  const max = config.RATE_LIMIT_IP_MAX
  if (max <= 0) return undefined
  return {
    async count(req, ip) {
      const window = await hit(`rl:ip:${ip}`)
      countedByLane.set(req, window)
      if (!window) return undefined
      if (window.count > max) return 'refused'
      return rateLimitHeaders(config.RATE_LIMIT_WINDOW_S, [item('ip', max, window)])
    },
  }
}
