import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/database.js'
import { systemClock } from '../../src/domain/clock.js'
import { buildApp } from '../../src/http/app.js'
import type { ApiContext } from '../../src/http/context.js'
import { createMemoryBus } from '../../src/infra/bus.js'
import { createLogger } from '../../src/infra/logger.js'
import { createMetrics } from '../../src/infra/metrics.js'
import { propagatingTracer } from '../../src/infra/tracing.js'
import { createTestApp, type TestApp, testConfig } from '../helpers/app.js'
import { createTestDatabase } from '../helpers/database.js'
import { freePort } from '../helpers/net.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function appOn(url: string) {
  const config = testConfig({ DATABASE_URL: url })
  const db = createDatabase({ connectionString: url, max: 2, statementTimeoutMs: 5_000 })
  // The queue and authenticator are not reached by these probes; the queue could not even
  // start against a database that is down, which is the point of one of these tests.
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by readiness')) })
  // The realtime transports subscribe to the identity's user changes when they are built.
  const identity = new Proxy({ onUserChanged: () => undefined } as Record<string, unknown>, {
    get: (target, name) =>
      typeof name === 'string' && name in target
        ? target[name]
        : () => Promise.reject(new Error('not used by readiness')),
  })
  const app = await buildApp({
    config,
    db,
    log: createLogger('silent'),
    clock: systemClock,
    queue: unused as ApiContext['queue'],
    auth: unused as ApiContext['auth'],
    identity: identity as unknown as ApiContext['identity'],
    secrets: unused as ApiContext['secrets'],
    store: unused as ApiContext['store'],
    readCache: unused as ApiContext['readCache'],
    evidence: unused as ApiContext['evidence'],
    bus: createMemoryBus(),
    metrics: createMetrics(),
    tracer: propagatingTracer,
  })
  return {
    app,
    close: async () => {
      await app.close()
      await db.close()
    },
  }
}

describe('health and readiness', () => {
  it('/healthz answers without touching the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('/readyz is ready when the database answers and migrations are current', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      status: 'ready',
      checks: {
        database: { ok: true },
        migrations: { ok: true },
        anchoring: { ok: true, detail: expect.stringMatching(/^lag \d+ s; 0 batch\(es\) not final/) },
      },
    })
  })

  it('/readyz is a 503 problem when the database cannot be reached', async () => {
    const port = await freePort() // nothing listens there
    const { app, close } = await appOn(`postgres://postgres@127.0.0.1:${port}/nothing`)
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' })
      expect(res.statusCode).toBe(503)
      expect(res.headers['content-type']).toContain('application/problem+json')
      const body = res.json()
      expect(body.code).toBe('not_ready')
      expect(body.checks.database.ok).toBe(false)
      // liveness is unaffected
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      await close()
    }
  })

  it('/readyz is a 503 problem when migrations are pending', async () => {
    const empty = await createTestDatabase({ template: false })
    const { app, close } = await appOn(empty.url)
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' })
      expect(res.statusCode).toBe(503)
      const body = res.json()
      expect(body.checks.database.ok).toBe(true)
      expect(body.checks.migrations.ok).toBe(false)
      expect(body.checks.migrations.detail).toContain('supabase_bootstrap')
    } finally {
      await close()
      await empty.drop()
    }
  })
})
