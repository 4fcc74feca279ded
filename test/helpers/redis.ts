/**
 * A Redis server of the test's own (the real binary, on a free port, nothing saved), so a test
 * may stop it or make it slow without touching anyone else's. Absent binary: the caller skips
 * with a visible reason, unless DM_REQUIRE_TOOLS=1 (CI), where the absence is a failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from './net.js'

export function redisServerPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/** Whether the Redis tests can run; throws under DM_REQUIRE_TOOLS=1 when they cannot. */
export function redisAvailable(): boolean {
  if (redisServerPath()) return true
  if (process.env.DM_REQUIRE_TOOLS === '1') throw new Error('redis-server is required (DM_REQUIRE_TOOLS=1)')
  console.warn('redis-server not found: skipping the tests that start their own Redis')
  return false
}

export interface OwnRedis {
  port: number
  url: string
  process: ChildProcess
  /** Stops the server by its pid (SIGKILL: as if it died) and waits for it to be gone. */
  kill(): Promise<void>
  /** Blocks the server for `ms` (DEBUG SLEEP), from a connection of its own. */
  sleep(ms: number): Promise<void>
}

export async function startRedis(port?: number): Promise<OwnRedis> {
  const binary = redisServerPath()
  if (!binary) throw new Error('redis-server not found')
  const chosen = port ?? (await freePort())
  const child = spawn(
    binary,
    [
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--enable-debug-command',
      'local',
    ],
    { stdio: 'ignore' },
  )
  const url = `redis://127.0.0.1:${chosen}`
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => undefined)
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      await probe.connect()
      await probe.ping()
      break
    } catch (error) {
      probe.disconnect()
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  probe.disconnect()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    port: chosen,
    url,
    process: child,
    async kill() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
      await exited
    },
    async sleep(ms) {
      const client = new Redis(url, { maxRetriesPerRequest: 0 })
      client.on('error', () => undefined)
      await client.call('DEBUG', 'SLEEP', String(ms / 1000)).finally(() => client.disconnect())
    },
  }
}
