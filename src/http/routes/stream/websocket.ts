/**
 * GET /v1/stream: the realtime feed over WebSocket (`ws`), JSON text messages. The protocol is
 * in docs/realtime.md; this file only maps it onto the feed (services/realtime/feed.ts).
 *
 * Client → server, each with an `id` the reply repeats:
 *   {type:'auth', id, token}                 access token or API key; for the `user` channel
 *   {type:'subscribe', id, channel}          → reply {ok, channel, snapshot, cursor}
 *   {type:'resume', id, channel, cursor}     → reply {ok, channel, cursor, events}
 *                                               or {ok:false, error:{code:'too_old'}}
 *   {type:'unsubscribe', id, channel}        → reply {ok}
 *   {type:'ping', id}                        → {type:'pong', id}
 * Server → client: {type:'event', channel, stream, seq, prev, event, data}, and
 * {type:'degraded'} / {type:'restored'} when the bus goes down / comes back.
 *
 * Limits per connection, so one client cannot slow the others: REALTIME_MAX_CHANNELS
 * subscriptions; MAX_IN_FLIGHT requests being answered (more: `busy`); MAX_MESSAGE_BYTES per
 * client message (more: close 1009); REALTIME_MAX_BUFFERED_BYTES queued for sending: a client
 * that does not read is closed with 4008 and its queue dropped; events are never held back for
 * it, so the others go on. Heartbeat: a WebSocket ping every REALTIME_HEARTBEAT_MS; no pong by
 * the next one and the connection is dropped. Shutdown: 1001 "going away". A credential
 * revoked (its dm_auth notification, or the heartbeat's check) on a connection subscribed to
 * `user`: 4001 "credential revoked".
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import * as wsModule from 'ws'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Principal } from '../../../domain/identity/principal.js'
import { AppError, ErrorCode } from '../../../errors/codes.js'
import {
  type Cursor,
  channelKey,
  channelName,
  type FeedEvent,
  parseChannel,
  parseCursor,
} from '../../../services/realtime/channels.js'
import type { Feed, Subscription } from '../../../services/realtime/feed.js'
import type { ApiContext } from '../../context.js'
import {
  CLOSE,
  closeAll,
  connectionMetrics,
  credentialWatch,
  MAX_IN_FLIGHT,
  MAX_MESSAGE_BYTES,
  refuseUpgrade,
  supervise,
} from './connection.js'

export const STREAM_PATH = '/v1/stream'

// The close codes are shared with phoenix.ts (connection.ts); imported from here by the tests.
export { CLOSE }

export interface StreamServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Closes every connection with 1001 and stops accepting. */
  close(): void
}

interface Request {
  type?: unknown
  id?: unknown
  channel?: unknown
  cursor?: unknown
  token?: unknown
}

function eventMessage(e: FeedEvent) {
  return {
    type: 'event',
    channel: e.channel,
    stream: e.stream,
    seq: e.seq,
    prev: e.prev,
    event: e.type,
    data: e.data,
  }
}

/**
 * An event's whole WebSocket frame (header and JSON text), built once per event, not once per
 * subscriber: the feed hands the same event object to every member of a channel, and a server's
 * frames are not masked, so the same bytes go to every socket. With 2,000 subscribers of one
 * market, JSON.stringify and ws's framing per send were the fan-out's cost (bench/README.md,
 * "Realtime fan-out"). Weak, so a frame lives as long as its event.
 */
const frames = new WeakMap<FeedEvent, Buffer>()
/** ws's own framing: exported by ws (lib/sender.js), not declared by @types/ws. */
const { Sender } = wsModule as unknown as {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
    ): Buffer[]
  }
}
function eventFrame(e: FeedEvent): Buffer {
  let frame = frames.get(e)
  if (frame === undefined) {
    const text = Buffer.from(JSON.stringify(eventMessage(e)), 'utf8')
    frame = Buffer.concat(
      Sender.frame(text, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }),
    )
    frames.set(e, frame)
  }
  return frame
}

export function createStreamServer(ctx: ApiContext, feed: Feed): StreamServer {
  const { config } = ctx
  const log = ctx.log.child({ component: 'stream' })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const metrics = connectionMetrics(ctx.metrics)
  let closing = false
  const holder = credentialWatch(ctx)

  function connection(
    ws: WebSocket,
    socket: Duplex,
    initial: Principal | null,
    initialCredential: string | undefined,
  ): void {
    const subscriptions = new Map<string, Subscription>()
    /** Channels being subscribed (their replies not sent yet). */
    const pending = new Set<string>()
    let degradedSent = feed.degraded
    const conn = supervise(ws, {
      socket,
      heartbeatMs: config.REALTIME_HEARTBEAT_MS,
      maxBufferedBytes: config.REALTIME_MAX_BUFFERED_BYTES,
      metrics,
      onEnd: () => {
        held.release()
        for (const s of subscriptions.values()) s.close()
        subscriptions.clear()
      },
      // The bound on a revocation's notification lost (or the cache's listener down): a
      // revoked credential is cut off by the next heartbeat at the latest.
      onHeartbeat: () => held.recheck(),
    })
    const send = (message: object | Buffer) =>
      conn.send(Buffer.isBuffer(message) ? message : JSON.stringify(message))

    const sink = {
      event: (e: FeedEvent) => send(eventFrame(e)),
      notice: (notice: 'degraded' | 'restored') => {
        // Once per connection, not once per subscription.
        const down = notice === 'degraded'
        if (down === degradedSent) return
        degradedSent = down
        send({ type: notice })
      },
    }

    /**
     * A refused credential (revocation, expiry): a connection subscribed to its user's private
     * channel is closed with 4001; one on public channels only just loses its principal.
     */
    const held = holder(
      (userId) => {
        if (subscriptions.has(`user:${userId}`) || pending.has(`user:${userId}`))
          conn.end('revoked', CLOSE.revoked, 'credential revoked')
      },
      initial && initialCredential !== undefined
        ? { principal: initial, token: initialCredential }
        : undefined,
    )

    const reply = (id: unknown, body: object) => send({ type: 'reply', id, ...body })
    const refuse = (id: unknown, code: string, message: string) =>
      reply(id, { ok: false, error: { code, message } })

    async function join(id: unknown, name: unknown, cursor: Cursor | undefined): Promise<void> {
      if (typeof name !== 'string') return refuse(id, ErrorCode.BadRequest, 'channel must be a string')
      const parsed = parseChannel(name, held.principal?.userId)
      if (!parsed.ok) {
        return parsed.reason === 'auth'
          ? refuse(id, ErrorCode.Unauthorized, 'The user channel needs an access token or API key (auth)')
          : refuse(id, ErrorCode.UnknownChannel, `No channel '${name}'`)
      }
      const key = channelKey(parsed.channel)
      if (subscriptions.has(key) || pending.has(key)) {
        return refuse(id, ErrorCode.AlreadySubscribed, `Already subscribed to '${name}'`)
      }
      if (subscriptions.size + pending.size >= config.REALTIME_MAX_CHANNELS) {
        return refuse(id, ErrorCode.TooManyChannels, `At most ${config.REALTIME_MAX_CHANNELS} channels`)
      }
      pending.add(key)
      try {
        const joined = await feed.join(parsed.channel, sink, cursor)
        if (!joined.ok) {
          return refuse(id, ErrorCode.TooOld, 'Too far behind to resume: subscribe again for a snapshot')
        }
        if (conn.ended) return joined.subscription.close()
        subscriptions.set(key, joined.subscription)
        const channel = channelName(parsed.channel)
        if (cursor === undefined) {
          reply(id, { ok: true, channel, snapshot: joined.snapshot, cursor: joined.cursor })
        } else {
          reply(id, { ok: true, channel, cursor: joined.cursor, events: joined.replayed.map(eventMessage) })
        }
        joined.subscription.start()
      } finally {
        pending.delete(key)
      }
    }

    async function handle(request: Request): Promise<void> {
      const { id } = request
      switch (request.type) {
        case 'ping':
          return send({ type: 'pong', id })
        case 'auth': {
          if (typeof request.token !== 'string')
            return refuse(id, ErrorCode.BadRequest, 'token must be a string')
          const found = await ctx.auth.authenticate(request.token).catch(() => null)
          if (!found) return refuse(id, ErrorCode.Unauthorized, 'Invalid or expired credential')
          const principal = held.principal
          if (
            principal &&
            principal.userId !== found.userId &&
            subscriptions.has(`user:${principal.userId}`)
          ) {
            return refuse(id, ErrorCode.BadRequest, 'Unsubscribe from the user channel before changing user')
          }
          held.adopt(found, request.token)
          return reply(id, { ok: true, user_id: found.userId })
        }
        case 'subscribe':
          return join(id, request.channel, undefined)
        case 'resume': {
          const cursor = parseCursor(request.cursor)
          if (!cursor) return refuse(id, ErrorCode.BadRequest, 'cursor must be an object of stream → seq')
          return join(id, request.channel, cursor)
        }
        case 'unsubscribe': {
          if (typeof request.channel !== 'string')
            return refuse(id, ErrorCode.BadRequest, 'channel must be a string')
          const parsed = parseChannel(request.channel, held.principal?.userId)
          const key = parsed.ok ? channelKey(parsed.channel) : undefined
          const subscription = key === undefined ? undefined : subscriptions.get(key)
          if (!subscription || key === undefined) {
            return refuse(id, ErrorCode.NotSubscribed, `Not subscribed to '${request.channel}'`)
          }
          subscription.close()
          subscriptions.delete(key)
          return reply(id, { ok: true, channel: request.channel })
        }
        default:
          return refuse(id, ErrorCode.BadRequest, 'type must be auth, subscribe, resume, unsubscribe or ping')
      }
    }

    ws.on('message', (data, isBinary) => {
      conn.touch()
      if (isBinary) return conn.end('protocol', CLOSE.policy, 'text messages only')
      let request: Request
      try {
        request = JSON.parse(data.toString()) as Request
      } catch {
        return refuse(null, ErrorCode.BadRequest, 'Messages are JSON objects')
      }
      if (typeof request !== 'object' || request === null) {
        return refuse(null, ErrorCode.BadRequest, 'Messages are JSON objects')
      }
      const admitted = conn.admit(
        () => handle(request),
        (error) => {
          if (error instanceof AppError && error.status < 500) {
            return refuse(request.id, error.code, error.detail ?? error.title)
          }
          log.error({ err: error }, 'stream request failed')
          refuse(request.id, ErrorCode.Internal, 'Internal error')
        },
      )
      if (!admitted) refuse(request.id, ErrorCode.Busy, `At most ${MAX_IN_FLIGHT} requests in flight`)
    })
    send({ type: 'welcome', heartbeat_ms: config.REALTIME_HEARTBEAT_MS, degraded: feed.degraded })
  }

  return {
    handleUpgrade(request, socket, head) {
      const refuse = (status: number, text: string) => refuseUpgrade(socket, status, text)
      if (closing) return refuse(503, 'Service Unavailable')
      const header = request.headers.authorization
      const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
      if (header && !token) return refuse(401, 'Unauthorized')
      const authenticated = token ? ctx.auth.authenticate(token).catch(() => null) : Promise.resolve(null)
      authenticated.then(
        (principal) => {
          // A credential that is present but invalid is refused at once (as on every route).
          if (token && !principal) return refuse(401, 'Unauthorized')
          wss.handleUpgrade(request, socket, head, (ws) =>
            connection(ws, socket, principal, principal ? token : undefined),
          )
        },
        () => refuse(500, 'Internal Server Error'),
      )
    },
    close() {
      closing = true
      closeAll(wss)
    },
  }
}
