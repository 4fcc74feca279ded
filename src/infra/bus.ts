/**
 * The fan-out bus of the realtime feed: what one process commits, every process hears. Redis
 * pub/sub when REDIS_URL is set (every API process behind the load balancer), an in-process
 * emitter otherwise (one process, the laptop default).
 *
 * The bus is a fast path, not the record: messages are fire-and-forget (Redis pub/sub keeps
 * nothing for a subscriber that is away), and the database is the record. Subscribers number
 * what they hear by sequences taken from the database and fetch whatever they did not hear from
 * it (services/realtime/feed.ts), so a lost message costs latency, never an event.
 *
 * Redis: a subscribed connection can run nothing but (P)SUBSCRIBE, so publishing has a
 * connection of its own. `onState` reports the subscriber connection going down and coming back
 * (re-subscribed): what was published in between was lost, and listeners must catch up.
 */
import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import type { Logger } from './logger.js'

export interface Bus {
  readonly kind: 'memory' | 'redis'
  /** Whether messages published now reach every process (false while Redis is away). */
  readonly up: boolean
  /** Sends `message` to every process's listeners, this one's included. Never throws. */
  publish(message: string): void
  onMessage(listener: (message: string) => void): void
  /** `up` changed: false = messages may be lost from now on; true = delivered again. */
  onState(listener: (up: boolean) => void): void
  close(): Promise<void>
}

export function createMemoryBus(): Bus {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    kind: 'memory',
    up: true,
    publish(message) {
      // Asynchronously, as Redis would: a publisher never runs its listeners inside its commit path.
      setImmediate(() => emitter.emit('message', message))
    },
    onMessage(listener) {
      emitter.on('message', listener)
    },
    onState() {},
    async close() {
      emitter.removeAllListeners()
    },
  }
}

export interface RedisBusOptions {
  url: string
  /** The Redis channel; prefixed like the store's keys so deployments sharing a Redis stay apart. */
  channel: string
  log: Logger
  connectTimeoutMs?: number
}

export async function createRedisBus(options: RedisBusOptions): Promise<Bus> {
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    // Reconnect quickly and forever: the feed is degraded for as long as Redis is away.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
  }
  const publisher = new Redis(options.url, { ...common, commandTimeout: 1_000 })
  const subscriber = new Redis(options.url, common)
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  let up = false
  let closed = false
  let lastErrorLog = 0
  const setUp = (next: boolean) => {
    if (next === up || closed) return
    up = next
    emitter.emit('state', next)
  }
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (error) => {
      if (Date.now() - lastErrorLog > 60_000) {
        lastErrorLog = Date.now()
        options.log.warn({ err: error }, 'realtime bus: redis unavailable')
      }
    })
  }
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === options.channel) emitter.emit('message', message)
  })
  // Subscribed again on every (re)connection, and up only once Redis has confirmed it: ioredis
  // re-subscribes by itself only to channels it had subscribed before, none if Redis was away at
  // start. A second SUBSCRIBE to the same channel is a no-op.
  subscriber.on('ready', () => {
    subscriber.subscribe(options.channel).then(
      () => setUp(true),
      () => undefined,
    )
  })
  subscriber.on('close', () => setUp(false))
  subscriber.on('end', () => setUp(false))

  const timeout = options.connectTimeoutMs ?? 3_000
  const waitAtMost = <T>(p: Promise<T>) =>
    Promise.race([p.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, timeout).unref())])
  await Promise.all([
    waitAtMost(publisher.connect()),
    waitAtMost(subscriber.connect().then(() => subscriber.subscribe(options.channel))),
  ])

  return {
    kind: 'redis',
    get up() {
      return up
    },
    publish(message) {
      publisher.publish(options.channel, message).catch(() => {
        // Lost: subscribers find the gap by sequence, or by their catch-up poll.
      })
    },
    onMessage(listener) {
      emitter.on('message', listener)
    },
    onState(listener) {
      emitter.on('state', listener)
    },
    async close() {
      closed = true
      emitter.removeAllListeners()
      await Promise.all([publisher, subscriber].map((c) => c.quit().catch(() => c.disconnect())))
    },
  }
}

export async function createBus(
  config: { REDIS_URL?: string | undefined; REDIS_KEY_PREFIX: string },
  log: Logger,
): Promise<Bus> {
  if (config.REDIS_URL)
    return createRedisBus({ url: config.REDIS_URL, channel: `${config.REDIS_KEY_PREFIX}realtime`, log })
  return createMemoryBus()
}
