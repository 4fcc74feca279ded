/**
 * Once per test run: build dist/ as `npm start` does (only what changed), find a PostgreSQL
 * (TEST_DATABASE_URL, or an embedded server started here), build a migrated template database,
 * and hand both to the test files. Each test file clones
 * the template (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of re-running
 * every migration (graphile-worker's __tests__/helpers.ts does the same).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { projectRoot } from '../src/config/index.js'
import { migrate } from '../src/db/migrate.js'
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres.js'
import { createLogger } from '../src/infra/logger.js'
import { startJobQueue } from '../src/infra/queue.js'
import { freePort } from './helpers/net.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL with rights to create databases (any database name in it is replaced). */
    adminDatabaseUrl: string
    templateDatabase: string
    runId: string
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * The end-to-end tests start the service as `npm start` does, from dist/ (test/helpers/cli.ts):
 * compiled once here, it starts in a fraction of a second, where loading src/ through tsx costs
 * each process ~3.5 s of CPU, and a run starts some forty of them. Nothing is built when src/ has
 * not changed since the last build (scripts/build-if-changed.mjs).
 */
function buildIfChanged(): void {
  const started = Date.now()
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/build-if-changed.mjs')], {
    cwd: projectRoot,
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    throw new Error(`the build for the end-to-end tests failed:\n${result.stdout}${result.stderr}`)
  }
  process.stdout.write(`[global-setup] dist/ up to date (${Date.now() - started} ms)\n`)
}

export default async function setup(project: TestProject) {
  buildIfChanged()
  const runId = randomBytes(4).toString('hex')
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn')
  let adminUrl = process.env.TEST_DATABASE_URL
  let stopEmbedded: (() => Promise<void>) | undefined
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(tmpdir(), `dm-test-pg-${runId}`),
      port: await freePort(),
      log,
      persistent: false,
    })
    adminUrl = embedded.url
    stopEmbedded = () => embedded.stop()
  }
  const mode = stopEmbedded ? 'embedded PostgreSQL' : `TEST_DATABASE_URL (${new URL(adminUrl).host})`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]
    ?.server_version
  process.stdout.write(`\n[global-setup] tests run against ${mode}, PostgreSQL ${version}\n`)

  const template = `dm_template_${runId}`
  await admin.query(`create database ${template}`)
  await migrate(withDatabase(adminUrl, template))
  // pg-boss creates its schema on first start; do it once here so every clone has it.
  const boss = await startJobQueue({
    connectionString: withDatabase(adminUrl, template),
    log,
    supervise: false,
  })
  await boss.stop(0)
  // No connection may stay open on a template while it is cloned.
  await admin.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [template],
  )

  project.provide('adminDatabaseUrl', adminUrl)
  project.provide('templateDatabase', template)
  project.provide('runId', runId)

  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`dm_%_${runId}%`],
    )
    for (const { datname } of leftovers.rows) {
      await admin.query(`drop database if exists ${datname} with (force)`).catch(() => {})
    }
    await admin.end()
    await stopEmbedded?.()
  }
}
