/**
 * Start time: how long `npm start` takes, with no code change since the last build, from the
 * command to the first `GET /readyz` 200 (database reachable, migrations current) — what a
 * restart or a rolling deploy waits for. Issue target: under 5 s.
 *
 * The data folder is a fresh embedded one of its own (a temporary EMBEDDED_PG_DIR on a free
 * EMBEDDED_PG_PORT, the API on a free PORT), so it runs beside `npm start` and the tests. The
 * first start (initdb, every migration) is timed apart; then `BENCH_RUNS` (default 7) second
 * starts, each stopped with SIGTERM before the next. For each, the time at which the service's
 * own log lines arrive shows where the seconds go: the build check, the embedded server up,
 * migrations current, listening, ready.
 *
 * Usage: npm run bench:start   (BENCH_RUNS=15 npm run bench:start)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../test/helpers/net.js'

const root = path.resolve(import.meta.dirname, '..')
const runs = Number(process.env.BENCH_RUNS ?? 7)
const timeoutMs = Number(process.env.BENCH_START_TIMEOUT_S ?? 60) * 1000

interface Run {
  readyMs: number
  /** CPU seconds (user + system) its processes had used when it was ready; -1 without /proc. */
  cpuS: number
  /** Milliseconds from the command to each milestone seen in the output. */
  marks: Record<string, number>
  stopMs: number
}

// Log lines (pino JSON or the build script's line) that mark a phase; the first match counts.
const MILESTONES: [string, RegExp][] = [
  ['build checked', /dist\/ is up to date|no build/],
  ['node up, config read', /starting embedded PostgreSQL/],
  ['postgres up', /"msg":"starting"/],
  ['migrations current', /migrations current/],
  ['listening', /"msg":"listening"/],
]

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * CPU time of a process group so far: every live process of it (npm, node, the embedded
 * postgres and its backends) plus what they reaped (the build check). On a machine shared with
 * other work the wall time moves with the load; the CPU time much less.
 */
function groupCpuSeconds(pgid: number): number {
  if (!existsSync('/proc/self/stat')) return -1
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // After "pid (comm) ": state ppid pgrp … utime(12) stime(13) cutime(14) cstime(15).
      if (Number(fields[2]) !== pgid) continue
      ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0)
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100 // USER_HZ, 100 on Linux
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

async function start(env: NodeJS.ProcessEnv, readyUrl: string): Promise<Run> {
  const t0 = performance.now()
  // Its own process group (detached), so SIGTERM reaches npm, sh and node together, and only them.
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const marks: Record<string, number> = {}
  let output = ''
  const watch = (chunk: Buffer) => {
    const text = chunk.toString()
    output += text
    for (const [mark, pattern] of MILESTONES) {
      if (marks[mark] === undefined && pattern.test(text)) marks[mark] = performance.now() - t0
    }
  }
  child.stdout?.on('data', watch)
  child.stderr?.on('data', watch)
  const stop = async () => {
    const s0 = performance.now()
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM')
    await exited(child)
    // npm may exit before the service has stopped its embedded server: wait for the whole group.
    while (child.pid && groupAlive(child.pid)) await new Promise((resolve) => setTimeout(resolve, 20))
    return performance.now() - s0
  }
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
      if (performance.now() - t0 > timeoutMs) throw new Error(`not ready in ${timeoutMs} ms:\n${output}`)
      if (await ready(readyUrl)) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } catch (error) {
    await stop()
    throw error
  }
  const readyMs = performance.now() - t0
  const cpuS = child.pid ? groupCpuSeconds(child.pid) : -1
  return { readyMs, cpuS, marks, stopMs: await stop() }
}

const format = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function main() {
  // "No code change": bring dist/ up to date once, outside the timings.
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-if-changed.mjs')], {
    cwd: root,
    stdio: 'inherit',
  })
  if (build.status !== 0) throw new Error('the build failed')

  // Not created here: as root, the embedded server runs as the postgres user and makes (and
  // owns) the folder itself; a 0700 folder of root's around it would lock it out.
  const dataDir = path.join(tmpdir(), `dm-bench-start-${randomBytes(4).toString('hex')}`)
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'info',
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'METRICS_PORT', 'STARKNET_RPC_URL']) delete env[name]
  const readyUrl = `http://127.0.0.1:${port}/readyz`
  try {
    const first = await start(env, readyUrl)
    process.stdout.write(`first start (initdb, all migrations): ready in ${format(first.readyMs)}\n`)
    const results: Run[] = []
    for (let i = 0; i < runs; i++) {
      const run = await start(env, readyUrl)
      results.push(run)
      const marks = Object.entries(run.marks)
        .sort((a, b) => a[1] - b[1])
        .map(([mark, ms]) => `${mark} ${format(ms)}`)
        .join(', ')
      process.stdout.write(
        `second start ${i + 1}: ready in ${format(run.readyMs)}, ${run.cpuS.toFixed(2)} CPU s (${marks}); ` +
          `stopped in ${format(run.stopMs)}\n`,
      )
    }
    const ready = results.map((r) => r.readyMs)
    process.stdout.write(
      `\nnpm start → /readyz 200, ${runs} second starts: median ${format(median(ready))}, ` +
        `min ${format(Math.min(...ready))}, max ${format(Math.max(...ready))} (target < 5 s); ` +
        `CPU median ${median(results.map((r) => r.cpuS)).toFixed(2)} s; load average ${loadavg()[0]?.toFixed(1)}\n`,
    )
    for (const [mark] of MILESTONES) {
      const seen = results.map((r) => r.marks[mark]).filter((ms): ms is number => ms !== undefined)
      if (seen.length > 0) process.stdout.write(`  ${mark}: median ${format(median(seen))}\n`)
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
