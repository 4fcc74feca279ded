/**
 * The principal cache: a cached credential skips verification and the database, the cache is
 * bounded, and a revocation, suspension, sign-out or role change made by one process (or by
 * plain SQL) is refused at once by another process that has the credential cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, type Query } from '../../src/db/database.js'
import { systemClock } from '../../src/domain/clock.js'
import { buildApp } from '../../src/http/app.js'
import type { ApiContext } from '../../src/http/context.js'
import { createLogger } from '../../src/infra/logger.js'
import { startJobQueue } from '../../src/infra/queue.js'
import { createAuthCache } from '../../src/services/identity/auth-cache.js'
import { createAuthenticator } from '../../src/services/identity/authenticator.js'
import { grantRole, revokeRole } from '../../src/services/identity/roles.js'
import type { AccessClaims, TokenVerifier } from '../../src/services/identity/tokens.js'
import { createAppContext } from '../../src/start/context.js'
import { createTestApp, type TestApp, testConfig } from '../helpers/app.js'
import { createTestApiKey, createTestUser } from '../helpers/users.js'

const V2024 = { 'x-supabase-api-version': '2024-01-01' }

/** A second API process on the same database as `t` (the helper makes a new database each time). */
async function secondProcess(t: TestApp) {
  const config = testConfig({ DATABASE_URL: t.database.url })
  const log = createLogger(config.LOG_LEVEL)
  const db = createDatabase({ connectionString: t.database.url, max: 3, statementTimeoutMs: 10_000 })
  const queue = await startJobQueue({ connectionString: t.database.url, log, supervise: false })
  const ctx: ApiContext = await createAppContext({ config, db, log, clock: systemClock, queue })
  const app = await buildApp(ctx)
  await app.ready()
  return {
    app,
    ctx,
    async close() {
      await app.close()
      await ctx.store.close()
      await ctx.identity.close()
      await ctx.readCache.close()
      await queue.stop(0)
      await db.close()
    },
  }
}

let a: TestApp
let b: Awaited<ReturnType<typeof secondProcess>>

beforeAll(async () => {
  a = await createTestApp()
  b = await secondProcess(a)
})
afterAll(async () => {
  await b?.close()
  await a?.close()
})

const me = (app: { inject: TestApp['app']['inject'] }, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/v1/me', headers })

/** Both processes have the credential cached (two requests each). */
async function warm(headers: Record<string, string>) {
  for (const app of [a.app, b.app, a.app, b.app]) expect((await me(app, headers)).statusCode).toBe(200)
}

describe('two processes on one database', () => {
  it('an API key revoked in one process is refused at once by the other', async () => {
    const user = await createTestUser(a)
    const key = await createTestApiKey(a, user, ['read'])
    await warm(key.headers)
    const size = b.ctx.identity.cache?.size ?? 0
    expect(size).toBeGreaterThan(0)
    const revoked = await a.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: user.headers,
    })
    expect(revoked.statusCode).toBe(204)
    const refused = await me(b.app, key.headers)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().detail).toMatch(/revoked/)
  })

  it('a suspension by plain SQL ends both the tokens and the keys cached by every process; lifting it restores them', async () => {
    const user = await createTestUser(a)
    const key = await createTestApiKey(a, user, ['read'])
    await warm(user.headers)
    await warm(key.headers)
    await a.ctx.db.pool.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
      user.userId,
    ])
    for (const app of [b.app, a.app]) {
      expect((await me(app, user.headers)).statusCode).toBe(401)
      expect((await me(app, key.headers)).statusCode).toBe(401)
    }
    await a.ctx.db.pool.query('update auth.users set banned_until = null where id = $1', [user.userId])
    expect((await me(b.app, user.headers)).statusCode).toBe(200)
    expect((await me(b.app, key.headers)).statusCode).toBe(200)
  })

  it('a role granted or revoked by one process changes the role the other serves at once', async () => {
    const user = await createTestUser(a)
    await warm(user.headers)
    expect((await me(b.app, user.headers)).json().role).toBe('user')
    await grantRole(a.ctx.db, { user: user.userId, role: 'admin', actor: { kind: 'cli' } }, new Date())
    expect((await me(b.app, user.headers)).json().role).toBe('admin')
    expect((await me(b.app, user.headers)).json().role).toBe('admin')
    await revokeRole(a.ctx.db, { user: user.userId, role: 'admin', actor: { kind: 'cli' } }, new Date())
    expect((await me(b.app, user.headers)).json().role).toBe('user')
  })

  it('a sign-out in one process ends the session in the other at once', async () => {
    const user = await createTestUser(a)
    await warm(user.headers)
    const out = await a.app.inject({
      method: 'POST',
      url: '/auth/v1/logout',
      headers: { ...V2024, ...user.headers },
    })
    expect(out.statusCode).toBe(204)
    const refused = await me(b.app, user.headers)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().detail).toMatch(/signed out/)
  })

  it('a change rolled back invalidates nothing', async () => {
    const user = await createTestUser(a)
    await warm(user.headers)
    const cache = b.ctx.identity.cache
    if (!cache) throw new Error('the cache is on by default')
    const generation = cache.generation
    const client = await a.ctx.db.pool.connect()
    try {
      await client.query('begin')
      await client.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
        user.userId,
      ])
      await client.query('rollback')
    } finally {
      client.release()
    }
    expect((await me(b.app, user.headers)).statusCode).toBe(200)
    expect(cache.generation).toBe(generation)
  })

  it('a lost LISTEN connection turns the cache off until it is back', async () => {
    const user = await createTestUser(a)
    await warm(user.headers)
    const cache = b.ctx.identity.cache
    if (!cache) throw new Error('the cache is on by default')
    // Both processes' listeners: killing them loses whatever is notified until they reconnect.
    await a.ctx.db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'decision-markets-listener' and datname = current_database()`,
    )
    await expect.poll(() => cache.enabled, { timeout: 2_000, interval: 5 }).toBe(false)
    expect(cache.size).toBe(0)
    // Meanwhile every request asks the database, and is right.
    expect((await me(b.app, user.headers)).statusCode).toBe(200)
    await expect.poll(() => cache.enabled, { timeout: 5_000, interval: 20 }).toBe(true)
    await warm(user.headers)
    await a.ctx.db.pool.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
      user.userId,
    ])
    expect((await me(b.app, user.headers)).statusCode).toBe(401)
  })
})

describe('the cache itself', () => {
  function claimsOf(token: string): AccessClaims {
    return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as AccessClaims
  }

  /** An authenticator over `a`'s database counting verifications and user-state queries. */
  function counted(maxEntries = 10_000) {
    const counts = { verified: 0, queries: 0 }
    const verifier: TokenVerifier = {
      async verify(token) {
        counts.verified++
        return claimsOf(token)
      },
    }
    const db = new Proxy(a.ctx.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (prop !== 'maybeOne' || typeof value !== 'function') return value
        return (query: Query<unknown>, params?: unknown[]) => {
          counts.queries++
          return value.call(target, query, params)
        }
      },
    }) as Database
    const cache = createAuthCache({ maxEntries, barrier: async () => undefined })
    const auth = createAuthenticator({
      db,
      clock: systemClock,
      verifier,
      checkSessions: true,
      trustAppMetadataRole: false,
      cache,
    })
    return { auth, cache, counts }
  }

  it('a cached token is neither verified again nor looked up in the database', async () => {
    const user = await createTestUser(a)
    const { auth, counts } = counted()
    for (let i = 0; i < 5; i++) expect((await auth.authenticate(user.accessToken))?.userId).toBe(user.userId)
    expect(counts).toEqual({ verified: 1, queries: 1 })
  })

  it('a token is not served from the cache past its expiry', async () => {
    const user = await createTestUser(a)
    const claims = claimsOf(user.accessToken)
    const cache = createAuthCache({ barrier: async () => undefined })
    const exp = (claims.exp as number) * 1000
    cache.set(
      'token',
      { userId: user.userId, role: 'user', via: 'session', scopes: new Set() },
      0,
      exp - 1000,
      exp,
    )
    expect(cache.get('token', exp - 1)).toBeDefined()
    expect(cache.get('token', exp)).toBeUndefined()
  })

  it('is bounded: the least recently used entry goes first', async () => {
    const cache = createAuthCache({ maxEntries: 3, barrier: async () => undefined })
    const principal = (userId: string) => ({
      userId,
      role: 'user' as const,
      via: 'session' as const,
      scopes: new Set<never>(),
    })
    for (const name of ['a', 'b', 'c']) cache.set(name, principal(name), cache.generation, 0)
    expect(cache.get('a', 0)?.userId).toBe('a') // a is now the most recently used
    cache.set('d', principal('d'), cache.generation, 0)
    expect(cache.size).toBe(3)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(['a', 'c', 'd'].map((name) => cache.get(name, 0)?.userId)).toEqual(['a', 'c', 'd'])
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, principal(`u${i}`), cache.generation, 0)
    expect(cache.size).toBe(3)
    // Dropping a user forgets every credential of theirs.
    cache.set('x1', principal('x'), cache.generation, 0)
    cache.set('x2', principal('x'), cache.generation, 0)
    cache.dropUser('x')
    expect(cache.get('x1', 0)).toBeUndefined()
    expect(cache.get('x2', 0)).toBeUndefined()
  })

  it('an authenticator past the bound still answers, from the database', async () => {
    const user = await createTestUser(a)
    const keys = [await createTestApiKey(a, user, ['read']), await createTestApiKey(a, user, ['read'])]
    const { auth, cache, counts } = counted(1)
    for (let round = 0; round < 2; round++) {
      for (const key of keys) expect((await auth.authenticate(key.key))?.apiKeyId).toBe(key.id)
    }
    expect(cache.size).toBe(1)
    expect(counts.queries).toBeGreaterThanOrEqual(4)
  })

  it('an answer read before an invalidation is not cached after it', async () => {
    const user = await createTestUser(a)
    const cache = createAuthCache({ barrier: async () => undefined })
    const seen = cache.generation
    cache.dropUser(user.userId) // a revocation notified while the database was being asked
    cache.set('token', { userId: user.userId, role: 'user', via: 'session', scopes: new Set() }, seen, 0)
    expect(cache.get('token', 0)).toBeUndefined()
  })
})
