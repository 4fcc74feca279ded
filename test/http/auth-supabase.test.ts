/**
 * Supabase mode (SUPABASE_URL set): access tokens are verified with the project's JWKS, served
 * here by a real HTTP server on a local port with keys jose generates, as Supabase would serve
 * it. The accepted algorithms come from configuration; issuer, audience and expiry are checked;
 * HS256 only with the legacy secret; the local /auth/v1 is off.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  base64url,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { freePort } from '../helpers/net.js'

const HS_SECRET = 'a-legacy-supabase-jwt-secret-of-at-least-32-chars'

type Alg = 'ES256' | 'RS256' | 'EdDSA'
const keys: Partial<Record<Alg, { kid: string; privateKey: CryptoKey; publicJwk: JWK }>> = {}
let server: Server
let jwksRequests = 0
/** What the JWKS endpoint answers: 200 with the keys, or this status (an outage). */
let jwksStatus = 200
let supabaseUrl: string
let t: TestApp
let noSecret: TestApp

beforeAll(async () => {
  for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true })
    const kid = randomUUID()
    keys[alg] = {
      kid,
      privateKey: pair.privateKey,
      publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' },
    }
  }
  server = createServer((req, res) => {
    if (req.url === '/auth/v1/.well-known/jwks.json') {
      jwksRequests++
      if (jwksStatus !== 200) {
        res.writeHead(jwksStatus, { 'content-type': 'application/json' })
        res.end('{"message":"upstream error"}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: Object.values(keys).map((k) => k.publicJwk) }))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  supabaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  t = await createTestApp({ env: { SUPABASE_URL: supabaseUrl, SUPABASE_JWT_SECRET: HS_SECRET } })
  noSecret = await createTestApp({ env: { SUPABASE_URL: supabaseUrl } })
})

afterAll(async () => {
  await t?.close()
  await noSecret?.close()
  await new Promise((resolve) => server.close(resolve))
})

/** A user as Supabase Auth would have created it, in the same database. */
async function supabaseUser(app: TestApp, email = `sb-${randomUUID().slice(0, 8)}@example.test`) {
  const id = randomUUID()
  await app.ctx.db.pool.query(
    `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ($1, 'authenticated', 'authenticated', $2, '{"provider":"email"}', '{}', now(), now())`,
    [id, email],
  )
  return { id, email }
}

function claimsFor(userId: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return {
    iss: `${supabaseUrl}/auth/v1`,
    aud: 'authenticated',
    sub: userId,
    role: 'authenticated',
    iat: now,
    exp: now + 3600,
    session_id: randomUUID(),
    app_metadata: { provider: 'email' },
    ...extra,
  }
}

async function signed(alg: Alg, claims: Record<string, unknown>) {
  const key = keys[alg]!
  return new SignJWT(claims).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
}

async function hs256(claims: Record<string, unknown>, secret = HS_SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret))
}

function me(app: TestApp, token: string) {
  return app.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } })
}

describe('Supabase mode', () => {
  it('accepts ES256 and RS256 tokens from the JWKS, creating the profile on the first request', async () => {
    const user = await supabaseUser(t, 'Linus.T@example.test')
    const first = await me(t, await signed('ES256', claimsFor(user.id)))
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ id: user.id, username: 'linus_t', role: 'user' })
    const again = await me(t, await signed('RS256', claimsFor(user.id)))
    expect(again.statusCode).toBe(200)
    expect(again.json().username).toBe('linus_t')
  })

  it('fetches the key set once and caches it', async () => {
    const before = jwksRequests
    const user = await supabaseUser(t)
    for (let i = 0; i < 3; i++)
      expect((await me(t, await signed('ES256', claimsFor(user.id)))).statusCode).toBe(200)
    expect(jwksRequests - before).toBeLessThanOrEqual(0)
    expect(jwksRequests).toBe(1)
  })

  it("app_metadata.role = 'admin' makes an admin", async () => {
    const user = await supabaseUser(t)
    const res = await me(t, await signed('ES256', claimsFor(user.id, { app_metadata: { role: 'admin' } })))
    expect(res.json().role).toBe('admin')
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/audit',
      headers: {
        authorization: `Bearer ${await signed('ES256', claimsFor(user.id, { app_metadata: { role: 'admin' } }))}`,
      },
    })
    expect(audit.statusCode).toBe(200)
  })

  it('accepts legacy HS256 only with the configured secret', async () => {
    const user = await supabaseUser(t)
    expect((await me(t, await hs256(claimsFor(user.id)))).statusCode).toBe(200)
    expect(
      (await me(t, await hs256(claimsFor(user.id), 'another-secret-that-is-long-enough-too'))).statusCode,
    ).toBe(401)
    const elsewhere = await supabaseUser(noSecret)
    const res = await me(noSecret, await hs256(claimsFor(elsewhere.id)))
    expect(res.statusCode).toBe(401)
    expect(res.json().detail).toContain('algorithm')
  })

  it('an algorithm the configuration does not list is refused, though its key is in the JWKS', async () => {
    const user = await supabaseUser(t)
    const res = await me(t, await signed('EdDSA', claimsFor(user.id)))
    expect(res.statusCode).toBe(401)
    expect(res.json().detail).toContain('algorithm')
  })

  it.each([
    ['the local issuer', { iss: 'http://127.0.0.1:3000/auth/v1' }, 'iss'],
    ['another audience', { aud: 'anon' }, 'aud'],
    [
      'an expired token',
      { exp: Math.floor(Date.now() / 1000) - 10, iat: Math.floor(Date.now() / 1000) - 100 },
      'expired',
    ],
  ])('refuses %s', async (_name, extra, detail) => {
    const user = await supabaseUser(t)
    const res = await me(t, await signed('ES256', claimsFor(user.id, extra)))
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().detail).toContain(detail)
  })

  it('refuses alg none, HS256 signed with a public key of the JWKS, and a tampered payload', async () => {
    const user = await supabaseUser(t)
    const claims = claimsFor(user.id)
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`
    // Both apps: with the legacy secret (HS256 accepted, but only with that secret) and without.
    for (const app of [t, noSecret]) {
      const res = await me(app, none)
      expect(res.statusCode).toBe(401)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    const publicJwk = keys.ES256?.publicJwk as JWK
    const pem = await exportSPKI((await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey)
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid as string })
        .sign(new TextEncoder().encode(secret))
      for (const app of [t, noSecret]) expect((await me(app, forged)).statusCode).toBe(401)
    }
    const [h, , sig] = (await signed('ES256', claims)).split('.')
    const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, app_metadata: { role: 'admin' } }))}.${sig}`
    const res = await me(t, tampered)
    expect(res.statusCode).toBe(401)
    expect(res.json().detail).toContain('signature')
  })

  it('refuses a key id the JWKS does not have, and a user Supabase does not know', async () => {
    const user = await supabaseUser(t)
    const { privateKey } = await generateKeyPair('ES256')
    const stranger = await new SignJWT(claimsFor(user.id))
      .setProtectedHeader({ alg: 'ES256', kid: randomUUID() })
      .sign(privateKey)
    expect((await me(t, stranger)).statusCode).toBe(401)
    expect((await me(t, await signed('ES256', claimsFor(randomUUID())))).statusCode).toBe(401)
  })

  it('a valid token with role anon is anonymous, not a user', async () => {
    const anon = await signed('ES256', { ...claimsFor(randomUUID()), role: 'anon' })
    expect((await me(t, anon)).statusCode).toBe(401)
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/users/nobody_here',
      headers: { authorization: `Bearer ${anon}` },
    })
    // Not a 401: the anon key names no user, and anyone may look up a profile.
    expect(res.statusCode).toBe(404)
  })

  it('turns the local /auth/v1 off', async () => {
    for (const url of ['/auth/v1/signup', '/auth/v1/token?grant_type=password']) {
      const res = await t.app.inject({ method: 'POST', url, payload: { email: 'a@b.test', password: 'x' } })
      expect(res.statusCode).toBe(404)
    }
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/.well-known/jwks.json' })).statusCode).toBe(
      404,
    )
  })

  it('a JWKS endpoint answering 500 is a 503 with Retry-After; a key set fetched before keeps verifying', async () => {
    const fresh = await createTestApp({ env: { SUPABASE_URL: supabaseUrl } })
    const warm = await createTestApp({ env: { SUPABASE_URL: supabaseUrl } })
    try {
      const user = await supabaseUser(fresh)
      await warm.ctx.db.pool.query(
        `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
         values ($1, 'authenticated', 'authenticated', $2, '{"provider":"email"}', '{}', now(), now())`,
        [user.id, user.email],
      )
      const token = await signed('ES256', claimsFor(user.id))
      expect((await me(warm, token)).statusCode).toBe(200) // fetches and caches the key set

      jwksStatus = 500
      const cold = await me(fresh, token)
      expect(cold.statusCode).toBe(503)
      expect(cold.json().code).toBe('auth_unavailable')
      expect(Number(cold.headers['retry-after'])).toBeGreaterThan(0)

      // Eleven minutes on, the cache is stale and the refetch fails: the last keys still verify,
      // and the endpoint is not asked again on every request.
      const realNow = Date.now()
      const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow + 11 * 60_000)
      try {
        const before = jwksRequests
        for (let i = 0; i < 3; i++) expect((await me(warm, token)).statusCode).toBe(200)
        expect(jwksRequests - before).toBe(1)
        // A bad signature is still a 401, outage or not.
        const [h, p, sig] = token.split('.') as [string, string, string]
        const forged = `${h}.${p}.${sig.slice(0, -4)}AAAA`
        expect((await me(warm, forged)).statusCode).toBe(401)
      } finally {
        clock.mockRestore()
      }
    } finally {
      jwksStatus = 200
      await fresh.close()
      await warm.close()
    }
  })

  it('a JWKS that cannot be fetched is a 503, not a 500', async () => {
    const down = await createTestApp({ env: { SUPABASE_URL: `http://127.0.0.1:${await freePort()}` } })
    try {
      const user = await supabaseUser(down)
      const res = await me(down, await signed('ES256', claimsFor(user.id)))
      expect(res.statusCode).toBe(503)
      expect(res.json().code).toBe('auth_unavailable')
      expect(res.headers['retry-after']).toBeDefined()
    } finally {
      await down.close()
    }
  })
})
