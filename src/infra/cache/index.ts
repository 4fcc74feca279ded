/**
 * The small store behind rate limits and caches: Redis when REDIS_URL is set (shared by every
 * instance behind the load balancer), an in-process map otherwise (one process, the laptop
 * default). Both behave the same; test/infra/cache.test.ts runs one suite against each.
 */
import type { Config } from '../../config/index.js'
import type { Logger } from '../logger.js'
import { createMemoryStore } from './memory.js'
import { createRedisStore } from './redis.js'

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number
}

export interface Store {
  readonly kind: 'memory' | 'redis'
  /**
   * Counts one hit on `key` in a fixed window of `windowMs` that starts with the key's first
   * hit. Atomic across instances (Redis) or within the process (memory).
   */
  hit(key: string, windowMs: number): Promise<WindowCount>
  get(key: string): Promise<string | undefined>
  set(key: string, value: string, ttlMs: number): Promise<void>
  delete(key: string): Promise<void>
  close(): Promise<void>
}

export async function createStore(config: Config, log: Logger): Promise<Store> {
  if (config.REDIS_URL)
    return createRedisStore({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log })
  return createMemoryStore()
}
