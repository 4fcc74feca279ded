/**
 * Finds the database this process uses: DATABASE_URL, or the embedded server started here.
 */

import path from 'node:path'
import pg from 'pg'
import type { Config } from '../config/index.js'
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../infra/embedded-postgres.js'
import type { Logger } from '../infra/logger.js'

export const EMBEDDED_DATABASE = 'decision_markets'

export interface DatabaseTarget {
  url: string
  embedded?: EmbeddedPostgresHandle
}

export async function resolveDatabase(config: Config, log: Logger): Promise<DatabaseTarget> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL }
  const embedded = await startEmbeddedPostgres({
    dataDir: path.resolve(config.projectRoot, config.EMBEDDED_PG_DIR),
    port: config.EMBEDDED_PG_PORT,
    log,
  })
  try {
    const admin = new pg.Client({ connectionString: embedded.url })
    await admin.connect()
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE])
      if (exists.rowCount === 0) await admin.query(`create database ${EMBEDDED_DATABASE}`)
    } finally {
      await admin.end()
    }
  } catch (error) {
    await embedded.stop()
    throw error
  }
  return { url: embedded.urlFor(EMBEDDED_DATABASE), embedded }
}
