/**
 * Migrations: the SQL files in `supabase/migrations/` (Supabase CLI naming,
 * `<14-digit timestamp>_<name>.sql`), applied in order, each in its own transaction.
 *
 * The record lives where the Supabase CLI keeps its own (`supabase_migrations.schema_migrations`),
 * so `supabase db push` and this runner agree on what has been applied; we add a checksum so an
 * applied file that was edited afterwards is refused instead of silently diverging.
 * One instance migrates at a time: the others wait on an advisory lock, then find nothing to do.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { projectRoot } from '../config/index.js'

export const migrationsDir = path.join(projectRoot, 'supabase', 'migrations')

/** Any fixed 64-bit number; it only has to be the same for every instance of this service. */
const MIGRATION_LOCK_KEY = 7_342_118_905_221n

export interface MigrationFile {
  version: string
  name: string
  file: string
  sql: string
  checksum: string
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'MigrationError'
  }
}

const FILE_PATTERN = /^(\d{14})_([a-z0-9_]+)\.sql$/

export function readMigrationFiles(dir = migrationsDir): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
  const seen = new Map<string, string>()
  return files.map((file) => {
    const match = FILE_PATTERN.exec(file)
    if (!match) {
      throw new MigrationError(
        `Migration file '${file}' is not named <14-digit timestamp>_<snake_case_name>.sql`,
      )
    }
    // The version is the primary key of schema_migrations (as for the Supabase CLI): two files
    // with one timestamp, easily made on two branches, would fail half-way through a migration.
    const version = match[1] as string
    const other = seen.get(version)
    if (other) {
      throw new MigrationError(`Migration files '${other}' and '${file}' share the version ${version}`)
    }
    seen.set(version, file)
    const sqlText = readFileSync(path.join(dir, file), 'utf8')
    return {
      version,
      name: match[2] as string,
      file,
      sql: sqlText,
      checksum: createHash('sha256').update(sqlText).digest('hex'),
    }
  })
}

const ENSURE_TABLE = `
  create schema if not exists supabase_migrations;
  create table if not exists supabase_migrations.schema_migrations (
    version text primary key,
    statements text[],
    name text
  );
  alter table supabase_migrations.schema_migrations
    add column if not exists checksum text,
    add column if not exists applied_at timestamptz default now();
`

interface AppliedRow {
  version: string
  name: string | null
  checksum: string | null
}

export interface MigrationStatus {
  applied: string[]
  pending: string[]
  /** Applied migrations whose file changed since. */
  changed: string[]
}

async function readApplied(client: pg.ClientBase): Promise<AppliedRow[]> {
  const exists = await client.query<{ present: boolean }>(
    `select to_regclass('supabase_migrations.schema_migrations') is not null as present`,
  )
  if (!exists.rows[0]?.present) return []
  const result = await client.query<AppliedRow>(
    'select version, name, checksum from supabase_migrations.schema_migrations order by version',
  )
  return result.rows
}

function compare(files: MigrationFile[], applied: AppliedRow[]): MigrationStatus {
  const appliedByVersion = new Map(applied.map((row) => [row.version, row]))
  const changed: string[] = []
  const pending: string[] = []
  for (const file of files) {
    const row = appliedByVersion.get(file.version)
    if (!row) pending.push(file.file)
    // A row without checksum was applied by the Supabase CLI: trust it.
    else if (row.checksum !== null && row.checksum !== file.checksum) changed.push(file.file)
  }
  return { applied: applied.map((row) => row.version), pending, changed }
}

export async function migrationStatus(
  client: pg.ClientBase | pg.Pool,
  dir = migrationsDir,
): Promise<MigrationStatus> {
  const connection = client instanceof pg.Pool ? await client.connect() : client
  try {
    return compare(readMigrationFiles(dir), await readApplied(connection))
  } finally {
    if (client instanceof pg.Pool) (connection as pg.PoolClient).release()
  }
}

export interface MigrateResult {
  applied: string[]
}

/** A readiness check of the schema: current, or what is pending or was edited after it ran. */
export function schemaCheck(status: MigrationStatus): { ok: boolean; detail?: string } {
  if (status.pending.length === 0 && status.changed.length === 0) return { ok: true }
  return {
    ok: false,
    detail: [
      status.pending.length > 0 ? `pending: ${status.pending.join(', ')}` : '',
      status.changed.length > 0 ? `edited after being applied: ${status.changed.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  }
}

/** Applies pending migrations. Uses its own connection: the advisory lock is per session. */
export async function migrate(
  connectionString: string,
  options: { dir?: string; log?: (message: string, fields?: Record<string, unknown>) => void } = {},
): Promise<MigrateResult> {
  const dir = options.dir ?? migrationsDir
  const log = options.log ?? (() => {})
  const files = readMigrationFiles(dir)
  const client = new pg.Client({ connectionString, application_name: 'decision-markets-migrate' })
  await client.connect()
  const appliedNow: string[] = []
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()])
    await client.query(ENSURE_TABLE)
    const status = compare(files, await readApplied(client))
    if (status.changed.length > 0) {
      throw new MigrationError(
        `Applied migrations were edited afterwards: ${status.changed.join(', ')}. ` +
          'Migrations are append-only: restore the applied file and add a new migration instead.',
      )
    }
    for (const file of files.filter((f) => status.pending.includes(f.file))) {
      log('applying migration', { migration: file.file })
      try {
        await client.query('begin')
        await client.query(file.sql)
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements, checksum) values ($1, $2, $3, $4)',
          [file.version, file.name, [file.sql], file.checksum],
        )
        await client.query('commit')
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw new MigrationError(`Migration ${file.file} failed: ${(error as Error).message}`, {
          cause: error,
        })
      }
      appliedNow.push(file.file)
    }
    return { applied: appliedNow }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => {})
    await client.end()
  }
}
