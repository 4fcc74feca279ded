/**
 * /auth/v1: the local GoTrue-compatible auth, mounted only in local mode (with SUPABASE_URL,
 * Supabase serves these). Its own encapsulated scope: GoTrue's error shapes instead of problem
 * documents, GoTrue's `apikey` check, and a JSON parser that accepts the empty body supabase-js
 * sends with `Content-Type: application/json` on sign-out.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ErrorCode, errors } from '../../../errors/codes.js'
import type { ApiContext } from '../../context.js'
import type { App, AuthRouteModule, RouteModule } from '../../types.js'
import { gotrueErrorHandler, sendGoTrueError } from './errors.js'
import { jwks } from './jwks.js'
import { logout } from './logout.js'
import { GoTrueError, GoTrueSession, GoTrueUser } from './schemas.js'
import { signup } from './signup.js'
import { token } from './token.js'
import { user } from './user.js'

const operations: AuthRouteModule[] = [signup, token, user, logout, jwks]

export const AUTH_PREFIX = '/auth/v1'

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function presentedApiKey(request: FastifyRequest): string | undefined {
  const apikey = request.headers.apikey
  return typeof apikey === 'string' ? apikey : undefined
}

export const authRoutes: RouteModule = (app: App, ctx: ApiContext) => {
  const local = ctx.identity.local
  if (!local) return
  app.addSchema(GoTrueUser)
  app.addSchema(GoTrueSession)
  app.addSchema(GoTrueError)
  app.register(
    async (scope: App) => {
      scope.setErrorHandler(gotrueErrorHandler)
      scope.setNotFoundHandler((request, reply) =>
        sendGoTrueError(request, reply, errors.gotrue(ErrorCode.NotFound, 404, 'Not found')),
      )
      scope.removeContentTypeParser('application/json')
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = (body as string).trim()
        if (text === '') return done(null, {})
        try {
          done(null, JSON.parse(text))
        } catch {
          done(errors.invalidJson('Could not parse request body as JSON'))
        }
      })
      const anonKey = ctx.config.AUTH_ANON_KEY
      if (anonKey) {
        scope.addHook('onRequest', async (request) => {
          // The key set is public, as Supabase serves it.
          if (request.url.startsWith(`${AUTH_PREFIX}/.well-known/`)) return
          const given = presentedApiKey(request)
          if (!given || !sameSecret(given, anonKey)) {
            throw errors.gotrue(ErrorCode.InvalidApiKey, 401, 'Invalid API key')
          }
        })
      }
      for (const operation of operations) operation(scope, local)
    },
    { prefix: AUTH_PREFIX },
  )
}
