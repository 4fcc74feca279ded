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

// The epoch, created when absent, and the version fields of one or two names: one round trip.
const READ_VERSIONS_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then epoch = ARGV[1]; redis.call('SET', KEYS[1], epoch) end
local out = {epoch}
for i = 2, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
`

// Each field to at least the given value: versions only rise, whatever order writers arrive in.
const RAISE_SCRIPT = `
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`

/** Where the version keys live (no TTL: a version that expired would start again from nothing). */
const EPOCH_KEY = 'ver:epoch'
const versionKey = (name: string) => `ver:${name}`

function pairs(flat: unknown): Record<string, string> {
  const list = flat as string[]
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i] as string] = list[i + 1] as string
  return out
}

export interface RedisStoreOptions {
  url: string
  keyPrefix: string
  log: Logger
  /** How long start-up waits for the first connection before going on without it. */
  connectTimeoutMs?: number
  /** How long a command may take before it fails (the read cache's is short: fail-open). */
  commandTimeoutMs?: number
  /** Commands issued in the same tick (concurrent requests) travel in one write. */
  autoPipelining?: boolean
}

export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    enableAutoPipelining: options.autoPipelining ?? false,
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
  redis.defineCommand('dmReadVersions1', { numberOfKeys: 2, lua: READ_VERSIONS_SCRIPT })
  redis.defineCommand('dmReadVersions2', { numberOfKeys: 3, lua: READ_VERSIONS_SCRIPT })
  redis.defineCommand('dmRaise', { numberOfKeys: 1, lua: RAISE_SCRIPT })
  const scripts = redis as unknown as {
    dmReadVersions1(epoch: string, a: string, newEpoch: string): Promise<unknown[]>
    dmReadVersions2(epoch: string, a: string, b: string, newEpoch: string): Promise<unknown[]>
    dmRaise(key: string, ...args: (string | number)[]): Promise<number>
  }

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
    async readVersions(names, newEpoch) {
      const [first, second] = names
      const out =
        second === undefined
          ? await scripts.dmReadVersions1(EPOCH_KEY, versionKey(first), newEpoch)
          : await scripts.dmReadVersions2(EPOCH_KEY, versionKey(first), versionKey(second), newEpoch)
      return { epoch: String(out[0]), fields: out.slice(1).map(pairs) }
    },
    async raiseVersion(name, fields) {
      const args = Object.entries(fields).flat()
      if (args.length > 0) await scripts.dmRaise(versionKey(name), ...args)
    },
    async incrementVersion(name, field) {
      await redis.hincrby(versionKey(name), field, 1)
    },
    async setEpoch(epoch) {
      await redis.set(EPOCH_KEY, epoch)
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}
