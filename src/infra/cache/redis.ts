/**
 * The Redis Store (ioredis). Commands fail fast instead of queueing while Redis is away
 * (`enableOfflineQueue: false`, a short command timeout): callers such as the rate limiter
 * then degrade (let the request through) rather than stall every request.
 */
import { Redis } from 'ioredis'
import type { Logger } from '../logger.js'
import type { Store } from './store.js'

// INCR and the expiry of a new key in one step, so no key is left without a TTL if the
// process dies in between.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`

export interface RedisStoreOptions {
  url: string
  keyPrefix: string
  log: Logger
  /** How long start-up waits for the first connection before going on without it. */
  connectTimeoutMs?: number
}

export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    lazyConnect: true,
  })
  let lastErrorLog = 0
  redis.on('error', (error) => {
    // Reconnection attempts repeat the same error; one line a minute is enough.
    if (Date.now() - lastErrorLog > 60_000) {
      lastErrorLog = Date.now()
      options.log.warn({ err: error }, 'redis unavailable')
    }
  })
  const timeout = options.connectTimeoutMs ?? 3_000
  await Promise.race([
    redis.connect().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, timeout).unref()),
  ])
  redis.defineCommand('dmHit', { numberOfKeys: 1, lua: HIT_SCRIPT })
  const hit = (
    redis as unknown as { dmHit(key: string, windowMs: number): Promise<[number, number]> }
  ).dmHit.bind(redis)

  return {
    kind: 'redis',
    async hit(key, windowMs) {
      const [count, ttl] = await hit(key, windowMs)
      return { count: Number(count), resetInMs: Number(ttl) }
    },
    async get(key) {
      return (await redis.get(key)) ?? undefined
    },
    async set(key, value, ttlMs) {
      await redis.set(key, value, 'PX', ttlMs)
    },
    async delete(key) {
      await redis.del(key)
    },
    async ping() {
      await redis.ping()
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}
