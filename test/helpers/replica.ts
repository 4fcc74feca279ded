/**
 * A real streaming replica for tests: a primary of the test's own (initdb) and a standby cloned
 * from it with pg_basebackup, in a temp folder, on free loopback ports. The machine's cluster
 * allows no replication connections, hence a pair of our own; Debian's PostgreSQL 15 binaries
 * (package postgresql-15) are what is installed beside it. As root, every binary runs as the
 * `postgres` OS user (PostgreSQL refuses to run as root), which owns the folder.
 */
import { execFile, execFileSync } from 'node:child_process'
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from './net.js'
import { reportMissing } from './tools.js'

export const PG_BIN = process.env.DM_REPLICA_PG_BIN ?? '/usr/lib/postgresql/15/bin'
const BINARIES = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres']

/**
 * Whether the binaries are here. Missing, it registers a skipped test that says so, or under
 * DM_REQUIRE_TOOLS=1 a failing one (test/helpers/tools.ts).
 */
export function haveReplicaBinaries(): boolean {
  const missing = BINARIES.filter((name) => {
    try {
      accessSync(path.join(PG_BIN, name), constants.X_OK)
      return false
    } catch {
      return true
    }
  })
  if (missing.length === 0) return true
  reportMissing(
    `needs ${missing.join(', ')} in ${PG_BIN} (apt-get install postgresql-15, or set DM_REPLICA_PG_BIN)`,
  )
  return false
}

const asRoot = process.getuid?.() === 0

const execFileAsync = promisify(execFile)

/** Runs a PostgreSQL binary (as `postgres` when we are root); rejects with its output on failure. */
async function run(binary: string, args: string[]): Promise<string> {
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, binary), ...args]]
    : [path.join(PG_BIN, binary), args]
  try {
    // pg_ctl start hands the server's output to its -l log file, so its own pipes close when it exits.
    const { stdout, stderr } = await execFileAsync(command as string, argv as string[], { encoding: 'utf8' })
    return stdout + stderr
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${binary} ${args.join(' ')} failed: ${stdout}${stderr}`, { cause: error })
  }
}

export interface ReplicaPair {
  /** Superuser URLs, database `postgres`. */
  primaryUrl: string
  replicaUrl: string
  /** One query on the replica (a short-lived connection). */
  onReplica<Row extends pg.QueryResultRow>(text: string): Promise<Row[]>
  /** Stops replaying WAL (it is still received): the replica falls behind the primary. */
  pauseReplay(): Promise<void>
  resumeReplay(): Promise<void>
  /** Until the replica has replayed everything the primary had written when asked. */
  caughtUp(): Promise<void>
  stopReplica(): Promise<void>
  startReplica(): Promise<void>
  /** Stops both servers (those still running) and removes the folder. */
  stop(): Promise<void>
}

async function query<Row extends pg.QueryResultRow>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<Row>(text)).rows
  } finally {
    await client.end()
  }
}

// Test servers: nothing here must survive a crash, so no fsync; small, so they start fast.
const COMMON_CONF = `
listen_addresses = '127.0.0.1'
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
log_min_messages = warning
`

export async function startReplicaPair(): Promise<ReplicaPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-replica-'))
  if (asRoot) chownSync(dir, idOf('-u'), idOf('-g'))
  const primaryDir = path.join(dir, 'primary')
  const replicaDir = path.join(dir, 'replica')
  const [primaryPort, replicaPort] = [await freePort(), await freePort()]
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`
  const running = new Set<string>()
  const pgCtl = async (dataDir: string, action: 'start' | 'stop') => {
    const args = ['-D', dataDir, '-w', '-t', '30']
    if (action === 'start') args.push('-l', path.join(dir, `${path.basename(dataDir)}.log`), 'start')
    else args.push('-m', 'fast', 'stop')
    await run('pg_ctl', args)
    if (action === 'start') running.add(dataDir)
    else running.delete(dataDir)
  }
  const stopAll = async () => {
    for (const dataDir of [...running]) await pgCtl(dataDir, 'stop').catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    // initdb's default pg_hba.conf trusts local and loopback connections, replication included.
    await run('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
    await appendFile(
      path.join(primaryDir, 'postgresql.conf'),
      `${COMMON_CONF}port = ${primaryPort}\nunix_socket_directories = '${dir}'\nwal_level = replica\nmax_wal_senders = 4\n`,
    )
    await pgCtl(primaryDir, 'start')
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
    await run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ])
    // The later settings win: the copied postgresql.conf names the primary's port.
    await appendFile(path.join(replicaDir, 'postgresql.conf'), `port = ${replicaPort}\nhot_standby = on\n`)
    await pgCtl(replicaDir, 'start')
  } catch (error) {
    await stopAll()
    throw error
  }

  const pair: ReplicaPair = {
    primaryUrl,
    replicaUrl,
    onReplica: (text) => query(replicaUrl, text),
    async pauseReplay() {
      await query(replicaUrl, 'select pg_wal_replay_pause()')
      // Paused once the state says so (a record being replayed finishes first).
      for (let i = 0; i < 500; i++) {
        const [row] = await query<{ state: string }>(
          replicaUrl,
          'select pg_get_wal_replay_pause_state() as state',
        )
        if (row?.state === 'paused') return
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      throw new Error('replay did not pause')
    },
    async resumeReplay() {
      await query(replicaUrl, 'select pg_wal_replay_resume()')
    },
    async caughtUp() {
      const [target] = await query<{ lsn: string }>(primaryUrl, 'select pg_current_wal_lsn()::text as lsn')
      for (let i = 0; i < 1000; i++) {
        const [row] = await query<{ ok: boolean }>(
          replicaUrl,
          `select pg_last_wal_replay_lsn() >= '${target?.lsn}'::pg_lsn as ok`,
        )
        if (row?.ok) return
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      throw new Error('the replica did not catch up')
    },
    stopReplica: () => pgCtl(replicaDir, 'stop'),
    startReplica: () => pgCtl(replicaDir, 'start'),
    stop: stopAll,
  }
  await pair.caughtUp()
  return pair
}

/** The `postgres` OS user's uid or gid (`id` is in coreutils; read once at set-up). */
function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
}
