/**
 * GET /v1/stream/sse?channel=…: one channel of the realtime feed as Server-Sent Events, for
 * `curl -N` and EventSource. The first event is `snapshot` (its data the snapshot and cursor);
 * then one SSE event per feed event, named by its type, whose `id` is the cursor after it
 * (`b0.12,s.3`, channels.ts), so a reconnecting EventSource's Last-Event-ID header resumes
 * exactly after the last event it got (`resume` first, then live). A cursor too far behind
 * gets `event: too_old` and the stream ends: reconnect without Last-Event-ID for a snapshot.
 *
 * The `user` channel needs the request's bearer credential (the authenticate plugin's
 * principal). Same limits as the WebSocket: a client whose unsent data passes
 * REALTIME_MAX_BUFFERED_BYTES is cut off; a comment line every REALTIME_HEARTBEAT_MS keeps
 * proxies from timing the stream out.
 */
import type { ServerResponse } from 'node:http'
import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import {
  type Cursor,
  type FeedEvent,
  formatCursor,
  parseChannel,
  parseCursorString,
} from '../../../services/realtime/channels.js'
import type { Feed } from '../../../services/realtime/feed.js'
import type { ApiContext } from '../../context.js'
import { problemResponses } from '../../schemas/problem.js'
import type { App } from '../../types.js'

/** Registers the route; returns what ends every open stream (at shutdown). */
export function registerSse(app: App, ctx: ApiContext, feed: Feed): () => void {
  const open = new Set<ServerResponse>()
  const disconnects = ctx.metrics.counter({
    name: 'dm_realtime_disconnects_total',
    help: 'Realtime feed connections ended, by reason',
    labelNames: ['reason'],
  })
  app.get(
    '/v1/stream/sse',
    {
      schema: {
        tags: ['realtime'],
        summary: 'One realtime channel as Server-Sent Events (resume with Last-Event-ID)',
        querystring: Type.Object(
          { channel: Type.String({ maxLength: 100 }) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const parsed = parseChannel(request.query.channel, request.principal?.userId)
      if (!parsed.ok) {
        if (parsed.reason === 'auth') throw errors.unauthorized('The user channel needs a credential')
        throw errors.badRequest(`No channel '${request.query.channel}'`)
      }
      const lastId = request.headers['last-event-id']
      const from = lastId ? parseCursorString(lastId) : undefined
      if (lastId && !from) throw errors.badRequest('Last-Event-ID is not a cursor of this feed')

      const res = reply.raw
      let cursor: Cursor = {}
      let ended = false
      const write = (event: string, id: string | undefined, data: unknown) => {
        if (ended) return
        if (res.writableLength > ctx.config.REALTIME_MAX_BUFFERED_BYTES) return end('slow_consumer')
        res.write(
          `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
        )
      }
      const toClient = (e: FeedEvent) => {
        cursor = { ...cursor, [e.stream]: e.seq }
        write(e.type, formatCursor(cursor), { stream: e.stream, seq: e.seq, prev: e.prev, data: e.data })
      }
      const joined = await feed.join(
        parsed.channel,
        { event: toClient, notice: (notice) => write(notice, undefined, {}) },
        from,
      )
      reply.hijack()
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      })
      open.add(res)
      const heartbeat = setInterval(() => {
        if (!ended) res.write(': ping\n\n')
      }, ctx.config.REALTIME_HEARTBEAT_MS)
      heartbeat.unref()
      function end(reason: 'client' | 'slow_consumer' | 'shutdown' | 'too_old') {
        if (ended) return
        ended = true
        clearInterval(heartbeat)
        if (joined.ok) joined.subscription.close()
        open.delete(res)
        disconnects.inc({ reason })
        res.end()
      }
      res.on('close', () => end('client'))
      res.once('shutdown', () => end('shutdown'))
      if (!joined.ok) {
        write('too_old', undefined, { message: 'Too far behind to resume: reconnect without Last-Event-ID' })
        return end('too_old')
      }
      cursor = { ...(from ?? {}) }
      if (from === undefined) {
        cursor = { ...joined.cursor }
        write('snapshot', formatCursor(cursor), { snapshot: joined.snapshot, cursor: joined.cursor })
      } else {
        for (const event of joined.replayed) toClient(event)
        cursor = { ...joined.cursor }
      }
      joined.subscription.start()
    },
  )
  return () => {
    for (const res of [...open]) res.emit('shutdown')
  }
}
