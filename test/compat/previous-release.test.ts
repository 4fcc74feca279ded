/**
 * A rolling deploy runs the previous release against the new schema until the last old process
 * stops: every named query it sends must still be accepted. The previous release's queries are
 * recorded in test/compat/queries/ (scripts/record-queries.ts, `npm run queries:record` at a
 * release); here each one is PREPAREd on a database migrated to the current schema.
 *
 * PREPARE parses and analyses a statement without running it: tables, columns, functions,
 * operators and types must exist and fit, as when the old code first sends the query. Its
 * parameters are given no types, which is exactly what the old code does: node-postgres sends
 * every Parse with unspecified parameter types (pg-protocol's serializer writes the `types` of a
 * query config, and src/db/database.ts passes none), so the server infers each `$n` from its
 * context. A parameter it cannot infer ("could not determine data type of parameter", 42P18) or
 * one that has become ambiguous (a new overload: "function … is not unique", 42725) is a failure
 * here because it would be one in production. What PREPARE does not check, the migration lint
 * and docs/operations/migrations.md cover: plpgsql bodies (checked when they run), ON CONFLICT's
 * arbiter index (chosen at planning), and the meaning of a column that kept its name.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectQueries, type RecordedQuery, readRecords } from '../../scripts/record-queries.js'
import { migrate, migrationStatus, migrationsDir } from '../../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { lintMigrationsAfter } from './migration-lint.js'

const records = readRecords()
const previous = records.at(-1)!

interface Refusal {
  name: string
  code: string | undefined
  message: string
}

/** PREPAREs every query on one connection; each refusal with the query's name. */
async function prepareAll(url: string, queries: readonly RecordedQuery[]): Promise<Refusal[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const refusals: Refusal[] = []
  try {
    for (const [index, query] of queries.entries()) {
      try {
        await client.query(`prepare compat_${index} as ${query.text}`)
      } catch (error) {
        const { code, message } = error as { code?: string; message: string }
        refusals.push({ name: query.name, code, message })
      }
    }
    await client.query('deallocate all')
  } finally {
    await client.end()
  }
  return refusals
}

describe(`the previous release's queries (${previous?.release ?? 'none recorded'})`, () => {
  let db: TestDatabase
  beforeAll(async () => {
    // A clone of the template the global setup migrated from empty: the current schema.
    db = await createTestDatabase()
  })
  afterAll(() => db?.drop())

  it('are recorded, and the recorder still reads every query of the current sources', () => {
    expect(previous, 'no record in test/compat/queries: run npm run queries:record').toBeDefined()
    expect(previous.queries.length).toBeGreaterThan(0)
    // The next release's record must be possible: no query text here depends on run-time values.
    const current = collectQueries()
    expect(current.length).toBeGreaterThan(0)
    expect(current.map((q) => q.name)).toEqual([...new Set(current.map((q) => q.name))])
  })

  it('are all accepted by the current schema', async () => {
    expect(await prepareAll(db.url, previous.queries)).toEqual([])
  })

  it('are refused, by name, once a migration drops or renames a column they use', async () => {
    // A contracting release: the column the previous release reads and writes is gone at once,
    // in a database of its own (a clone), applied by the migrator as a deploy would.
    const contracted = await createTestDatabase()
    const dir = mkdtempSync(path.join(tmpdir(), 'dm-contract-'))
    try {
      cpSync(migrationsDir, dir, { recursive: true })
      const file = '29991231000000_contract_agents.sql'
      writeFileSync(
        path.join(dir, file),
        [
          'alter table public.agent_secrets drop column webhook_secret cascade;',
          'alter table public.agents rename column webhook_url to callback_url;',
        ].join('\n'),
      )
      // The lint stops this file before any database sees it…
      expect(
        lintMigrationsAfter(
          dir,
          previous.lastMigration,
          records.map((r) => r.release),
        ).map((v) => [v.file, v.kind]),
      ).toEqual([
        [file, 'DROP COLUMN'],
        [file, 'RENAME'],
      ])
      expect((await migrate(contracted.url, { dir })).applied).toEqual([file])
      // The older release, which lacks that file, still counts its schema as current (its
      // /readyz stays 200, its start does not fail): only its own files are compared.
      const pool = new pg.Pool({ connectionString: contracted.url, max: 1 })
      try {
        expect(await migrationStatus(pool)).toMatchObject({ pending: [], changed: [] })
      } finally {
        await pool.end()
      }
      expect((await migrate(contracted.url)).applied).toEqual([])

      // …and the previous release's queries would fail on it: exactly those naming the columns.
      const refusals = await prepareAll(contracted.url, previous.queries)
      const users = previous.queries.filter((q) => /\bwebhook_(secret|url)\b/.test(q.text)).map((q) => q.name)
      expect(users.length).toBeGreaterThan(1)
      expect(refusals.map((r) => r.name).sort()).toEqual(users.sort())
      for (const refusal of refusals) {
        expect(refusal.code, `${refusal.name}: ${refusal.message}`).toBe('42703') // undefined_column
        expect(refusal.message).toMatch(/column .*webhook_(secret|url).* does not exist/)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await contracted.drop()
    }
  })
})
