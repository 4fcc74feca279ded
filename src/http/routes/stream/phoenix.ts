/**
 * /realtime/v1/websocket: the feed (services/realtime/feed.ts) in the Phoenix-channel protocol
 * Supabase Realtime speaks, so `supabase.channel('market:<id>').on('broadcast', …).subscribe()`
 * works unchanged against this service. A transport like websocket.ts: the channels, their
 * sequences, snapshots and resumes are the feed's; this file maps them onto Phoenix messages
 * (wire format in phoenix-wire.ts; the guide in docs/realtime.md).
 *
 *   topic `realtime:<channel>` (market:<id>, market:<id>:trades, markets, user)
 *   phx_join {config, access_token?} → phx_reply ok, then a broadcast `snapshot`
 *       {channel, snapshot, cursor}, then each event as a broadcast named by its type (`trade`,
 *       `price`, `status`, …) with payload {channel, stream, seq, prev, data}.
 *       With config.broadcast.resume (a cursor, stream → seq; realtime-js passes `broadcast`
 *       through unchanged): the events after it from the database, then a broadcast `resumed`
 *       {channel, cursor}, then live; or, too far behind, a broadcast `too_old` then a snapshot.
 *   access_token {access_token} → the credential for the private `user` channel from now on;
 *       an invalid one closes that channel (system error, then phx_close), as Supabase does.
 *   phx_leave → phx_reply ok, then phx_close.   heartbeat (topic `phoenix`) → phx_reply ok.
 *   broadcast / presence from the client → phx_reply error: these channels are server-only.
 *
 * Credentials: `access_token` in the join (supabase-js sends the session's access token, or
 * the anon key when signed out) or an access_token push (setAuth); an access token or one of our
 * API keys. The `user` channel without one is refused with Supabase's own reason.
 *
 * Same limits as /v1/stream: REALTIME_MAX_CHANNELS joins, MAX_IN_FLIGHT pushes being answered,
 * MAX_MESSAGE_BYTES per frame (close 1009), REALTIME_MAX_BUFFERED_BYTES queued (close 4008, the
 * others go on), a WebSocket ping every REALTIME_HEARTBEAT_MS (browsers and `ws` answer it
 * without the application; the Phoenix heartbeat counts as life too), 1001 at shutdown.
 */

import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Principal } from '../../../domain/identity/principal.js'
import { AppError } from '../../../errors/codes.js'
import {
  type Channel,
  type Cursor,
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
import {
  broadcast,
  decodeFrame,
  encodeFrame,
  type PhoenixMessage,
  push,
  replyTo,
  TOPIC_PREFIX,
  VSNS,
  type Vsn,
} from './phoenix-wire.js'

export const PHOENIX_PATH = '/realtime/v1/websocket'

/** Supabase Realtime's reason when a channel may not be read (its tests spell it so). */
const forbidden = (name: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${name}`

export interface PhoenixServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  close(): void
}

interface Joined {
  joinRef: string | null
  channel: Channel
  subscription: Subscription
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function createPhoenixServer(ctx: ApiContext, feed: Feed): PhoenixServer {
  const { config } = ctx
  const log = ctx.log.child({ component: 'stream', protocol: 'phoenix' })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const metrics = connectionMetrics(ctx.metrics)
  const holder = credentialWatch(ctx)
  let closing = false

  function connection(ws: WebSocket, socket: Duplex, vsn: Vsn, apiKey: string): void {
    /** By topic. */
    const joined = new Map<string, Joined>()
    const pending = new Set<string>()
    const conn = supervise(ws, {
      socket,
      heartbeatMs: config.REALTIME_HEARTBEAT_MS,
      maxBufferedBytes: config.REALTIME_MAX_BUFFERED_BYTES,
      metrics,
      onEnd: () => {
        held.release()
        for (const j of joined.values()) j.subscription.close()
        joined.clear()
      },
      onHeartbeat: () => held.recheck(),
    })
    const send = (message: PhoenixMessage) => conn.send(encodeFrame(vsn, message))

    /**
     * A refused credential (revocation, expiry): the private channel is shut down as Supabase
     * shuts it (a system error, then phx_close); the connection keeps its public channels.
     */
    const held = holder(() => {
      for (const [topic, j] of [...joined]) {
        if (j.channel.kind === 'user') shutChannel(topic, j, 'Invalid or expired credential')
      }
    })

    function shutChannel(topic: string, j: Joined, message: string): void {
      leaveTopic(topic)
      send(
        push(topic, j.joinRef, 'system', {
          extension: 'system',
          status: 'error',
          channel: channelName(j.channel),
          message,
        }),
      )
      send(push(topic, j.joinRef, 'phx_close'))
    }

    const eventPayload = (e: FeedEvent) => ({
      channel: e.channel,
      stream: e.stream,
      seq: e.seq,
      prev: e.prev,
      data: e.data,
    })

    /** A credential the client gave: the anon key is nobody; anything else must be valid. */
    async function credentialOf(
      token: unknown,
    ): Promise<
      { ok: true; principal: null } | { ok: true; principal: Principal; token: string } | { ok: false }
    > {
      if (token === undefined || token === null || token === '') return { ok: true, principal: null }
      if (typeof token !== 'string') return { ok: false }
      if (sameSecret(token, apiKey)) return { ok: true, principal: null }
      const found = await ctx.auth.authenticate(token).catch(() => null)
      return found ? { ok: true, principal: found, token } : { ok: false }
    }

    function leaveTopic(topic: string): void {
      const j = joined.get(topic)
      if (!j) return
      j.subscription.close()
      joined.delete(topic)
    }

    async function join(m: PhoenixMessage): Promise<void> {
      const name = m.topic.slice(TOPIC_PREFIX.length)
      const settings = (m.payload.config ?? {}) as Record<string, unknown>
      const changes = settings.postgres_changes
      if (Array.isArray(changes) && changes.length > 0) {
        return send(
          replyTo(m, 'error', { reason: 'postgres_changes is not served here: use broadcast events' }),
        )
      }
      const given = await credentialOf(m.payload.access_token)
      if (!given.ok)
        return send(replyTo(m, 'error', { reason: 'InvalidJWTToken: Invalid or expired credential' }))
      if (given.principal) held.adopt(given.principal, given.token)
      const parsed = parseChannel(name, held.principal?.userId)
      if (!parsed.ok) {
        return send(
          replyTo(m, 'error', {
            reason: parsed.reason === 'auth' ? forbidden(name) : `Unknown channel '${name}'`,
          }),
        )
      }
      // Phoenix's rule: a second join of a topic replaces the first.
      leaveTopic(m.topic)
      if (pending.has(m.topic)) return send(replyTo(m, 'error', { reason: 'Already joining this topic' }))
      if (joined.size + pending.size >= config.REALTIME_MAX_CHANNELS) {
        return send(replyTo(m, 'error', { reason: `At most ${config.REALTIME_MAX_CHANNELS} channels` }))
      }
      const broadcastConfig = settings.broadcast as Record<string, unknown> | undefined
      const asked = broadcastConfig?.resume
      let from: Cursor | undefined
      if (asked !== undefined) {
        from = parseCursor(asked)
        if (!from)
          return send(replyTo(m, 'error', { reason: 'broadcast.resume must be an object of stream → seq' }))
      }
      const topic = m.topic
      const sink = {
        event: (e: FeedEvent) => send(broadcast(topic, m.joinRef, e.type, eventPayload(e))),
        notice: (notice: 'degraded' | 'restored') =>
          send(broadcast(topic, m.joinRef, notice, { channel: channelName(parsed.channel) })),
      }
      pending.add(topic)
      try {
        let result = await feed.join(parsed.channel, sink, from)
        let tooOld = false
        if (!result.ok) {
          tooOld = true
          result = await feed.join(parsed.channel, sink)
          if (!result.ok) throw new Error('a snapshot join cannot be too old')
        }
        if (conn.ended) return result.subscription.close()
        joined.set(topic, { joinRef: m.joinRef, channel: parsed.channel, subscription: result.subscription })
        const channel = channelName(parsed.channel)
        send(replyTo(m, 'ok', {}))
        if (tooOld) send(broadcast(topic, m.joinRef, 'too_old', { channel, asked: from }))
        if (from === undefined || tooOld) {
          send(
            broadcast(topic, m.joinRef, 'snapshot', {
              channel,
              snapshot: result.snapshot,
              cursor: result.cursor,
            }),
          )
        } else {
          for (const e of result.replayed) sink.event(e)
          send(broadcast(topic, m.joinRef, 'resumed', { channel, cursor: result.cursor }))
        }
        result.subscription.start()
      } finally {
        pending.delete(topic)
      }
    }

    async function accessToken(m: PhoenixMessage): Promise<void> {
      const given = await credentialOf(m.payload.access_token)
      const j = joined.get(m.topic)
      const stillAllowed =
        given.ok && (j?.channel.kind !== 'user' || given.principal?.userId === j.channel.userId)
      if (given.ok && given.principal) held.adopt(given.principal, given.token)
      if (stillAllowed || !j) return
      // Supabase shuts the channel down when its token stops being valid.
      shutChannel(m.topic, j, given.ok ? forbidden(channelName(j.channel)) : 'Invalid or expired credential')
    }

    async function handle(m: PhoenixMessage): Promise<void> {
      if (m.topic === 'phoenix') {
        return m.event === 'heartbeat'
          ? send(replyTo(m, 'ok'))
          : send(replyTo(m, 'error', { reason: 'unknown event on topic phoenix' }))
      }
      if (!m.topic.startsWith(TOPIC_PREFIX)) {
        return send(replyTo(m, 'error', { reason: 'topics are realtime:<channel>' }))
      }
      if (m.event === 'phx_join') return join(m)
      if (!joined.has(m.topic)) return send(replyTo(m, 'error', { reason: 'unmatched topic' }))
      switch (m.event) {
        case 'phx_leave': {
          const j = joined.get(m.topic)
          leaveTopic(m.topic)
          send(replyTo(m, 'ok'))
          return send(push(m.topic, j?.joinRef ?? m.joinRef, 'phx_close'))
        }
        case 'access_token':
          return accessToken(m)
        case 'broadcast':
          return send(
            replyTo(m, 'error', {
              reason: 'These channels are published by the server only: broadcasts are refused',
            }),
          )
        case 'presence':
          return send(replyTo(m, 'error', { reason: 'Presence is not served here' }))
        default:
          return send(replyTo(m, 'error', { reason: `Unknown event '${m.event}'` }))
      }
    }

    ws.on('message', (data, isBinary) => {
      conn.touch()
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      const decoded = decodeFrame(vsn, isBinary ? bytes : bytes.toString('utf8'))
      if (!decoded.ok) {
        // Without a topic and a ref there is nobody to reply to.
        log.warn({ reason: decoded.reason }, 'realtime frame refused')
        return conn.end('protocol', CLOSE.policy, decoded.reason.slice(0, 120))
      }
      const m = decoded.message
      const admitted = conn.admit(
        () => handle(m),
        (error) => {
          if (error instanceof AppError && error.status < 500) {
            return send(replyTo(m, 'error', { reason: error.detail ?? error.title }))
          }
          log.error({ err: error }, 'realtime push failed')
          send(replyTo(m, 'error', { reason: 'Internal error' }))
        },
      )
      if (!admitted) send(replyTo(m, 'error', { reason: `At most ${MAX_IN_FLIGHT} requests in flight` }))
    })
  }

  return {
    handleUpgrade(request, socket, head) {
      const refuse = (status: number, text: string) => refuseUpgrade(socket, status, text)
      if (closing) return refuse(503, 'Service Unavailable')
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams
      const vsn = (query.get('vsn') ?? '1.0.0') as Vsn
      if (!VSNS.includes(vsn)) return refuse(400, 'Bad Request')
      const apiKey = query.get('apikey') ?? ''
      const anonKey = config.AUTH_ANON_KEY
      // As on /auth/v1: with a configured anon key, the apikey must be it.
      if (apiKey === '' || (anonKey && !sameSecret(apiKey, anonKey))) return refuse(401, 'Unauthorized')
      wss.handleUpgrade(request, socket, head, (ws) => connection(ws, socket, vsn, apiKey))
    },
    close() {
      closing = true
      closeAll(wss)
    },
  }
}
