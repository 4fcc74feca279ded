/**
 * The container image without a Docker engine (none runs here or in CI): the Dockerfile is
 * linted (dockerfile-utils, the Dockerfile language server's linter) and held to the rules the
 * deployment relies on; then its runtime stage is laid out in a folder as its COPY instructions
 * say, and its ENTRYPOINT + CMD and its HEALTHCHECK run there as plain processes, with the
 * image's ENV, against a test database: `migrate` (the one-shot command compose and the
 * Kubernetes Job run), then `serve`.
 *
 * Not reproduced: the image build itself, `npm ci --omit=dev` (the folder links the project's
 * node_modules, dev dependencies included), the base image's Node (this one runs the tests').
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Copy } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot, variables } from '../../src/config/index.js'
import { TEST_ENCRYPTION_KEYS } from '../helpers/app.js'
import { type Served, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { readDockerfile } from '../helpers/dockerfile.js'
import { freePort } from '../helpers/net.js'

const dockerfile = readDockerfile()

describe('the Dockerfile', () => {
  it('passes the linter with no error or warning', () => {
    const problems = validate(dockerfile.text).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message} (severity ${d.severity})`,
    )
    expect(problems).toEqual([])
  })

  it('the linter is real: it reports a broken Dockerfile', () => {
    const problems = validate('FROM node\nEXPOSE port\nHEALTHCHECK --intervl=5s CMD ["x"]\n')
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('port'), expect.stringContaining('intervl')]),
    )
  })

  it('is multi-stage, every stage on a pinned base image', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of dockerfile.stages) {
      // A full version, never `latest` nor a bare major: node:24.9.0-bookworm-slim, or a digest.
      expect(stage.image).toMatch(/^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/)
    }
    const runtimeCopies = dockerfile.runtime.instructions.filter((i) => i instanceof Copy)
    expect(
      runtimeCopies.some((c) => (c as Copy).getFromFlag()?.getValue() === dockerfile.stages[0]?.name),
    ).toBe(true)
  })

  it('installs only production dependencies in the runtime stage', () => {
    const runs = dockerfile.runtime.instructions
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? '')
    expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true)
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r))).toBe(false)
  })

  it('runs as a non-root user, by number (runAsNonRoot can check it)', () => {
    expect(dockerfile.user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/)
  })

  it('has a HEALTHCHECK, no ADD of a URL and no secret in ENV', () => {
    expect(dockerfile.healthcheck.command.length).toBeGreaterThan(0)
    expect(dockerfile.healthcheck.flags).toMatchObject({
      interval: expect.any(String),
      timeout: expect.any(String),
    })
    const adds = dockerfile.stages.flatMap((s) => s.instructions).filter((i) => i.getKeyword() === 'ADD')
    expect(adds.filter((a) => /https?:\/\//.test(a.getArgumentsContent() ?? ''))).toEqual([])
    const secretNames = /PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL|REDIS_URL/
    expect(Object.keys(dockerfile.env).filter((name) => secretNames.test(name))).toEqual([])
    // Every ENV the image sets is one the service reads (or Node's own).
    const known = new Set([...Object.keys(variables), 'NODE_ENV'])
    expect(Object.keys(dockerfile.env).filter((name) => !known.has(name))).toEqual([])
  })

  it('sets the container defaults: all interfaces, metrics on, no embedded PostgreSQL', () => {
    expect(dockerfile.env).toMatchObject({
      HOST: '0.0.0.0',
      METRICS_HOST: '0.0.0.0',
      EMBEDDED_PG: 'false',
      NODE_ENV: 'production',
    })
    expect(dockerfile.env.METRICS_PORT).toMatch(/^\d+$/)
    expect(dockerfile.entrypoint).toEqual(['node', 'dist/start/cli.js'])
    expect(dockerfile.cmd).toEqual(['serve'])
  })

  it('.dockerignore lets in exactly what the Dockerfile copies from the context', () => {
    const ignore = readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
    expect(ignore[0]).toBe('*')
    const allowed = ignore
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''))
    const sources = contextSources()
    expect(new Set(allowed)).toEqual(new Set(sources))
  })
})

/** What the Dockerfile's COPY instructions take from the build context, in any stage. */
function contextSources(): string[] {
  const sources = new Set<string>()
  for (const stage of dockerfile.stages) {
    for (const copy of stage.instructions) {
      if (!(copy instanceof Copy) || copy.getFromFlag()) continue
      const args = copy.getArguments().map((a) => a.getValue())
      for (const source of args.slice(0, -1)) sources.add(source.replace(/\/$/, ''))
    }
  }
  return [...sources]
}

/**
 * The runtime stage's file system under `root`: files from the context copied, the build
 * stage's output (its WORKDIR) taken from this checkout's dist/, node_modules linked.
 */
function layOutRuntimeStage(root: string): void {
  const buildStage = dockerfile.stages[0]
  const buildWorkdir = buildStage?.instructions.findLast((i) => i.getKeyword() === 'WORKDIR')
  const buildRoot = buildWorkdir?.getArgumentsContent() ?? '/'
  for (const copy of dockerfile.runtime.instructions) {
    if (!(copy instanceof Copy)) continue
    const args = copy.getArguments().map((a) => a.getValue())
    const destination = path.join(root, args.at(-1) as string)
    const fromStage = copy.getFromFlag()?.getValue()
    for (const source of args.slice(0, -1)) {
      const from =
        fromStage === undefined
          ? path.join(projectRoot, source)
          : path.join(projectRoot, path.relative(buildRoot, source))
      const target = destination.endsWith('/') ? path.join(destination, path.basename(source)) : destination
      cpSync(from, target, { recursive: true })
    }
  }
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'))
}

describe("the image's entrypoint as a plain process", () => {
  let app: string
  let database: TestDatabase
  const children: ChildProcess[] = []

  beforeAll(async () => {
    // The runtime stage copies the build stage's dist/: build it as `npm start` does (nothing
    // to do when dist/ is current).
    const build = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/build-if-changed.mjs')], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 180_000,
    })
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`)
    app = mkdtempSync(path.join(tmpdir(), 'dm-image-'))
    layOutRuntimeStage(app)
    database = await createTestDatabase()
  }, 240_000)

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await database?.drop()
    if (app) rmSync(app, { recursive: true, force: true })
  })

  /** The container's environment: the image's ENV, then what compose or Kubernetes sets. */
  function containerEnv(extra: Record<string, string>): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...dockerfile.env, ...extra }
  }

  /** `docker run image [args]`: ENTRYPOINT followed by CMD or the given arguments. */
  function run(env: Record<string, string>, args = dockerfile.cmd): Served {
    const [command, ...entryArgs] = dockerfile.entrypoint
    expect(command).toBe('node')
    const child = spawn(process.execPath, [...entryArgs, ...args], {
      cwd: app,
      env: containerEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    child.stdout?.on('data', (chunk) => {
      output += chunk
    })
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    return { child, output: () => output, exited }
  }

  function healthcheck(env: Record<string, string>) {
    const [command, ...args] = dockerfile.healthcheck.command
    expect(command).toBe('node')
    return spawnSync(process.execPath, args, {
      cwd: app,
      env: containerEnv(env),
      encoding: 'utf8',
      timeout: 20_000,
    })
  }

  it('refuses to start without DATABASE_URL, naming it, instead of an embedded database', async () => {
    const served = run({ ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS })
    expect(await served.exited).toBe(1)
    expect(served.output()).toContain('DATABASE_URL must be set when EMBEDDED_PG is false')
  })

  it('migrate, then serve: /healthz and /readyz answer, metrics are served, the HEALTHCHECK passes', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()]
    const env = {
      DATABASE_URL: database.url,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
    }
    const migrate = run(env, ['migrate'])
    expect(await migrate.exited, migrate.output()).toBe(0)

    const served = run(env)
    const base = `http://127.0.0.1:${port}`
    // Ready in a few seconds on an idle machine; far longer on a loaded CI one.
    await waitFor(`${base}/healthz`, served, 150_000)
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true } },
    })
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('dm_process_cpu_seconds_total')

    const healthy = healthcheck(env)
    expect(healthy.status, healthy.stderr).toBe(0)
    expect(healthy.stdout).toContain(`127.0.0.1:${port}/healthz answered 200`)

    served.child.kill('SIGTERM')
    expect(await served.exited).toBe(0)
    const down = healthcheck(env)
    expect(down.status).toBe(1)
    expect(down.stderr).toContain('healthcheck failed')
  }, 240_000)

  it("a worker's HEALTHCHECK asks its admin port", async () => {
    const metricsPort = await freePort()
    const env = {
      DATABASE_URL: database.url,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      PROCESS_ROLE: 'worker',
      METRICS_PORT: String(metricsPort),
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
    }
    const worker = run(env)
    await waitFor(`http://127.0.0.1:${metricsPort}/metrics`, worker, 150_000)
    const healthy = healthcheck(env)
    expect(healthy.status, healthy.stderr).toBe(0)
    expect(healthy.stdout).toContain(`127.0.0.1:${metricsPort}/healthz answered 200`)
    worker.child.kill('SIGTERM')
    expect(await worker.exited).toBe(0)
  }, 180_000)
})
