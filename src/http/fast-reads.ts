/**
 * The fast lane of public reads: a repeat anonymous GET whose body the read cache holds, at its
 * current version, is answered from the server's own request listener, before Fastify's request
 * pipeline (routing, a child logger, a dozen hooks, the reply's serialisation checks). A
 * profile of cached `GET /v1/markets/{id}` put most of its time there, not in the cache
 * (bench/README.md, "public reads"); a CDN in front of the service sends exactly these.
 *
 * What the lane sends is what Fastify's path sends for the same request, header for header
 * (test/http/fast-reads.test.ts compares the two): the route (sendCached) tells the lane, on
 * each answer it gives from the cache, which cached view and versions a URL reads, and the lane
 * serves that URL afterwards only while the read cache holds the body under the versions' token
 * now, so a commit that raised a version sends the next request through Fastify again, to be
 * loaded. It counts the request in the HTTP metrics and the cache's hit, and logs the request
 * as Fastify would at `info`.
 *
 * It stands aside, and Fastify answers, for anything it does not do itself: another method,
 * credentials (their answers are private), an Origin (CORS), a body that would be compressed
 * for this caller, the service draining, or trace export.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import proxyAddr from '@fastify/proxy-addr'
import { etagOf, type ReadCache } from '../infra/cache/read-cache.js'
import type { Logger } from '../infra/logger.js'
import type { HttpSeries } from './plugins/metrics.js'
import type { IpLimiter } from './plugins/rate-limit.js'

/** What a URL reads: set by sendCached from the route's own parameters. */
export interface Lane {
  cache: string
  key: string
  versions: readonly [string] | readonly [string, string]
  /** The route template, as the HTTP metrics name it. */
  route: string
  cacheControl: string
}

/** Bodies from this size on are compressed for callers that accept it (@fastify/compress). */
export const COMPRESS_THRESHOLD_BYTES = 1024

/** URLs remembered (least recently used go first); a crawler's cursors cannot grow it. */
const MAX_LANES = 10_000
const MAX_URL_LENGTH = 2048

export interface FastReadsOptions {
  readCache: ReadCache
  /** The request id Fastify would give this request (the caller's X-Request-Id when sane). */
  requestId: (req: IncomingMessage) => string
  /** The headers every answer carries (the security headers), in Fastify's order. */
  headers: Readonly<Record<string, string>>
  draining: () => boolean
  /** The HTTP metrics' series, or undefined when metrics are off. */
  series: HttpSeries | undefined
  /** The per-IP limiter, or undefined when there is no per-IP limit. */
  ipLimiter: IpLimiter | undefined
  /** Fastify's logger (app.log: its request serializers apply). */
  log: Logger
  /** False when the lane must never answer (trace export on: every request needs its span). */
  enabled: boolean
  /** TRUST_PROXY: the caller's address and host come from X-Forwarded-*, as Fastify reads them. */
  trustProxy: boolean
}

export interface FastReads {
  /** After sendCached answered `url` from the cache (anonymous GET, 200 or 304). */
  remember(url: string, lane: Lane): void
  /** Puts the lane in front of the server's request listener (Fastify's). */
  install(server: Server): void
  /** Requests the lane answered (for tests). */
  readonly served: number
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** Whether If-None-Match names `etag` (weak comparison; the same rule as sendCached's). */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  const opaque = etag.slice(2)
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === etag || t === opaque
  })
}

export function createFastReads(options: FastReadsOptions): FastReads {
  const { readCache, log } = options
  const lanes = new Map<string, Lane>()
  let served = 0
  const on = options.enabled
  const fixed = Object.entries(options.headers).flat()
  const caller = options.trustProxy ? callerBehindProxy : callerOfSocket

  function eligible(req: IncomingMessage): boolean {
    const h = req.headers
    return (
      req.method === 'GET' &&
      h.authorization === undefined &&
      h.origin === undefined &&
      h['x-no-compression'] === undefined &&
      !options.draining()
    )
  }

  /** Everything that can fail or wait happens before the first byte: false = Fastify answers. */
  async function answer(req: IncomingMessage, res: ServerResponse, lane: Lane): Promise<boolean> {
    const started = performance.now()
    const kept = await readCache.peek(lane.cache, lane.key, lane.versions)
    if (kept === undefined) return false
    const compressible = req.headers['accept-encoding'] !== undefined
    if (compressible && kept.bytes.length >= COMPRESS_THRESHOLD_BYTES) return false
    const limit = options.ipLimiter && (await options.ipLimiter.count(req, caller(req).ip ?? ''))
    if (limit === 'refused') return false
    if (options.draining()) return false

    const reqId = options.requestId(req)
    if (log.isLevelEnabled('info'))
      log.info({ reqId, req: requestForLog(req, caller(req)) }, 'incoming request')
    const etag = etagOf(kept.token)
    const notModified = ifNoneMatch(req.headers['if-none-match'], etag)
    const status = notModified ? 304 : 200
    // One array to writeHead: Node then writes it as given, without a setHeader per field
    // (which keeps its own map of them). The same fields, in the same order, as Fastify sends.
    const headers: string[] = [
      'x-request-id',
      reqId,
      ...fixed,
      'cache-control',
      lane.cacheControl,
      'etag',
      etag,
    ]
    if (limit) for (const name in limit) headers.push(name, limit[name] as string)
    if (notModified) res.writeHead(status, headers).end()
    else {
      headers.push(
        'content-type',
        'application/json; charset=utf-8',
        'content-length',
        String(kept.bytes.length),
      )
      res.writeHead(status, headers).end(kept.bytes)
    }
    served++
    readCache.hit(lane.cache)
    // Measured to the hand-over of the answer to the socket, where Fastify's onResponse measures
    // to its 'finish': the same but for the kernel's part of the write.
    const elapsed = performance.now() - started
    const series = options.series?.(lane.route, 'GET', status)
    if (series) {
      series.requests.inc()
      series.duration.observe(elapsed / 1000)
    }
    if (log.isLevelEnabled('info'))
      log.info({ reqId, res: { statusCode: status }, responseTime: elapsed }, 'request completed')
    return true
  }

  return {
    get served() {
      return served
    },
    remember(url, lane) {
      if (!on || url.length > MAX_URL_LENGTH) return
      const known = lanes.get(url)
      if (known !== undefined && known.key === lane.key && known.cache === lane.cache) return
      lanes.delete(url)
      lanes.set(url, lane)
      if (lanes.size > MAX_LANES) lanes.delete(lanes.keys().next().value as string)
    },
    install(server) {
      if (!on) return
      const listeners = server.listeners('request') as Handler[]
      const [fastify] = listeners
      if (listeners.length !== 1 || fastify === undefined)
        throw new Error(`fast reads: expected one request listener (Fastify's), found ${listeners.length}`)
      server.removeListener('request', fastify)
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const lane = req.url === undefined ? undefined : lanes.get(req.url)
        if (lane === undefined || !eligible(req)) return fastify(req, res)
        answer(req, res, lane).then(
          (answered) => {
            if (!answered) fastify(req, res)
          },
          (error: unknown) => {
            // Nothing was sent (every step that can throw comes before the first byte).
            log.warn({ err: error }, 'fast reads: handing the request to Fastify')
            if (!res.headersSent) fastify(req, res)
          },
        )
      })
    },
  }
}

interface Caller {
  ip: string | undefined
  host: string
}

/** request.ip and request.host as Fastify has them without TRUST_PROXY. */
function callerOfSocket(req: IncomingMessage): Caller {
  return { ip: req.socket.remoteAddress, host: req.headers.host ?? '' }
}

const trustEveryHop = () => true
const lastEntry = (value: string) => value.slice(value.lastIndexOf(',') + 1).trim()

/**
 * request.ip and request.host as Fastify has them with `trustProxy: true` (lib/request.js): the
 * farthest address of X-Forwarded-For (through the same @fastify/proxy-addr), and the last entry
 * of X-Forwarded-Host.
 */
function callerBehindProxy(req: IncomingMessage): Caller {
  const addresses = proxyAddr.all(req, trustEveryHop)
  const forwardedHost = req.headers['x-forwarded-host']
  return {
    ip: addresses[addresses.length - 1],
    host:
      typeof forwardedHost === 'string' && forwardedHost
        ? lastEntry(forwardedHost)
        : (req.headers.host ?? ''),
  }
}

/**
 * What Fastify's `req` log serializer reads of its request (the serializer of app.log turns it
 * into the same fields).
 */
function requestForLog(req: IncomingMessage, caller: Caller) {
  return {
    method: req.method,
    url: req.url,
    headers: req.headers,
    host: caller.host,
    ip: caller.ip,
    socket: req.socket,
  }
}
