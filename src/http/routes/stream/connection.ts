/**
 * What every realtime transport (websocket.ts, phoenix.ts) does with one socket, whatever it
 * speaks: the connection metrics, the heartbeat (a WebSocket ping every REALTIME_HEARTBEAT_MS;
 * no pong and no message by the next one: dropped), the slow-consumer cut-off (more than
 * REALTIME_MAX_BUFFERED_BYTES queued: closed with 4008, its queue dropped, the others go on),
 * the bound on requests being answered, the 1001 "going away" at shutdown, and the writes of one
 * tick corked into one.
 */
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import type { AppContext } from '../../../context.js'
import type { Principal } from '../../../domain/identity/principal.js'
import { AppError } from '../../../errors/codes.js'
import type { ApiContext } from '../../context.js'

/** Close codes (docs/realtime.md). */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  slowConsumer: 4008,
  /** The credential of a connection subscribed to `user` was revoked (or expired). */
  revoked: 4001,
} as const

export const MAX_IN_FLIGHT = 8
export const MAX_MESSAGE_BYTES = 16 * 1024
/** After a 4008 close, how long the queued data may still drain before the socket is cut. */
const SLOW_CLOSE_GRACE_MS = 10_000
/** At shutdown, how long clients have to answer the 1001 close before their socket is cut. */
const SHUTDOWN_GRACE_MS = 2_000

export type DisconnectReason =
  | 'client'
  | 'slow_consumer'
  | 'heartbeat'
  | 'shutdown'
  | 'error'
  | 'protocol'
  | 'revoked'

export interface ConnectionMetrics {
  connections: ReturnType<AppContext['metrics']['gauge']>
  sent: ReturnType<AppContext['metrics']['counter']>
  disconnects: ReturnType<AppContext['metrics']['counter']>
}

/** One set of families for every protocol: a connection is a connection. */
export function connectionMetrics(metrics: AppContext['metrics']): ConnectionMetrics {
  return {
    connections: metrics.gauge({
      name: 'dm_realtime_connections',
      help: 'Realtime feed connections open on this process',
    }),
    sent: metrics.counter({
      name: 'dm_realtime_messages_sent_total',
      help: 'Messages sent to realtime feed clients',
    }),
    disconnects: metrics.counter({
      name: 'dm_realtime_disconnects_total',
      help: 'Realtime feed connections ended, by reason',
      labelNames: ['reason'],
    }),
  }
}

export interface Supervised {
  /** Ends the connection once (the first reason counts); `onEnd` then releases its subscriptions. */
  end(why: DisconnectReason, code?: number, text?: string): void
  readonly ended: boolean
  /**
   * Sends a text message, or a whole frame already built (a Buffer: the same event's bytes for
   * every subscriber, see websocket.ts), or cuts a client that does not read.
   */
  send(message: string | Buffer): void
  /** Runs a request's handler if fewer than MAX_IN_FLIGHT are; false when busy. */
  admit(handler: () => Promise<void>, onError: (error: unknown) => void): boolean
  /** A message came: the client is alive. */
  touch(): void
}

export function supervise(
  ws: WebSocket,
  options: {
    /** The upgraded socket under `ws`: corked per tick, and written whole frames to. */
    socket: Duplex
    heartbeatMs: number
    maxBufferedBytes: number
    metrics: ConnectionMetrics
    onEnd: () => void
    /** Runs at every heartbeat (the bound on a credential check a notification missed). */
    onHeartbeat?: () => void
  },
): Supervised {
  const { metrics } = options
  metrics.connections.inc()
  let reason: DisconnectReason | undefined
  let alive = true
  let inFlight = 0

  function end(why: DisconnectReason, code?: number, text?: string): void {
    if (reason) return
    reason = why
    // Counted when decided: a slow consumer's socket may take SLOW_CLOSE_GRACE_MS to close.
    metrics.disconnects.inc({ reason: why })
    options.onEnd()
    if (code !== undefined) ws.close(code, text)
  }

  ws.on('pong', () => {
    alive = true
  })
  const heartbeat = setInterval(() => {
    if (!alive) {
      end('heartbeat')
      ws.terminate()
      return
    }
    alive = false
    ws.ping()
    options.onHeartbeat?.()
  }, options.heartbeatMs)
  heartbeat.unref()
  ws.on('error', () => end('error'))
  ws.once('shutdown', () => end('shutdown', CLOSE.goingAway, 'going away'))
  ws.on('close', (code) => {
    clearInterval(heartbeat)
    if (code === CLOSE.tooBig) end('protocol')
    end('client')
    metrics.connections.dec()
  })

  /**
   * Corked until the end of the tick: the events one bus message brings (a batch's trades) go
   * out in one write per connection, not one system call per event per subscriber.
   */
  const { socket } = options
  let corked = false
  const uncork = () => {
    corked = false
    socket.uncork()
  }

  return {
    end,
    get ended() {
      return reason !== undefined
    },
    send(message) {
      if (reason || ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > options.maxBufferedBytes) {
        // It does not read: cut it off rather than queue without bound (or wait for it).
        end('slow_consumer', CLOSE.slowConsumer, 'slow consumer')
        setTimeout(() => ws.terminate(), SLOW_CLOSE_GRACE_MS).unref()
        return
      }
      if (!corked) {
        corked = true
        socket.cork()
        process.nextTick(uncork)
      }
      // A built frame goes to the socket as it is: the server has no per-message compression
      // (ws's default) and never fragments, so ws's Sender holds nothing such a write could
      // overtake; `bufferedAmount` counts it all the same.
      if (Buffer.isBuffer(message)) socket.write(message)
      else ws.send(message)
      metrics.sent.inc()
    },
    admit(handler, onError) {
      if (inFlight >= MAX_IN_FLIGHT) return false
      inFlight += 1
      handler()
        .catch(onError)
        .finally(() => {
          inFlight -= 1
        })
      return true
    },
    touch() {
      alive = true
    },
  }
}

/**
 * Answers an upgrade with a plain refusal and closes the socket once it is written: a client
 * that never closes its side (ws keeps the socket when its 'unexpected-response' is handled)
 * would otherwise hold the server's shutdown until Node's connection timeouts, ~70 s.
 */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
    socket.destroy(),
  )
}

/** Shutdown: every client told 1001; one that does not answer the close does not hold it up. */
export function closeAll(wss: WebSocketServer): void {
  for (const ws of wss.clients) {
    ws.emit('shutdown')
    setTimeout(() => ws.terminate(), SHUTDOWN_GRACE_MS).unref()
  }
  wss.close()
}

/**
 * The credentials connections hold, by user, checked again when the user changes: a sign-out,
 * a revoked key, a suspension, on any process (the auth cache's dm_auth notifications), so a
 * connection holding the private `user` channel is cut off at once rather than at its next
 * heartbeat (which checks too: the bound on a notification lost). One per transport server.
 */
export function credentialWatch(ctx: Pick<ApiContext, 'identity' | 'auth'>) {
  const checks = new Map<string, Set<() => void>>()
  ctx.identity.onUserChanged((userId) => {
    const targets = userId === undefined ? [...checks.values()] : [checks.get(userId) ?? new Set()]
    for (const set of targets) for (const check of [...set]) check()
  })
  const watch = (userId: string, check: () => void) => {
    const set = checks.get(userId) ?? new Set()
    set.add(check)
    checks.set(userId, set)
  }
  const unwatch = (userId: string, check: () => void) => {
    const set = checks.get(userId)
    set?.delete(check)
    if (set?.size === 0) checks.delete(userId)
  }

  /**
   * One connection's credential. `refused(userId)` runs once it is refused (revoked, expired,
   * signed out), after the principal is dropped: the transport shuts what was private. A check
   * that cannot tell (the database unreachable) keeps it, to be checked at the next heartbeat.
   */
  return function holder(
    refused: (userId: string) => void,
    initial?: { principal: Principal; token: string },
  ) {
    let principal: Principal | null = null
    let credential: string | undefined
    let checking = false
    let released = false
    function recheck(): void {
      if (checking || released || !principal || credential === undefined) return
      checking = true
      const checked = principal
      ctx.auth
        .authenticate(credential)
        .then(
          (found) => found?.userId === checked.userId,
          (error) => (error instanceof AppError && error.status === 401 ? false : undefined),
        )
        .then((valid) => {
          checking = false
          if (valid !== false || principal !== checked || released) return
          drop()
          refused(checked.userId)
        })
    }
    function drop(): void {
      if (principal) unwatch(principal.userId, recheck)
      principal = null
      credential = undefined
    }
    function adopt(found: Principal, token: string): void {
      drop()
      principal = found
      credential = token
      watch(found.userId, recheck)
    }
    if (initial) adopt(initial.principal, initial.token)
    return {
      get principal() {
        return principal
      },
      /** From now on this principal, from this token (watched); the one before is not. */
      adopt,
      recheck,
      /** The connection ended: no more checks. */
      release(): void {
        drop()
        released = true
      },
    }
  }
}
