/**
 * An application around a fresh test database, for `app.inject()` tests.
 */
import { type Config, loadConfig } from '../../src/config/index.js'
import type { AppContext, Clock } from '../../src/context.js'
import { systemClock } from '../../src/context.js'
import { createDatabase } from '../../src/db/database.js'
import { buildApp } from '../../src/http/app.js'
import type { App } from '../../src/http/types.js'
import { createLogger } from '../../src/infra/logger.js'
import { startJobQueue } from '../../src/infra/queue.js'
import { createAppContext } from '../../src/start/context.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export interface TestApp {
  app: App
  ctx: AppContext
  database: TestDatabase
  close(): Promise<void>
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0', ...env })
}

export async function createTestApp(
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestApp> {
  const database = await createTestDatabase()
  const config = testConfig({ DATABASE_URL: database.url, ...options.env })
  const log = createLogger(config.LOG_LEVEL)
  const db = createDatabase({ connectionString: database.url, max: 5, statementTimeoutMs: 10_000 })
  // The queue's own schema is already in the template (global setup), so this is quick.
  const queue = await startJobQueue({ connectionString: database.url, log, supervise: false })
  const ctx: AppContext = await createAppContext({
    config,
    db,
    log,
    clock: options.clock ?? systemClock,
    queue,
  })
  const app = await buildApp(ctx)
  await app.ready()
  return {
    app,
    ctx,
    database,
    async close() {
      await app.close()
      await queue.stop(0)
      await db.close()
      await database.drop()
    },
  }
}
