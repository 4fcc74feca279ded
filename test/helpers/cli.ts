/** The service as `npm start` runs it: the CLI in a child process, for end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { projectRoot } from '../../src/config/index.js'
import { TEST_ENCRYPTION_KEYS } from './app.js'

/**
 * Node's arguments that run the CLI as `npm start` does: from dist/, which the test run's global
 * setup has built from this source (test/global-setup.ts).
 */
export const CLI = [path.join(projectRoot, 'dist/start/cli.js')]

export interface Served {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** Starts `decision-markets serve` with these variables on top of this process's. */
export function serve(env: Record<string, string>): Served {
  let output = ''
  const child = spawn(process.execPath, [...CLI, 'serve'], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal gives `npm start`: Ctrl-C signals the group.
    detached: true,
  })
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Resolves with the first 2xx answer of `url`; fails if the service exits or time runs out. */
export async function waitFor(url: string, served: Served, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (served.child.exitCode !== null) throw new Error(`service exited early:\n${served.output()}`)
    try {
      const res = await fetch(url)
      if (res.ok) return res
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`service did not answer ${url} in ${timeoutMs} ms:\n${served.output()}`)
}

/**
 * What every served process of a test shares with its replicas: the database, the token issuer,
 * the secrets' key, a Redis key prefix of its own; cheap password hashing and no rate limits.
 */
export function servedTestEnv(databaseUrl: string, publicUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PUBLIC_URL: publicUrl,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    REDIS_KEY_PREFIX: `dm:test:${randomBytes(4).toString('hex')}:`,
    LOG_LEVEL: 'warn',
    AUTH_ARGON2_MEMORY_KIB: '1024',
    AUTH_ARGON2_TIME_COST: '1',
    RATE_LIMIT_IP_MAX: '0',
    RATE_LIMIT_USER_MAX: '0',
    RATE_LIMIT_AUTH_MAX: '0',
  }
}

/** `serve` puts the service in a process group of its own: signal all of it, as a supervisor does. */
export function killGroup(served: Served, signal: NodeJS.Signals): void {
  const pid = served.child.pid
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/** Cleanup after a test: SIGKILL to the groups of those still running, then wait for every exit. */
export async function killStarted(started: readonly Served[]): Promise<void> {
  for (const served of started) {
    if (served.child.exitCode === null && served.child.signalCode === null) killGroup(served, 'SIGKILL')
  }
  await Promise.all(started.map((served) => served.exited))
}
