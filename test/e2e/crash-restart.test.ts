/**
 * The service as `npm start` runs it, killed with SIGKILL (as the OOM killer or a supervisor
 * after its grace period does): its embedded PostgreSQL runs in a process group of its own and
 * outlives it. The next start must stop that server and come back on the same data; a server
 * that a running service still uses, and an unrelated process on the port, get a clear error.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TEST_ENCRYPTION_KEYS } from '../helpers/app.js'
import { type Served, serve, waitFor } from '../helpers/cli.js'
import { freePort } from '../helpers/net.js'

/**
 * Alive and not a zombie: a server orphaned by the SIGKILL is reparented to PID 1, which in a
 * container may never reap it, so once stopped it can linger as a zombie that kill(pid, 0) still
 * finds.
 */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // The state follows the parenthesised command name: "123 (postgres) Z …".
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]
    return state !== 'Z' && state !== 'X'
  } catch {
    return true
  }
}

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const postmasterPid = (dataDir: string) =>
  Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])

describe('a start after the service was killed with SIGKILL', () => {
  const dataRoot = mkdtempSync(path.join(tmpdir(), 'dm-e2e-crash-'))
  // PostgreSQL runs as the postgres user when we are root: it must reach the data folder.
  chmodSync(dataRoot, 0o755)
  const dataDir = path.join(dataRoot, 'postgres')
  const started: Served[] = []
  afterAll(async () => {
    for (const served of started) if (served.child.exitCode === null) served.child.kill('SIGKILL')
    // Whatever a failed assertion left: the server on our own temporary data folder.
    if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
      const pid = postmasterPid(dataDir)
      if (alive(pid)) {
        process.kill(pid, 'SIGINT')
        await until(() => !alive(pid), 30_000).catch(() => {})
      }
    }
    rmSync(dataRoot, { recursive: true, force: true })
  })

  it('stops the server left running, starts again on the same data, and guards a server in use', async () => {
    const env = {
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      EMBEDDED_PG_DIR: dataDir,
    }
    const base = `http://127.0.0.1:${env.PORT}`
    const start = () => {
      const served = serve(env)
      started.push(served)
      return served
    }

    const first = start()
    await waitFor(`${base}/readyz`, first, 90_000)
    const credentials = { email: `crash-${Date.now()}@example.com`, password: 'a long enough password' }
    const signUp = await fetch(`${base}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    })
    expect(signUp.status).toBe(200)

    // A second service on the same data folder while the first runs: refused, the first unharmed.
    const intruder = start()
    expect(await intruder.exited).toBe(1)
    expect(intruder.output()).toContain('uses its PostgreSQL server')
    expect(intruder.output()).toContain('EMBEDDED_PG_DIR')
    expect((await fetch(`${base}/readyz`)).status).toBe(200)

    const orphan = postmasterPid(dataDir)
    first.child.kill('SIGKILL')
    await first.exited
    // SIGKILL cannot be caught: the server, in its own process group, outlives the service.
    expect(alive(orphan)).toBe(true)

    const second = start()
    const ready = await waitFor(`${base}/readyz`, second, 90_000)
    expect(ready.status).toBe(200)
    expect(second.output()).toContain('left running')
    expect(second.output()).toContain('"reused":true')
    expect(alive(orphan)).toBe(false)
    expect(postmasterPid(dataDir)).not.toBe(orphan)

    // The data written before the kill is there.
    const signIn = await fetch(`${base}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    })
    expect(signIn.status).toBe(200)
    expect(((await signIn.json()) as { user: { email: string } }).user.email).toBe(credentials.email)

    const restarted = postmasterPid(dataDir)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(alive(restarted)).toBe(false)
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false)
  }, 240_000)
})

describe('an unrelated process on the embedded port', () => {
  const dataRoot = mkdtempSync(path.join(tmpdir(), 'dm-e2e-port-'))
  chmodSync(dataRoot, 0o755)
  afterAll(() => rmSync(dataRoot, { recursive: true, force: true }))

  it('is left alone, and the start fails naming EMBEDDED_PG_PORT', async () => {
    const squatter = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const port = (squatter.address() as { port: number }).port
    try {
      const served = serve({
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(port),
        EMBEDDED_PG_DIR: path.join(dataRoot, 'postgres'),
      })
      expect(await served.exited).toBe(1)
      expect(served.output()).toContain(`127.0.0.1:${port} is taken by another process`)
      expect(served.output()).toContain('EMBEDDED_PG_PORT')
      expect(squatter.listening).toBe(true)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  }, 120_000)
})
