/**
 * The HTTP application: Fastify with TypeBox schemas, OpenAPI generated from those schemas,
 * request ids, one error handler. Built from an ApiContext so tests can build it around a test
 * database and call it with `app.inject()`.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { constants as zlib } from 'node:zlib'
import { AjvCompiler } from '@fastify/ajv-compiler'
import compress from '@fastify/compress'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { packageVersion } from '../config/index.js'
import { DecisionView } from '../contracts/agents.js'
import { amountFormats } from '../contracts/amount.js'
import { errors } from '../errors/codes.js'
import type { Logger } from '../infra/logger.js'
import type { ApiContext } from './context.js'
import {
  clientErrorHandler,
  createRouteIndex,
  errorHandler,
  notFoundHandler,
  sendProblem,
  toAppError,
} from './error-handler.js'
import { COMPRESS_THRESHOLD_BYTES, createFastReads } from './fast-reads.js'
import { registerAdminAudit } from './plugins/audit.js'
import { registerAuthentication } from './plugins/authenticate.js'
import { registerHttpCache } from './plugins/http-cache.js'
import { registerHttpMetrics } from './plugins/metrics.js'
import { registerRateLimits } from './plugins/rate-limit.js'
import { registerSecurity } from './plugins/security.js'
import { registerTracing } from './plugins/tracing.js'
import { sendGoTrueError } from './routes/auth/errors.js'
import { AUTH_PREFIX } from './routes/auth/index.js'
import { registerRoutes } from './routes/index.js'
import { identitySchemas } from './schemas/identity.js'
import { Problem } from './schemas/problem.js'
import { decisionWebhooks } from './schemas/webhooks.js'
import type { App } from './types.js'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** A caller's X-Request-Id is kept when it is sane, so their logs and ours line up. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

/**
 * Query strings, path parameters and headers arrive as text, so their validator coerces
 * ("20" → 20). A JSON body arrives typed: coercing it would quietly accept `side: ["buy"]` or
 * `amount: 12.5` for a string, so bodies are validated as sent.
 */
type ValidatorFactory = (
  externalSchemas: unknown,
  options: { customOptions?: Record<string, unknown> },
) => (route: { httpPart?: string }) => unknown

/**
 * Fastify asks for a validator builder once per encapsulation context (60 times in this app);
 * the factory keeps one Ajv per set of shared schemas and options, so it must be made once per
 * app, not per call. Made per call, it built 120 Ajv instances, each compiling the shared
 * schemas again: 22 s of a 43 s start on a loaded 2-core machine (node --cpu-prof), most of the
 * start's CPU time.
 */
function bodiesAsSent() {
  const factory = AjvCompiler() as unknown as ValidatorFactory
  return (externalSchemas: unknown, options: { customOptions?: Record<string, unknown> }) => {
    const coercing = factory(externalSchemas, options)
    const exact = factory(externalSchemas, {
      ...options,
      customOptions: { ...options.customOptions, coerceTypes: false },
    })
    return (route: { httpPart?: string }) => (route.httpPart === 'body' ? exact(route) : coercing(route))
  }
}

function toProblem(error: Error) {
  return toAppError(error) ?? errors.internal(error)
}

/** At a stop, how long a connection that has sent nothing yet may still start its request. */
const SILENT_CONNECTION_GRACE_MS = 500

export async function buildApp(ctx: ApiContext): Promise<App> {
  const { config } = ctx
  const app = Fastify({
    // HTTPS when a certificate and key are configured (else TLS ends at the load balancer).
    ...(config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { https: { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) } }
      : {}),
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    trustProxy: config.TRUST_PROXY,
    // While draining, requests that still arrive on kept-alive connections get a 503 problem
    // document from the hook below instead of Fastify's own JSON.
    return503OnClosing: false,
    // Requests Node's parser or Fastify's router refuse before any hook runs (malformed HTTP, a
    // URL that does not decode, an over-long path segment) are problem documents too.
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      const problem = toProblem(error)
      if (request.url.startsWith(AUTH_PREFIX)) return sendGoTrueError(request, reply, problem)
      return sendProblem(request, reply, problem)
    },
    requestIdHeader: false,
    genReqId: requestId,
    ajv: {
      customOptions: {
        // Unknown fields are refused with their names rather than silently dropped.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
        // Amount fields ajv checks are checked by parseAmount itself (schemas/amount.ts).
        formats: amountFormats,
      },
    },
    // The serializer has an ajv of its own (for unions in responses): it must know the amount
    // formats too, or it warns of an unknown format on every response that carries one.
    serializerOpts: { ajv: { formats: amountFormats } },
    schemaController: { compilersFactory: { buildValidator: bodiesAsSent() as never } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setErrorHandler(errorHandler)
  const routeIndex = createRouteIndex()
  app.addHook('onRoute', (route) => {
    // CORS answers preflights on every path; that makes no path "known" for 404 versus 405.
    if (route.url === '*' && route.method === 'OPTIONS') return
    routeIndex.add(route.method, route.url)
  })
  app.setNotFoundHandler(notFoundHandler(routeIndex))
  const httpSeries = registerHttpMetrics(app, ctx.metrics)
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  registerTracing(app, ctx)
  const securityHeaders = await registerSecurity(app, ctx)
  // Draining: new requests on kept-alive connections are turned away, and the answers still
  // being produced close their connection; otherwise a client that keeps its connection alive
  // holds the stop up until the keep-alive timeout. A connection that still has not sent a byte
  // a moment after the stop began is dropped: no request of it can be lost, and Node counts it as
  // busy (waiting for headers), so it would hold the stop up until headersTimeout and the next
  // check, ~70 s. (Late requests on new connections still get their 503 meanwhile.)
  let closing = false
  const connections = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })
  app.addHook('preClose', async () => {
    closing = true
    setTimeout(() => {
      for (const socket of connections) if (socket.bytesRead === 0) socket.destroy()
    }, SILENT_CONNECTION_GRACE_MS).unref()
  })
  app.addHook('onRequest', (_request, _reply, done) => {
    done(closing ? errors.shuttingDown() : undefined)
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close')
    return payload
  })
  // Large bodies only (a page of markets is tens of kB; most other answers are under the
  // threshold, where compressing costs more than it saves). Brotli at quality 4: its default,
  // 11, is meant for static assets compressed once, not for a body compressed per request.
  await app.register(compress, {
    threshold: COMPRESS_THRESHOLD_BYTES,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  })
  app.addSchema(Problem)
  for (const schema of identitySchemas) app.addSchema(schema)
  app.addSchema(DecisionView)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Decision Markets API',
        version: packageVersion,
        description:
          'Decision markets where AI agents let markets choose what they do. Amounts are decimal strings ' +
          'of credits with at most 6 decimals and no leading zeros ("12.5", "0.5", "1.50"; not "012", ' +
          '"+1", "1." or 12.5); errors are RFC 9457 problem documents with a stable `code`.',
      },
      servers: [{ url: config.publicUrl }],
      // What the service sends: receivers implement against it (signature, payload, retries).
      webhooks: decisionWebhooks(config),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access token or API key' },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  })
  // Assets come from the swagger-ui-dist npm package through @fastify/swagger-ui: no CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true },
    // The docs' own content security policy (hashes of its inline code) replaces the API's
    // deny-all one on /docs; without the upgrade directive, which would break http://localhost.
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  const ipLimiter = registerRateLimits(app, ctx)
  const fastReads = createFastReads({
    readCache: ctx.readCache,
    requestId,
    headers: securityHeaders,
    draining: () => closing,
    series: httpSeries,
    ipLimiter,
    log: app.log as unknown as Logger,
    enabled: !ctx.tracer.exporting,
    trustProxy: Boolean(config.TRUST_PROXY),
  })
  registerHttpCache(app, ctx, fastReads)
  registerAuthentication(app, ctx)
  registerAdminAudit(app, ctx)
  registerRoutes(app, ctx)
  fastReads.install(app.server)
  return app
}
