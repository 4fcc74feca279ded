/**
 * The benchmarks' database: a fresh one on BENCH_DATABASE_URL (a server where we may create
 * databases, e.g. the machine's postgres://postgres@127.0.0.1:5432/postgres), dropped at the end;
 * unset, an embedded PostgreSQL in a temporary folder, removed at the end, so a bench runs from a
 * fresh clone with no setup.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres.js'
import type { Logger } from '../src/infra/logger.js'
import { freePort } from '../test/helpers/net.js'

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

/** A database for this run, and how to get rid of it. */
export async function provisionDatabase(
  log: Logger,
): Promise<{ url: string; label: string; cleanup: () => Promise<void> }> {
  const name = `dm_bench_${randomBytes(4).toString('hex')}`
  const given = process.env.BENCH_DATABASE_URL
  if (given) {
    await adminQuery(given, `create database ${name}`)
    const version = (await adminQuery(given, 'show server_version')).rows[0]?.server_version
    return {
      url: withDatabase(given, name),
      label: `PostgreSQL ${version} at ${new URL(given).host} (BENCH_DATABASE_URL)`,
      cleanup: async () => void (await adminQuery(given, `drop database if exists ${name} with (force)`)),
    }
  }
  // Not created here: as root, the embedded server runs as `postgres` and creates it itself.
  const dir = path.join(tmpdir(), `dm-bench-pg-${randomBytes(4).toString('hex')}`)
  const embedded = await startEmbeddedPostgres({
    dataDir: dir,
    port: await freePort(),
    log,
    persistent: false,
  })
  await adminQuery(embedded.url, `create database ${name}`)
  const version = (await adminQuery(embedded.url, 'show server_version')).rows[0]?.server_version
  return {
    url: embedded.urlFor(name),
    label: `embedded PostgreSQL ${version} (set BENCH_DATABASE_URL to use another server)`,
    cleanup: async () => {
      await embedded.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
