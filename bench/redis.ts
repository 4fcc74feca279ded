/**
 * A Redis for a bench run: BENCH_REDIS_URL if set, else a redis-server of the bench's own on a
 * free port (no persistence) when the binary exists, else none (the caller says it skipped).
 */
import { execFileSync, spawn } from 'node:child_process'
import { freePort } from '../test/helpers/net.js'

function redisServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

export async function benchRedis(): Promise<{ url: string; stop: () => void } | undefined> {
  if (process.env.BENCH_REDIS_URL) return { url: process.env.BENCH_REDIS_URL, stop: () => undefined }
  const binary = redisServer()
  if (!binary) return undefined
  const port = await freePort()
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  await new Promise((r) => setTimeout(r, 500))
  return {
    url: `redis://127.0.0.1:${port}`,
    // Only the server this bench started, by its PID.
    stop: () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL')
    },
  }
}
