/**
 * Security headers (helmet) and CORS from the configured allow-list. The API answers JSON, so
 * its content security policy forbids everything; the docs at /docs carry their own policy
 * (set by @fastify/swagger-ui, which replaces this one on its routes).
 */
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { AppContext } from '../../context.js'
import type { App } from '../types.js'

export async function registerSecurity(app: App, ctx: AppContext) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    },
    // Browsers from the allowed origins read our answers through CORS; nothing else embeds them.
    crossOriginResourcePolicy: { policy: 'same-site' },
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
}
