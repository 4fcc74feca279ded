/**
 * The local GoTrue-compatible auth through app.inject(): sign-up, password sign-in, rotating
 * refresh tokens (and what reuse does), the user, sign-out, the JWKS, GoTrue's error shapes,
 * and the tokens' claims.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadLocalKeys } from '../../src/services/identity/signing-keys.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestUser, TEST_PASSWORD } from '../helpers/users.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const V2024 = { 'x-supabase-api-version': '2024-01-01' }

function post(url: string, payload: unknown, headers: Record<string, string> = V2024) {
  return t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> })
}

describe('sign-up', () => {
  it('returns a session with the user, auto-confirmed, and creates the profile', async () => {
    const res = await post('/auth/v1/signup', {
      email: 'Ada@Example.test',
      password: TEST_PASSWORD,
      data: { display_name: 'Ada L.', username: 'ada' },
    })
    expect(res.statusCode).toBe(200)
    const session = res.json()
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600 })
    expect(typeof session.access_token).toBe('string')
    expect(typeof session.refresh_token).toBe('string')
    expect(session.expires_at).toBeGreaterThan(Date.now() / 1000)
    expect(session.user).toMatchObject({
      aud: 'authenticated',
      role: 'authenticated',
      email: 'ada@example.test',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { display_name: 'Ada L.', username: 'ada', email: 'ada@example.test' },
      is_anonymous: false,
    })
    expect(session.user.email_confirmed_at).toBeTruthy()

    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${session.access_token}` },
    })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      id: session.user.id,
      username: 'ada',
      display_name: 'Ada L.',
      role: 'user',
    })
  })

  it('access tokens carry the claims Supabase issues', async () => {
    const user = await createTestUser(t)
    const header = decodeProtectedHeader(user.accessToken)
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' })
    const claims = decodeJwt(user.accessToken)
    expect(claims).toMatchObject({
      iss: `${t.ctx.config.publicUrl}/auth/v1`,
      sub: user.userId,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email' },
    })
    expect(claims.exp! - claims.iat!).toBe(3600)
    expect(claims.session_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }])
    const jwks = await t.app.inject({ method: 'GET', url: '/auth/v1/.well-known/jwks.json' })
    expect(jwks.statusCode).toBe(200)
    const keys = jwks.json().keys
    expect(keys.find((k: { kid: string }) => k.kid === header.kid)).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
    })
    expect(keys.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true)
  })

  it.each([
    [{ email: 'not-an-email', password: TEST_PASSWORD }, 400, 'validation_failed'],
    [{ email: 'a@b.test' }, 422, 'validation_failed'],
    [{ email: 'a@b.test', password: 'short' }, 422, 'weak_password'],
    [{ email: 'a@b.test', password: 'aaaaaaaaaaaa' }, 422, 'weak_password'],
    [{ email: 42, password: TEST_PASSWORD }, 400, 'validation_failed'],
  ])('refuses %o with %i %s', async (body, status, code) => {
    const res = await post('/auth/v1/signup', body)
    expect(res.statusCode).toBe(status)
    expect(res.json().code).toBe(code)
    expect(typeof res.json().message).toBe('string')
    expect(res.headers['x-supabase-api-version']).toBe('2024-01-01')
  })

  it('a weak password lists the reasons', async () => {
    const res = await post('/auth/v1/signup', { email: 'weak@example.test', password: 'abc' })
    expect(res.json()).toMatchObject({ code: 'weak_password', weak_password: { reasons: ['length'] } })
  })

  it('an email already registered is user_already_exists, whatever its case', async () => {
    const user = await createTestUser(t)
    const res = await post('/auth/v1/signup', { email: user.email.toUpperCase(), password: TEST_PASSWORD })
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('user_already_exists')
  })

  it('without the API-version header, errors have the legacy shape', async () => {
    const res = await post('/auth/v1/signup', { email: 'x@example.test', password: 'abc' }, {})
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 422, error_code: 'weak_password', msg: expect.any(String) })
    expect(res.headers['x-supabase-api-version']).toBeUndefined()
  })

  it('malformed JSON is a GoTrue error, not a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/signup',
      headers: { ...V2024, 'content-type': 'application/json' },
      payload: '{"email":',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('bad_json')
  })
})

describe('password sign-in', () => {
  it('signs in with the right password, in any email case', async () => {
    const user = await createTestUser(t)
    const res = await post('/auth/v1/token?grant_type=password', {
      email: user.email.toUpperCase(),
      password: user.password,
      gotrue_meta_security: {},
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().user.id).toBe(user.userId)
    expect(res.json().user.last_sign_in_at).toBeTruthy()
  })

  it.each([
    ['a wrong password', (email: string) => ({ email, password: 'wrong password!' })],
    ['an unknown email', () => ({ email: 'nobody@example.test', password: TEST_PASSWORD })],
  ])('refuses %s with invalid_credentials', async (_name, body) => {
    const user = await createTestUser(t)
    const res = await post('/auth/v1/token?grant_type=password', body(user.email))
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' })
  })

  it('an unknown grant type is unsupported_grant_type', async () => {
    const res = await post('/auth/v1/token?grant_type=magic', {})
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('unsupported_grant_type')
  })
})

describe('refresh tokens', () => {
  it('rotate: each refresh gives a new pair; the new access token works', async () => {
    const user = await createTestUser(t)
    const res = await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: user.refreshToken })
    expect(res.statusCode).toBe(200)
    const session = res.json()
    expect(session.refresh_token).not.toBe(user.refreshToken)
    expect(decodeJwt(session.access_token).session_id).toBe(decodeJwt(user.accessToken).session_id)
    const me = await t.app.inject({
      method: 'GET',
      url: '/auth/v1/user',
      headers: { ...V2024, authorization: `Bearer ${session.access_token}` },
    })
    expect(me.statusCode).toBe(200)
    expect(me.json().id).toBe(user.userId)
  })

  it('reuse of a rotated token revokes the whole session', async () => {
    const user = await createTestUser(t)
    const first = await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: user.refreshToken })
    const rotated = first.json().refresh_token as string

    const reuse = await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: user.refreshToken })
    expect(reuse.statusCode).toBe(400)
    expect(reuse.json().code).toBe('refresh_token_already_used')

    // The legitimate holder's newer token died with the session, and so did its access tokens.
    const next = await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: rotated })
    expect(next.statusCode).toBe(400)
    expect(next.json().code).toBe('refresh_token_not_found')
    const api = await t.app.inject({ method: 'GET', url: '/v1/me', headers: user.headers })
    expect(api.statusCode).toBe(401)
  })

  it.each([
    [{ refresh_token: 'never-issued' }, 'refresh_token_not_found'],
    [{}, 'validation_failed'],
  ])('refuses %o', async (body, code) => {
    const res = await post('/auth/v1/token?grant_type=refresh_token', body)
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe(code)
  })
})

describe('user and sign-out', () => {
  it('GET /user needs a valid token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/auth/v1/user', headers: V2024 })
    expect(none.statusCode).toBe(401)
    expect(none.json().code).toBe('no_authorization')
    const bad = await t.app.inject({
      method: 'GET',
      url: '/auth/v1/user',
      headers: { ...V2024, authorization: 'Bearer not.a.jwt' },
    })
    expect(bad.statusCode).toBe(403)
    expect(bad.json().code).toBe('bad_jwt')
  })

  it('a suspended user is user_banned (403), as GoTrue answers; lifted, the user is back', async () => {
    const user = await createTestUser(t)
    const getUser = () =>
      t.app.inject({ method: 'GET', url: '/auth/v1/user', headers: { ...V2024, ...user.headers } })
    expect((await getUser()).statusCode).toBe(200)
    await t.ctx.db.pool.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
      user.userId,
    ])
    const banned = await getUser()
    expect(banned.statusCode).toBe(403)
    expect(banned.json()).toEqual({ code: 'user_banned', message: 'User is banned' })
    await t.ctx.db.pool.query('update auth.users set banned_until = null where id = $1', [user.userId])
    expect((await getUser()).statusCode).toBe(200)
  })

  it('local sign-out ends this session only; global ends all', async () => {
    const user = await createTestUser(t)
    const second = await post('/auth/v1/token?grant_type=password', {
      email: user.email,
      password: user.password,
    })
    const secondToken = second.json().access_token as string

    const out = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/logout?scope=local',
      headers: { ...V2024, ...user.headers, 'content-type': 'application/json' },
    })
    expect(out.statusCode).toBe(204)
    const gone = await t.app.inject({
      method: 'GET',
      url: '/auth/v1/user',
      headers: { ...V2024, ...user.headers },
    })
    expect(gone.statusCode).toBe(403)
    expect(gone.json().code).toBe('session_not_found')
    const still = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${secondToken}` },
    })
    expect(still.statusCode).toBe(200)

    const global = await post('/auth/v1/logout?scope=global', undefined, {
      ...V2024,
      authorization: `Bearer ${secondToken}`,
    })
    expect(global.statusCode).toBe(204)
    const after = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${secondToken}` },
    })
    expect(after.statusCode).toBe(401)
    const refresh = await post('/auth/v1/token?grant_type=refresh_token', {
      refresh_token: second.json().refresh_token,
    })
    expect(refresh.json().code).toBe('refresh_token_not_found')
  })

  it('an unknown sign-out scope is refused', async () => {
    const user = await createTestUser(t)
    const res = await post('/auth/v1/logout?scope=everyone', undefined, { ...V2024, ...user.headers })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('validation_failed')
  })
})

describe('the signing key', () => {
  it('is one ES256 key made at first start, stored with its private part sealed, and reused', async () => {
    const { rows } = await t.ctx.db.pool.query<{ kid: string; public_jwk: { d?: string }; sealed: string }>(
      'select kid, public_jwk, private_jwk_sealed as sealed from app_private.signing_keys',
    )
    expect(rows).toHaveLength(1)
    const [row] = rows as [(typeof rows)[number]]
    expect(row.public_jwk.d).toBeUndefined()
    // The stored private part is ciphertext; only the configured key opens it.
    expect(() => JSON.parse(row.sealed)).toThrow()
    const privateJwk = JSON.parse(t.ctx.secrets.open(row.sealed, `signing_key:${row.kid}`))
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: row.kid })
    expect(row.sealed).not.toContain(privateJwk.d)

    // Another start (or instance) on the same database signs with the same key.
    expect((await loadLocalKeys(t.ctx.db, t.ctx.secrets)).current.kid).toBe(row.kid)
    const user = await createTestUser(t)
    expect(decodeProtectedHeader(user.accessToken)).toMatchObject({ alg: 'ES256', kid: row.kid })
    const jwks = await t.app.inject({ method: 'GET', url: '/auth/v1/.well-known/jwks.json' })
    expect(jwks.json().keys.map((k: { kid: string }) => k.kid)).toEqual([row.kid])
    expect(jwks.body).not.toContain(privateJwk.d)
  })
})
