/**
 * An application around a fresh test database, for `app.inject()` tests.
 */
import { randomBytes } from 'node:crypto'
import { type Config, loadConfig } from '../../src/config/index.js'
import { createDatabase } from '../../src/db/database.js'
import { type Clock, systemClock } from '../../src/domain/clock.js'
import { buildApp } from '../../src/http/app.js'
import type { ApiContext } from '../../src/http/context.js'
import type { App } from '../../src/http/types.js'
import { createLogger, type Logger } from '../../src/infra/logger.js'
import { createMetrics } from '../../src/infra/metrics.js'
import { startJobQueue } from '../../src/infra/queue.js'
import type { Tracer } from '../../src/infra/tracing.js'
import { createAppContext } from '../../src/start/context.js'
import { queryObserver, registerProcessMetrics } from '../../src/start/metrics.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export interface TestApp {
  app: App
  ctx: ApiContext
  database: TestDatabase
  close(): Promise<void>
}

/**
 * Test defaults: a fixed encryption key (nothing written to .data/), the cheapest argon2id
 * cost, loopback reachable by agents (the fakes), and no rate limits (test/http/rate-limit.test.ts turns them on); a Redis key prefix
 * of its own per app, so suites sharing a Redis never share counters.
 */
export const TEST_ENCRYPTION_KEYS = 'test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    REDIS_URL: process.env.REDIS_URL ?? '',
    REDIS_KEY_PREFIX: `dm:test:${randomBytes(4).toString('hex')}:`,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    AUTH_ARGON2_MEMORY_KIB: '1024',
    AUTH_ARGON2_TIME_COST: '1',
    RATE_LIMIT_IP_MAX: '0',
    RATE_LIMIT_USER_MAX: '0',
    RATE_LIMIT_AUTH_MAX: '0',
    // The fake LLM and webhook receiver listen on loopback, which agents may not reach by default.
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    ...env,
  })
}

/**
 * `database`: another app's database, shared (a second process of the same deployment); it is
 * then left for its owner to drop.
 */
export async function createTestApp(
  options: {
    env?: Record<string, string>
    clock?: Clock
    tracer?: Tracer
    /** Another app's database (a second process on the same data); left to its owner to drop. */
    database?: TestDatabase
    /** Where the app logs (default: a logger at LOG_LEVEL on stdout). */
    log?: Logger
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase())
  const config = testConfig({ DATABASE_URL: database.url, ...options.env })
  const log = options.log ?? createLogger(config.LOG_LEVEL)
  // Metrics as a served process has them (its own registry per app): tests read what was counted.
  const metrics = createMetrics()
  const db = createDatabase({
    connectionString: database.url,
    max: 5,
    statementTimeoutMs: 10_000,
    onQuery: queryObserver(metrics),
  })
  // The queue's own schema is already in the template (global setup), so this is quick.
  const queue = await startJobQueue({
    connectionString: database.url,
    log,
    supervise: false,
    pollIntervalSeconds: config.QUEUE_POLL_INTERVAL_SECONDS,
    concurrency: config.QUEUE_CONCURRENCY,
  })
  const ctx: ApiContext = await createAppContext({
    config,
    db,
    log,
    clock: options.clock ?? systemClock,
    queue,
    ...(options.tracer ? { tracer: options.tracer } : {}),
    metrics,
  })
  registerProcessMetrics(ctx)
  const app = await buildApp(ctx)
  await app.ready()
  return {
    app,
    ctx,
    database,
    async close() {
      await app.close()
      await ctx.store.close()
      await ctx.bus.close()
      await ctx.identity.close()
      await ctx.readCache.close()
      await ctx.reads?.close()
      await queue.stop(0)
      await db.close()
      if (!options.database) await database.drop()
    },
  }
}
