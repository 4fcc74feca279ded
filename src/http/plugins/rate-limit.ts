/**
 * Rate limits: per client IP on every request (before anything else runs), stricter per IP on
 * sign-up and password sign-in (credential stuffing), and per user once the caller is known
 * (an API key counts against its owner, so ten keys do not buy ten times the rate). Counters
 * live in the Store: Redis when configured, so every instance behind the load balancer counts
 * together; in-process otherwise. Over a limit: 429 with Retry-After (a problem document, or
 * GoTrue's `over_request_rate_limit` under /auth/v1).
 *
 * When the store fails (Redis away), requests go through: a degraded limiter beats an outage.
 */
import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.js'
import { errors } from '../../errors/codes.js'
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

export function registerRateLimits(app: App, ctx: AppContext) {
  const { config, store, log } = ctx
  const windowMs = config.RATE_LIMIT_WINDOW_S * 1000
  let lastFailureLog = 0
  const refusals = rateLimitRefusals(ctx.metrics)

  async function check(scope: Scope, key: string, max: number): Promise<void> {
    if (max <= 0) return
    const window = await store.hit(key, windowMs).catch((error: unknown) => {
      if (Date.now() - lastFailureLog > 60_000) {
        lastFailureLog = Date.now()
        log.warn({ err: error, store: store.kind }, 'rate-limit store unavailable; not limiting')
      }
      return undefined
    })
    if (window && window.count > max) {
      refusals[scope].inc()
      throw errors.rateLimited(Math.max(1, Math.ceil(window.resetInMs / 1000)))
    }
  }

  app.addHook('onRequest', async (request) => {
    if (UNLIMITED.has(path(request))) return
    await check('ip', `rl:ip:${request.ip}`, config.RATE_LIMIT_IP_MAX)
    if (isCredentialAttempt(request)) await check('auth', `rl:auth:${request.ip}`, config.RATE_LIMIT_AUTH_MAX)
  })

  // preValidation runs after every onRequest hook, so the caller is known by now.
  app.addHook('preValidation', async (request) => {
    if (request.principal)
      await check('user', `rl:user:${request.principal.userId}`, config.RATE_LIMIT_USER_MAX)
  })
}
