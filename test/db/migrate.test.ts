import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, migrationStatus, migrationsDir, readMigrationFiles } from '../../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'

const created: TestDatabase[] = []
async function emptyDatabase() {
  const database = await createTestDatabase({ template: false })
  created.push(database)
  return database
}
afterEach(async () => {
  for (const database of created.splice(0)) await database.drop()
})

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-migrations-'))
  cpSync(migrationsDir, dir, { recursive: true })
  return dir
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

describe('migrations', () => {
  it('files follow the Supabase CLI naming', () => {
    const files = readMigrationFiles()
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) expect(file.file).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/)
  })

  it('two files with one version are refused before anything runs', () => {
    const dir = copyOfMigrations()
    const last = readMigrationFiles(dir).at(-1)
    writeFileSync(path.join(dir, `${last?.version}_same_version.sql`), 'select 1;\n')
    expect(() => readMigrationFiles(dir)).toThrow(/share the version/)
  })

  it('migrate an empty database, then find nothing to do', async () => {
    const { url } = await emptyDatabase()
    const first = await migrate(url)
    expect(first.applied).toEqual(readMigrationFiles().map((f) => f.file))
    const second = await migrate(url)
    expect(second.applied).toEqual([])
    const rows = await query<{ version: string; checksum: string }>(
      url,
      'select version, checksum from supabase_migrations.schema_migrations order by version',
    )
    expect(rows.map((r) => r.version)).toEqual(readMigrationFiles().map((f) => f.version))
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
  })

  it('the Supabase helpers exist and read the claims of the transaction', async () => {
    const { url } = await emptyDatabase()
    await migrate(url)
    const [row] = await query<{ uid: string; role: string; email: string }>(
      url,
      `select set_config('request.jwt.claims', $1, false) as _,
              auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email`,
      [
        JSON.stringify({
          sub: '00000000-0000-4000-8000-000000000001',
          role: 'authenticated',
          email: 'a@b.c',
        }),
      ],
    )
    expect(row).toMatchObject({
      uid: '00000000-0000-4000-8000-000000000001',
      role: 'authenticated',
      email: 'a@b.c',
    })
    const roles = await query<{ rolname: string }>(
      url,
      `select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname`,
    )
    expect(roles.map((r) => r.rolname)).toEqual(['anon', 'authenticated', 'service_role'])
  })

  it('the bootstrap keeps what Supabase provides and adds only what is absent', async () => {
    const { url } = await emptyDatabase()
    // A database that already has Supabase's auth schema and its own auth.uid().
    await query(
      url,
      `create schema auth;
       create function auth.uid() returns uuid language sql stable
         as $$ select '00000000-0000-4000-8000-00000000beef'::uuid $$`,
    )
    await migrate(url)
    const [row] = await query<{ uid: string; role: string }>(
      url,
      `select set_config('request.jwt.claims', $1, false) as _, auth.uid() as uid, auth.role() as role`,
      [JSON.stringify({ sub: '00000000-0000-4000-8000-000000000001', role: 'authenticated' })],
    )
    expect(row).toMatchObject({ uid: '00000000-0000-4000-8000-00000000beef', role: 'authenticated' })
  })

  it('refuses an applied migration that was edited afterwards', async () => {
    const { url } = await emptyDatabase()
    const dir = copyOfMigrations()
    await migrate(url, { dir })
    const [first] = readMigrationFiles(dir)
    writeFileSync(path.join(dir, first!.file), `${first!.sql}\n-- sneaky edit\n`)
    await expect(migrate(url, { dir })).rejects.toThrow(/edited afterwards: .*supabase_bootstrap/)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      expect((await migrationStatus(client, dir)).changed).toEqual([first!.file])
    } finally {
      await client.end()
    }
  })

  it('a failing migration is rolled back and reported by name', async () => {
    const { url } = await emptyDatabase()
    const dir = copyOfMigrations()
    writeFileSync(
      path.join(dir, '29991231000000_broken.sql'),
      'create table ok_part (id int);\nselect nonsense from nowhere;',
    )
    await expect(migrate(url, { dir })).rejects.toThrow(/29991231000000_broken\.sql failed/)
    const rows = await query<{ present: boolean }>(
      url,
      `select to_regclass('public.ok_part') is not null as present`,
    )
    expect(rows[0]?.present).toBe(false)
    // the good ones before it stay applied
    expect((await migrate(url)).applied).toEqual([])
  })

  it('refuses files that do not follow the naming', () => {
    const dir = copyOfMigrations()
    writeFileSync(path.join(dir, 'add_things.sql'), 'select 1')
    expect(() => readMigrationFiles(dir)).toThrow(/not named <14-digit timestamp>/)
  })

  it('concurrent instances migrate once, one after the other', async () => {
    const { url } = await emptyDatabase()
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)])
    const applied = results.flatMap((r) => r.applied)
    expect(applied).toEqual(readMigrationFiles().map((f) => f.file))
  })
})
