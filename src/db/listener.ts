/**
 * A dedicated connection that LISTENs on one channel (a pooled connection cannot: the pool
 * hands it to other queries and closes it when idle). On an error or a dropped connection it
 * reports the outage, reconnects with a growing delay (up to 5 s) and reports the reconnection
 * once LISTEN is in place again; notifications sent meanwhile are lost, which the caller must
 * allow for (the auth cache turns itself off).
 *
 * LISTEN is only in place once a notification this connection sends itself comes back: through
 * a transaction pooler (PgBouncer, Supavisor on 6543) LISTEN succeeds and nothing is ever
 * delivered, which would leave revocations unseen; such a connection counts as lost.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'

export interface ListenerOptions {
  connectionString: string
  channel: string
  onNotification: (payload: string) => void
  /** LISTEN is in place (first time or after a reconnection): nothing is missed from now on. */
  onListening?: () => void
  /** The connection is lost: notifications may be missed until onListening. */
  onLost?: (error: Error) => void
  applicationName?: string
}

export interface Listener {
  /** Resolves once the first LISTEN is in place (or rejects if the first connection fails). */
  readonly ready: Promise<void>
  readonly listening: boolean
  /**
   * Resolves once every notification committed before the call has been handled: a round trip
   * on the listening connection (the server sends pending notifications before it says it is
   * ready for the next query). Calls made while one is in flight share the next round trip, so
   * a busy process sends about one per round-trip time, not one per call.
   */
  sync(): Promise<void>
  close(): Promise<void>
}

const MAX_DELAY_MS = 5_000

export function startListener(options: ListenerOptions): Listener {
  let client: pg.Client | undefined
  let closed = false
  let listening = false
  let delay = 100
  let timer: NodeJS.Timeout | undefined

  function lost(error: Error, failed: pg.Client) {
    if (client !== failed) return
    client = undefined
    listening = false
    failed.removeAllListeners('notification')
    failed.end().catch(() => undefined)
    if (closed) return
    options.onLost?.(error)
    timer = setTimeout(() => {
      timer = undefined
      connect().catch(() => undefined)
    }, delay)
    timer.unref()
    delay = Math.min(delay * 2, MAX_DELAY_MS)
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'decision-markets-listener',
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    })
    client = next
    next.on('error', (error) => lost(error, next))
    next.on('end', () => lost(new Error('The listening connection ended'), next))
    const probe = `probe:${randomUUID()}`
    let probed = false
    next.on('notification', (message) => {
      if (message.channel !== options.channel) return
      if (message.payload === probe) probed = true
      else options.onNotification(message.payload ?? '')
    })
    try {
      await next.connect()
      await next.query(`listen ${next.escapeIdentifier(options.channel)}`)
      // Our own notification is sent to us before the server reports the statement done.
      await next.query('select pg_notify($1, $2)', [options.channel, probe])
      if (!probed)
        throw new Error('Notifications are not delivered on this connection (a transaction pooler?)')
    } catch (error) {
      lost(error as Error, next)
      throw error
    }
    if (closed || client !== next) return
    listening = true
    delay = 100
    options.onListening?.()
  }

  let inFlight: Promise<void> | undefined
  let queued: Promise<void> | undefined
  function roundTrip(): Promise<void> {
    const current = client
    if (!current || !listening) return Promise.reject(new Error('Not listening'))
    return current.query('select 1').then(() => undefined)
  }
  function sync(): Promise<void> {
    if (!inFlight) {
      inFlight = roundTrip().finally(() => {
        inFlight = undefined
      })
      return inFlight
    }
    // The one in flight may have been sent before this call: wait for the next one.
    queued ??= inFlight
      .catch(() => undefined)
      .then(() => {
        queued = undefined
        return sync()
      })
    return queued
  }

  const ready = connect()
  ready.catch(() => undefined)
  return {
    ready,
    get listening() {
      return listening
    },
    sync,
    async close() {
      closed = true
      listening = false
      if (timer) clearTimeout(timer)
      const current = client
      client = undefined
      if (current) await current.end().catch(() => undefined)
    },
  }
}
