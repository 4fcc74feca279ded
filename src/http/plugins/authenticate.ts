/**
 * Resolves `request.principal` from `Authorization: Bearer <access token | API key>`.
 * Anonymous requests get `null`; a credential that is present but invalid is a 401 at once
 * (never silently anonymous). Routes that need a caller use `requirePrincipal`.
 */
import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'
import { hasScope, type Principal, type Scope } from '../../domain/identity/principal.js'
import { errors } from '../../errors/codes.js'
import { authFailures } from '../../services/identity/metrics.js'
import type { ApiContext } from '../context.js'
import type { App } from '../types.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw errors.unauthorized('The Authorization header must be "Bearer <token>"')
  return match[1]
}

/** Where a request came from, for the audit log (an address PostgreSQL's inet accepts). */
export function requestMeta(request: FastifyRequest): { ip?: string; userAgent?: string } {
  const userAgent = request.headers['user-agent']
  return {
    ...(isIP(request.ip) ? { ip: request.ip } : {}),
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
  }
}

export function registerAuthentication(app: App, ctx: ApiContext) {
  app.decorateRequest('principal', null)
  const failed = authFailures(ctx.metrics)
  app.addHook('onRequest', async (request) => {
    // /auth/v1 answers in GoTrue's own error format and reads its own headers.
    if (request.url.startsWith('/auth/v1')) return
    let token: string | undefined
    try {
      token = bearerToken(request)
    } catch (error) {
      failed('malformed_header')
      throw error
    }
    request.principal = token ? await ctx.auth.authenticate(token) : null
  })
}

export function requirePrincipal(request: FastifyRequest, scope: Scope = 'read'): Principal {
  const principal = request.principal
  if (!principal) throw errors.unauthorized()
  if (!hasScope(principal, scope)) {
    throw errors.forbidden(`This API key lacks the '${scope}' scope`)
  }
  return principal
}
