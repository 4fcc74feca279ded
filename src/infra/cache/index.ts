/**
 * The small store behind rate limits and caches: Redis when REDIS_URL is set (shared by every
 * instance behind the load balancer), an in-process map otherwise (one process, the laptop
 * default). Both behave the same; test/infra/cache.test.ts runs one suite against each.
 */
import type { Config } from '../../config/index.js'
import type { Logger } from '../logger.js'
import { createMemoryStore } from './memory.js'
import { createRedisStore } from './redis.js'
import type { Store } from './store.js'

export type { Store, VersionRead, WindowCount } from './store.js'

export async function createStore(
  config: Config,
  log: Logger,
  options: { commandTimeoutMs?: number; autoPipelining?: boolean } = {},
): Promise<Store> {
  if (config.REDIS_URL)
    return createRedisStore({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log, ...options })
  return createMemoryStore()
}
