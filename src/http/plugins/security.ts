/**
 * Security headers (helmet) and CORS from the configured allow-list. The API answers JSON, so
 * its content security policy forbids everything; the docs at /docs carry their own policy
 * (set by @fastify/swagger-ui, which replaces this one on its routes).
 *
 * helmet's headers are the same on every answer, so they are worked out once, at start, by
 * running helmet's own middleware against a response that only records them, and each request
 * then sets that list. @fastify/helmet built helmet's middleware anew for every request (its
 * option parsing and a dozen functions): a tenth of a cached read's time (bench/README.md,
 * "public reads").
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import helmet, { type HelmetOptions } from 'helmet'
import type { AppContext } from '../../context.js'
import type { App } from '../types.js'

export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  },
  // Browsers from the allowed origins read our answers through CORS; nothing else embeds them.
  crossOriginResourcePolicy: { policy: 'same-site' },
}

/** The headers helmet sets with these options (it only sets or removes fixed headers). */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  }
  let failure: unknown
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error
  })
  if (failure) throw failure
  return headers
}

/** Resolves with the headers every answer carries (the fast lane of reads sets them too). */
export async function registerSecurity(app: App, ctx: AppContext): Promise<Readonly<Record<string, string>>> {
  const headers = helmetHeaders(HELMET_OPTIONS)
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
  await app.register(cors, {
    // An empty list means no cross-origin access at all (no Access-Control-Allow-Origin).
    origin: ctx.config.CORS_ORIGINS.length > 0 ? ctx.config.CORS_ORIGINS : false,
    // Bearer tokens, not cookies: credentials mode is never needed.
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'x-supabase-api-version',
      'ratelimit',
      'ratelimit-policy',
    ],
    maxAge: 600,
  })
  return headers
}
