/**
 * HTTP caching: what browsers and a CDN may keep (docs/cdn.md), and the read cache's answer to
 * public GETs.
 *
 * - Public GETs (`sendCached`): a weak ETag from the version of what they show (a body is the
 *   same for every caller, compressed or not: weak), `If-None-Match` → 304 without a body,
 *   `Cache-Control: public, max-age=N, s-maxage=N, stale-while-revalidate=2N` with N of a
 *   second or two (PUBLIC_MAX_AGE_S): prices move, and the CDN absorbs the bursts. Asked with
 *   credentials, the same body is `private, no-cache`: a trader's own reads are revalidated
 *   every time, so a browser never shows them a price from before their trade.
 * - Everything else says `no-store` (`private, no-store` when asked with credentials), unless
 *   the route set its own (the docs' assets).
 * - A write (any other method) that succeeded answers only once the versions it changed are
 *   raised (ReadCache.settled), so its author's next read, on any process, sees it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.js'
import type { Database } from '../../db/database.js'
import { etagOf } from '../../infra/cache/read-cache.js'
import { type FastReads, ifNoneMatch } from '../fast-reads.js'
import { publicReadDb, hasCredentials as withCredentials } from '../read-target.js'
import type { App } from '../types.js'

export interface CachedRead<T> {
  /** Bounded name of the view (dm_cache_requests_total's `cache`). */
  cache: string
  /** What the body depends on besides the versions: the view's parameters. */
  key: string
  /** The versions the body depends on, or undefined when not known yet (a slug seen first). */
  versions: readonly [string] | readonly [string, string] | undefined
  /** Reads from `db`: the primary, or a replica within its lag bound (see sendCached). */
  load: (db: Database) => Promise<T>
  /** False for a body that changes with time as well (a live decision score): sent, not kept. */
  keepable?: (body: T) => boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where sendCached tells the fast lane which URLs it may answer. */
    fastReads: FastReads
  }
}

export function registerHttpCache(
  app: App,
  ctx: Pick<AppContext, 'config' | 'readCache'>,
  fastReads: FastReads,
) {
  app.decorate('fastReads', fastReads)
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control'))
      reply.header('cache-control', withCredentials(request) ? 'private, no-store' : 'no-store')
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400)
      await ctx.readCache.settled()
    return payload
  })
}

/**
 * Answers a public GET from the read cache, or from `load` (the uncached path, unchanged) on a
 * miss, on the replica when it provably holds the version's commits (ReadRouting.fillDb). The cached body is the string the route's own serializer produced, so a hit is byte for
 * byte what the database path sends.
 */
export async function sendCached<T>(
  ctx: Pick<AppContext, 'config' | 'readCache' | 'db' | 'reads'>,
  request: FastifyRequest,
  reply: FastifyReply,
  read: CachedRead<T>,
): Promise<FastifyReply> {
  const age = ctx.config.PUBLIC_MAX_AGE_S
  // Set with the body, not before: a refusal (404, 400) keeps the no-store of onSend.
  const cacheControl = withCredentials(request)
    ? 'private, no-cache'
    : `public, max-age=${age}, s-maxage=${age}, stale-while-revalidate=${2 * age}`
  const { versions } = read
  const token = versions && (await ctx.readCache.token(read.cache, versions))
  if (versions === undefined || token === undefined) {
    // Not kept, so it may come from the replica (within its lag bound; the primary for a
    // caller with credentials). Loaded first: a refusal thrown by `load` must not leave the
    // public header on the problem.
    const body = await read.load(publicReadDb(ctx, request))
    return reply.header('cache-control', cacheControl).send(body)
  }
  const etag = etagOf(token)
  let text = await ctx.readCache.lookup(read.cache, read.key, token)
  if (text === undefined) {
    // A body kept under `token` must show at least the versions in it, and the token was raised
    // after a commit the replica may not have replayed yet (a lagging replica's body would be
    // kept, and sent with the new ETag, until the next change). So a fill reads the replica only
    // once it is known to hold every commit made before this process first read the token (a
    // time after those commits: ReadCache.observedAt), else the primary. A caller with
    // credentials reads the primary, as everywhere (read-target.ts).
    const db =
      ctx.reads && !withCredentials(request)
        ? ctx.reads.fillDb(ctx.readCache.observedAt(versions, token))
        : ctx.db
    const body = await read.load(db)
    if (read.keepable && !read.keepable(body)) return reply.header('cache-control', cacheControl).send(body)
    text = reply.serialize(body) as string
    ctx.readCache.keep(read.cache, read.key, token, text)
  }
  reply.header('cache-control', cacheControl).header('etag', etag)
  if (request.method === 'GET' && !withCredentials(request)) {
    const route = request.routeOptions.url
    if (route !== undefined)
      request.server.fastReads.remember(request.url, {
        cache: read.cache,
        key: read.key,
        versions,
        route,
        cacheControl,
      })
  }
  // The reply itself is returned: the handler is async, and a promise that resolved with
  // nothing while the onSend hooks (compression) still run would be taken for a second answer.
  if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(text)
}
