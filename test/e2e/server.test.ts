/**
 * End to end over real sockets: the service as `npm start` runs it (the CLI, on embedded
 * PostgreSQL, stopped by a signal and started again on the same data), and in-process
 * against the test database.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/config/index.js'
import { createLogger, loggerOptions } from '../../src/infra/logger.js'
import { startService } from '../../src/start/server.js'
import { TEST_ENCRYPTION_KEYS, testConfig } from '../helpers/app.js'
import { CLI, serve, waitFor } from '../helpers/cli.js'
import { createTestDatabase } from '../helpers/database.js'
import { freePort } from '../helpers/net.js'

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...CLI, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('the command line', () => {
  it('--version and --help', () => {
    const version = runCli(['--version'])
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const help = runCli(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('serve')
    expect(help.stdout).toContain('migrate')
    expect(help.stdout).toContain('DATABASE_URL')
  })

  it('a bad setting stops the start with the variable named', () => {
    const result = runCli(['serve'], { PORT: 'abc' })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('PORT must be an integer')
  })

  it('an unknown command fails', () => {
    const result = runCli(['launch'])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Unknown command 'launch'")
  })
})

describe('serve on embedded PostgreSQL', () => {
  const dataRoot = mkdtempSync(path.join(tmpdir(), 'dm-e2e-'))
  // PostgreSQL runs as the postgres user when we are root: it must reach the data folder.
  chmodSync(dataRoot, 0o755)
  afterAll(() => rmSync(dataRoot, { recursive: true, force: true }))

  it('starts, answers, stops on SIGTERM, and starts again on the same data', async () => {
    const env = {
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      EMBEDDED_PG_DIR: path.join(dataRoot, 'postgres'),
    }
    const base = `http://127.0.0.1:${env.PORT}`

    const first = serve(env)
    await waitFor(`${base}/healthz`, first)
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string }
    expect(document.openapi).toBe('3.1.0')
    expect((await fetch(`${base}/docs/`)).status).toBe(200)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    expect(first.output()).toContain('embedded PostgreSQL stopped')
    // The pool's connections were closed before the server stopped, not cut off by it.
    expect(first.output()).not.toContain('idle database connection failed')

    const second = serve(env)
    await waitFor(`${base}/readyz`, second)
    expect(second.output()).toContain('"reused":true')
    expect(second.output()).not.toContain('applying migration')

    // Ctrl-C signals the whole process group while a request waits in the database (readiness
    // reads the migrations table, locked here): the request is answered from the database,
    // which stops only after it.
    const password = readFileSync(path.join(dataRoot, 'postgres.password'), 'utf8').trim()
    const locker = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_PG_PORT}/decision_markets`,
    })
    await locker.connect()
    locker.on('error', () => {})
    await locker.query('begin')
    await locker.query('lock table supabase_migrations.schema_migrations in access exclusive mode')
    const inFlight = fetch(`${base}/readyz`)
    while (
      (
        await locker.query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        )
      ).rowCount === 0
    ) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    process.kill(-(second.child.pid as number), 'SIGINT')
    while (!second.output().includes('signal received')) await new Promise((resolve) => setImmediate(resolve))
    await locker.query('commit').finally(() => locker.end())
    expect((await inFlight).status).toBe(200)
    expect(await second.exited).toBe(0)
    expect(second.output()).toContain('embedded PostgreSQL stopped')
    expect(second.output()).not.toContain('idle database connection failed')
  }, 120_000)
})

describe('the embedded server of a script without signal handlers', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-e2e-script-'))
  chmodSync(dir, 0o755)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('stops with the script when a signal ends it', async () => {
    // The service's server runs in a process group of its own (so Ctrl-C cannot stop it before
    // the requests drain); a process that does not handle the signal must not leave it behind.
    const port = await freePort()
    const script = path.join(dir, 'script.mts')
    writeFileSync(
      script,
      `import { startEmbeddedPostgres } from ${JSON.stringify(path.join(projectRoot, 'src/infra/embedded-postgres.ts'))}
import { createLogger } from ${JSON.stringify(path.join(projectRoot, 'src/infra/logger.ts'))}
await startEmbeddedPostgres({ dataDir: ${JSON.stringify(path.join(dir, 'pg'))}, port: ${port}, log: createLogger('silent') })
process.stdout.write('READY\\n')
setInterval(() => {}, 60_000)
`,
    )
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk) => String(chunk).includes('READY') && resolve()),
    )
    const url = `postgres://postgres:${encodeURIComponent(readFileSync(path.join(dir, 'pg.password'), 'utf8').trim())}@127.0.0.1:${port}/postgres`
    const probe = new pg.Client({ connectionString: url })
    await probe.connect()
    probe.on('error', () => {})
    const serverGone = new Promise((resolve) => probe.on('end', () => resolve(undefined)))
    child.kill('SIGINT')
    expect(await exited).toBe('SIGINT')
    // The server ends the connection as it shuts down (or the test times out).
    await serverGone
    await expect(new pg.Client({ connectionString: url }).connect()).rejects.toThrow()
  }, 60_000)
})

describe('serve against DATABASE_URL', () => {
  it('serves over a real socket and drains on stop', async () => {
    const database = await createTestDatabase({ template: false })
    const config = testConfig({ DATABASE_URL: database.url, PORT: '0' })
    const service = await startService(config, createLogger('silent'))
    const locker = new pg.Client({ connectionString: database.url })
    await locker.connect()
    try {
      const base = service.address as string
      const health = await fetch(`${base}/healthz`)
      expect(health.status).toBe(200)
      expect(health.headers.get('x-request-id')).toBeTruthy()
      expect((await fetch(`${base}/readyz`)).status).toBe(200)
      const missing = await fetch(`${base}/v1/nothing`)
      expect(missing.status).toBe(404)
      expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')

      // A request held inside the database (readiness reads the migrations table, locked here)
      // is in flight when the stop begins.
      await locker.query('begin')
      await locker.query('lock table supabase_migrations.schema_migrations in access exclusive mode')
      const inFlight = fetch(`${base}/readyz`)
      while (
        (
          await locker.query(
            `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          )
        ).rowCount === 0
      ) {
        await new Promise((resolve) => setImmediate(resolve))
      }
      const stopped = service.stop()
      while (service.app?.server.listening) await new Promise((resolve) => setImmediate(resolve))
      // No new connection is accepted while it drains …
      await expect(fetch(`${base}/healthz`)).rejects.toThrow()
      // … the request in flight still gets its answer from the database, whose pool closes after.
      await locker.query('commit')
      const answer = await inFlight
      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({ status: 'ready' })
      await stopped
      await expect(service.ctx.db.ping()).rejects.toThrow()
    } finally {
      await locker.end()
      await service.stop()
      await database.drop()
    }
  })
})

describe('process roles', () => {
  function capturingLogger() {
    let text = ''
    const log = pino(loggerOptions('info'), {
      write: (line: string) => {
        text += line
      },
    })
    return { log, text: () => text }
  }

  it('worker works the job queues and serves no HTTP; api serves HTTP and works no jobs', async () => {
    const database = await createTestDatabase()
    const workerLog = capturingLogger()
    const worker = await startService(
      testConfig({ DATABASE_URL: database.url, PROCESS_ROLE: 'worker', LOG_LEVEL: 'info' }),
      workerLog.log,
    )
    const apiLog = capturingLogger()
    const api = await startService(
      testConfig({ DATABASE_URL: database.url, PROCESS_ROLE: 'api', PORT: '0', LOG_LEVEL: 'info' }),
      apiLog.log,
    )
    try {
      expect(worker.app).toBeUndefined()
      expect(worker.address).toBeUndefined()
      expect(workerLog.text()).toContain('"msg":"working queue"')
      expect(workerLog.text()).not.toContain('"msg":"listening"')

      expect((await fetch(`${api.address}/healthz`)).status).toBe(200)
      expect(apiLog.text()).toContain('"msg":"listening"')
      expect(apiLog.text()).not.toContain('"msg":"working queue"')
    } finally {
      await api.stop()
      await worker.stop()
      await database.drop()
    }
  })
})
