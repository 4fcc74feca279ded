/**
 * The identity API through app.inject(): /v1/me, public profiles, API keys (scopes, "a key can
 * never do more than its owner", revocation), the audit log, and every kind of bad credential
 * answered with a 401/403 problem document, never a 500.
 */
import { randomUUID } from 'node:crypto'
import { base64url, type CryptoKey, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { grantRole, revokeRole } from '../../src/services/identity/roles.js'
import { loadLocalKeys } from '../../src/services/identity/signing-keys.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

/** A clock the tests can move: tokens expire without waiting. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) }

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ clock })
})
afterAll(() => t.close())

const PROBLEM = 'application/problem+json; charset=utf-8'

function get(url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, headers })
}

async function expectProblem(res: Awaited<ReturnType<typeof get>>, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toBe(PROBLEM)
  if (code) expect(res.json().code).toBe(code)
}

describe('/v1/me', () => {
  it('needs a caller', async () => {
    const res = await get('/v1/me')
    await expectProblem(res, 401, 'unauthorized')
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('is the caller, with role user or admin', async () => {
    const user = await createTestUser(t, { data: { full_name: 'Grace Hopper' } })
    const res = await get('/v1/me', user.headers)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id: user.userId,
      email: user.email,
      role: 'user',
      display_name: 'Grace Hopper',
    })
    expect(res.json().username).toMatch(/^user_[a-z0-9_]+$/)

    const admin = await createTestUser(t, { admin: true })
    expect((await get('/v1/me', admin.headers)).json().role).toBe('admin')
  })

  it('PATCH changes username and display name; usernames are unique without regard to case', async () => {
    const a = await createTestUser(t)
    const b = await createTestUser(t)
    const name = `ada_${randomUUID().slice(0, 6)}`
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: a.headers,
      payload: { username: name.toUpperCase(), display_name: 'Ada' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ username: name, display_name: 'Ada' })

    const taken = await t.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: b.headers,
      payload: { username: name },
    })
    await expectProblem(taken, 409, 'username_taken')
  })

  it.each([
    [{}, '/body'],
    [{ username: 'no spaces' }, '/body/username'],
    [{ username: 'ab' }, '/body/username'],
    [{ display_name: '' }, '/body/display_name'],
    [{ display_name: '   ' }, '/body/display_name'],
    [{ role: 'admin' }, '/body/role'],
  ])('PATCH refuses %o', async (payload, field) => {
    const user = await createTestUser(t)
    const res = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: user.headers, payload })
    await expectProblem(res, 400, 'validation_failed')
    expect(JSON.stringify(res.json().errors)).toContain(field)
  })
})

describe('/v1/users/{username}', () => {
  it('shows public fields only, to anyone', async () => {
    const user = await createTestUser(t)
    const username = (await get('/v1/me', user.headers)).json().username
    const res = await get(`/v1/users/${username.toUpperCase()}`)
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json()).sort()).toEqual(['created_at', 'display_name', 'username'])
  })

  it('404 for nobody', async () => {
    await expectProblem(await get('/v1/users/nobody_here'), 404, 'not_found')
  })
})

describe('API keys', () => {
  let owner: TestUser
  beforeAll(async () => {
    owner = await createTestUser(t)
  })

  it('are shown once, listed without the key, and act for their owner', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/me/api-keys',
      headers: owner.headers,
      payload: { name: 'my bot', scopes: ['read', 'trade'] },
    })
    expect(created.statusCode).toBe(201)
    const body = created.json()
    expect(body.key).toMatch(/^dmk_[A-Za-z0-9_-]{43}$/)
    expect(body).toMatchObject({ name: 'my bot', scopes: ['read', 'trade'], last_used_at: null })
    expect(body.key.startsWith(body.prefix)).toBe(true)

    const me = await get('/v1/me', { authorization: `Bearer ${body.key}` })
    expect(me.statusCode).toBe(200)
    expect(me.json().id).toBe(owner.userId)

    const list = await get('/v1/me/api-keys', owner.headers)
    const listed = list.json().items.find((k: { id: string }) => k.id === body.id)
    expect(listed).toMatchObject({ prefix: body.prefix, scopes: ['read', 'trade'] })
    expect(listed.last_used_at).not.toBeNull()
    expect(list.body).not.toContain(body.key)

    const stored = await t.ctx.db.pool.query('select key_hash, prefix from public.api_keys where id = $1', [
      body.id,
    ])
    expect(stored.rows[0].key_hash.toString('hex')).not.toContain(Buffer.from(body.key).toString('hex'))
  })

  it('can never do more than their scopes, nor what only a session may', async () => {
    const tradeOnly = await createTestApiKey(t, owner, ['trade'])
    await expectProblem(await get('/v1/me', tradeOnly.headers), 403, 'forbidden')

    const full = await createTestApiKey(t, owner, ['read', 'trade', 'agents'])
    const mint = await t.app.inject({
      method: 'POST',
      url: '/v1/me/api-keys',
      headers: full.headers,
      payload: { name: 'escalate', scopes: ['read'] },
    })
    await expectProblem(mint, 403, 'forbidden')
    expect(mint.json().reason).toBe('session_required')
    const rename = await t.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: full.headers,
      payload: { display_name: 'x' },
    })
    await expectProblem(rename, 403)
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${full.id}`,
      headers: full.headers,
    })
    await expectProblem(revoke, 403)
  })

  it("an admin's key is no admin", async () => {
    const admin = await createTestUser(t, { admin: true })
    const key = await createTestApiKey(t, admin, ['read', 'trade', 'agents'])
    await expectProblem(await get('/v1/admin/audit', key.headers), 403)
    expect((await get('/v1/admin/audit', admin.headers)).statusCode).toBe(200)
  })

  it('revocation applies at once; only the owner may revoke', async () => {
    const key = await createTestApiKey(t, owner, ['read'])
    const stranger = await createTestUser(t)
    // Someone else's key and a key that does not exist answer alike: ids cannot be probed.
    const theirs = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: stranger.headers,
    })
    const missing = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me/api-keys/00000000-0000-4000-8000-000000000000',
      headers: stranger.headers,
    })
    await expectProblem(theirs, 404)
    await expectProblem(missing, 404)
    const shape = (body: Record<string, string>, id: string) => ({
      ...body,
      detail: body.detail?.replace(id, '<id>'),
      instance: undefined,
      request_id: undefined,
    })
    expect(shape(theirs.json(), key.id)).toEqual(
      shape(missing.json(), '00000000-0000-4000-8000-000000000000'),
    )
    await expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/me/api-keys/${key.id}` }), 401)

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: owner.headers,
    })
    expect(revoked.statusCode).toBe(204)
    const res = await get('/v1/me', key.headers)
    await expectProblem(res, 401, 'unauthorized')
    expect(res.json().detail).toContain('revoked')

    await expectProblem(
      await t.app.inject({ method: 'DELETE', url: `/v1/me/api-keys/${key.id}`, headers: owner.headers }),
      404,
    )
    const list = await get('/v1/me/api-keys', owner.headers)
    expect(list.json().items.map((k: { id: string }) => k.id)).not.toContain(key.id)
  })

  it.each([
    [{ name: 'x', scopes: [] }],
    [{ name: 'x', scopes: ['admin'] }],
    [{ name: 'x', scopes: ['read', 'read'] }],
    [{ name: '', scopes: ['read'] }],
    [{ name: '   ', scopes: ['read'] }],
    [{ scopes: ['read'] }],
  ])('creation refuses %o', async (payload) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/me/api-keys',
      headers: owner.headers,
      payload,
    })
    await expectProblem(res, 400, 'validation_failed')
  })

  it("a suspended owner's keys and access tokens stop working at once", async () => {
    const user = await createTestUser(t)
    const key = await createTestApiKey(t, user, ['read'])
    expect((await get('/v1/me', key.headers)).statusCode).toBe(200)
    await t.ctx.db.pool.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
      user.userId,
    ])
    const byKey = await get('/v1/me', key.headers)
    await expectProblem(byKey, 401, 'unauthorized')
    expect(byKey.json().detail).toContain('suspended')
    const byToken = await get('/v1/me', user.headers)
    await expectProblem(byToken, 401, 'unauthorized')
    expect(byToken.json().detail).toContain('suspended')
  })

  it('a malformed key id is a 400', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me/api-keys/not-a-uuid',
      headers: owner.headers,
    })
    await expectProblem(res, 400, 'validation_failed')
  })
})

describe('roles and the audit log', () => {
  it('admins read the audit log, filtered and paged; others may not', async () => {
    const admin = await createTestUser(t, { admin: true })
    const user = await createTestUser(t)
    await t.app.inject({
      method: 'POST',
      url: '/auth/v1/token?grant_type=password',
      payload: { email: user.email, password: 'wrong password' },
    })
    await createTestApiKey(t, user, ['read'])

    await expectProblem(await get('/v1/admin/audit', user.headers), 403, 'forbidden')
    await expectProblem(await get('/v1/admin/audit'), 401)

    const failed = await get('/v1/admin/audit?action=auth.sign_in_failed&limit=200', admin.headers)
    expect(failed.statusCode).toBe(200)
    const entry = failed.json().items.find((e: { subject_id: string }) => e.subject_id === user.userId)
    expect(entry).toMatchObject({
      actor_kind: 'anonymous',
      details: { email: user.email, reason: 'wrong_password' },
    })

    const mine = await get(`/v1/admin/audit?actor_id=${user.userId}`, admin.headers)
    const actions = mine.json().items.map((e: { action: string }) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['auth.signed_up', 'api_key.created']))

    const granted = await get('/v1/admin/audit?action=role.granted&limit=200', admin.headers)
    expect(granted.json().items.some((e: { subject_id: string }) => e.subject_id === admin.userId)).toBe(true)

    const page1 = await get('/v1/admin/audit?limit=2', admin.headers)
    expect(page1.json().items).toHaveLength(2)
    const page2 = await get(`/v1/admin/audit?limit=2&cursor=${page1.json().next_cursor}`, admin.headers)
    expect(Number(page2.json().items[0].id)).toBeLessThan(Number(page1.json().items[1].id))

    await expectProblem(await get('/v1/admin/audit?cursor=bogus', admin.headers), 400, 'validation_failed')
    const beyondInt8 = Buffer.from('audit:9999999999999999999').toString('base64url')
    await expectProblem(
      await get(`/v1/admin/audit?cursor=${beyondInt8}`, admin.headers),
      400,
      'validation_failed',
    )
    await expectProblem(await get('/v1/admin/audit?limit=0', admin.headers), 400, 'validation_failed')
  })

  it("every change an admin makes through the API is on record; others' are not", async () => {
    const admin = await createTestUser(t, { admin: true })
    const user = await createTestUser(t)
    const patch = (who: TestUser, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: '/v1/me', headers: who.headers, payload })
    expect((await patch(admin, { display_name: 'The Admin' })).statusCode).toBe(200)
    expect((await patch(admin, { username: 'x' })).statusCode).toBe(400)
    expect((await patch(user, { display_name: 'Not an admin' })).statusCode).toBe(200)
    const entries = await t.ctx.db.pool.query(
      `select actor_id, subject_id, details->>'status' as status from public.audit_log
        where action = 'admin.request' and actor_id = any($1)`,
      [[admin.userId, user.userId]],
    )
    expect(entries.rows).toEqual([{ actor_id: admin.userId, subject_id: 'PATCH /v1/me', status: '200' }])
  })

  it('records sign-ins, failed ones, keys created and revoked, role changes and sign-outs', async () => {
    const admin = await createTestUser(t, { admin: true })
    const user = await createTestUser(t)
    const signIn = (email: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/token?grant_type=password',
        headers: { 'user-agent': 'audit-test/1.0' },
        payload: { email, password },
      })
    const audit = async (action: string, actor?: string) => {
      const res = await get(
        `/v1/admin/audit?action=${action}&limit=200${actor ? `&actor_id=${actor}` : ''}`,
        admin.headers,
      )
      expect(res.statusCode).toBe(200)
      return res.json().items as Array<Record<string, unknown> & { details: Record<string, unknown> }>
    }

    const session = await signIn(user.email, user.password)
    expect(session.statusCode).toBe(200)
    const sessionId = JSON.parse(
      Buffer.from(session.json().access_token.split('.')[1], 'base64url').toString(),
    ).session_id
    expect(await audit('auth.signed_in', user.userId)).toEqual([
      expect.objectContaining({
        actor_kind: 'session',
        subject_type: 'session',
        subject_id: sessionId,
        user_agent: 'audit-test/1.0',
      }),
    ])

    const stranger = `nobody-${randomUUID()}@example.test`
    expect((await signIn(stranger, 'whatever it is')).statusCode).toBe(400)
    const unknown = (await audit('auth.sign_in_failed')).find((e) => e.details.email === stranger)
    expect(unknown).toMatchObject({
      actor_kind: 'anonymous',
      subject_id: null,
      details: { reason: 'unknown_email' },
    })

    // A suspended account's right password is refused, and recorded as a failed sign-in.
    await t.ctx.db.pool.query(`update auth.users set banned_until = now() + interval '1 day' where id = $1`, [
      user.userId,
    ])
    const banned = await signIn(user.email, user.password)
    expect(banned.statusCode).toBe(400)
    expect(banned.json().error_code).toBe('user_banned')
    const refused = (await audit('auth.sign_in_failed')).filter((e) => e.subject_id === user.userId)
    expect(refused.map((e) => e.details.reason)).toEqual(['banned'])
    await t.ctx.db.pool.query('update auth.users set banned_until = null where id = $1', [user.userId])

    const key = await createTestApiKey(t, user, ['read'])
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/me/api-keys/${key.id}`,
      headers: user.headers,
    })
    expect(revoke.statusCode).toBe(204)
    expect(await audit('api_key.created', user.userId)).toEqual([
      expect.objectContaining({ subject_type: 'api_key', subject_id: key.id }),
    ])
    expect(await audit('api_key.revoked', user.userId)).toEqual([
      expect.objectContaining({ subject_type: 'api_key', subject_id: key.id }),
    ])

    await grantRole(t.ctx.db, { user: user.email, role: 'admin', actor: { kind: 'cli' } }, new Date())
    await revokeRole(t.ctx.db, { user: user.userId, role: 'admin', actor: { kind: 'cli' } }, new Date())
    for (const action of ['role.granted', 'role.revoked']) {
      const entries = (await audit(action)).filter((e) => e.subject_id === user.userId)
      expect(entries, action).toEqual([expect.objectContaining({ actor_kind: 'cli' })])
    }

    const out = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/logout?scope=local',
      headers: { authorization: `Bearer ${session.json().access_token}` },
    })
    expect(out.statusCode).toBe(204)
    expect(await audit('auth.signed_out', user.userId)).toEqual([
      expect.objectContaining({ subject_id: sessionId, details: { scope: 'local' } }),
    ])
  })

  it('a revoked admin role stops working at once, even with a token issued before', async () => {
    const admin = await createTestUser(t, { admin: true })
    expect((await get('/v1/admin/audit', admin.headers)).statusCode).toBe(200)
    await revokeRole(t.ctx.db, { user: admin.email, role: 'admin', actor: { kind: 'cli' } }, new Date())
    await expectProblem(await get('/v1/admin/audit', admin.headers), 403)
    await grantRole(t.ctx.db, { user: admin.email, role: 'admin', actor: { kind: 'cli' } }, new Date())
    expect((await get('/v1/admin/audit', admin.headers)).statusCode).toBe(200)
  })
})

describe('text PostgreSQL cannot store', () => {
  it('a NUL character anywhere is a 400, not a 500', async () => {
    const user = await createTestUser(t)
    const nul = 'a\u0000b'
    const responses = await Promise.all([
      get('/v1/users/a%00bc'),
      t.app.inject({ method: 'PATCH', url: '/v1/me', headers: user.headers, payload: { display_name: nul } }),
      t.app.inject({
        method: 'POST',
        url: '/v1/me/api-keys',
        headers: user.headers,
        payload: { name: nul, scopes: ['read'] },
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/signup',
        payload: { email: `${nul}@example.test`, password: 'long enough pw' },
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/signup',
        payload: {
          email: `nul-${randomUUID()}@example.test`,
          password: 'long enough pw',
          data: { name: nul },
        },
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/token?grant_type=password',
        payload: { email: nul, password: 'x' },
      }),
    ])
    for (const res of responses) {
      expect(res.statusCode, res.body).toBe(400)
      // A problem document on /v1, GoTrue's legacy shape on /auth/v1.
      expect(res.json().code === 'validation_failed' || res.json().error_code === 'validation_failed').toBe(
        true,
      )
    }
  })
})

describe('text that is not valid Unicode', () => {
  it('a lone surrogate (\\ud800) anywhere is a 400, not a 500', async () => {
    const user = await createTestUser(t)
    const responses = await Promise.all([
      t.app.inject({
        method: 'POST',
        url: '/v1/me/api-keys',
        headers: { 'content-type': 'application/json', ...user.headers },
        payload: '{"name":"key \\ud800","scopes":["read"]}',
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/signup',
        headers: { 'content-type': 'application/json' },
        payload: `{"email":"lone-${randomUUID()}@example.test","password":"long enough pw","data":{"n":"\\udc00"}}`,
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/signup',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":"s\\ud800@example.test","password":"long enough pw"}',
      }),
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/token?grant_type=password',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":"s\\ud800@example.test","password":"long enough pw"}',
      }),
    ])
    for (const res of responses) {
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().code === 'validation_failed' || res.json().error_code === 'validation_failed').toBe(
        true,
      )
    }
    expect(responses[0]?.json().detail).toContain('Unicode')
  })
})

describe('bad credentials: 401 problem documents, never a 500', () => {
  let user: TestUser
  let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>
  let publicJwk: JWK
  beforeAll(async () => {
    user = await createTestUser(t)
    const keys = await loadLocalKeys(t.ctx.db, t.ctx.secrets)
    publicJwk = keys.jwks.keys[0] as JWK
    const now = Math.floor(Date.now() / 1000)
    const valid = {
      iss: `${t.ctx.config.publicUrl}/auth/v1`,
      aud: 'authenticated',
      sub: user.userId,
      role: 'authenticated',
      iat: now,
      exp: now + 600,
      session_id: decodeClaims(user.accessToken).session_id,
    }
    sign = (claims, header = {}) =>
      new SignJWT({ ...valid, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: keys.current.kid, ...header })
        .sign(keys.current.privateKey)
  })

  function decodeClaims(token: string) {
    return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
  }

  async function refused(token: string, detail?: string) {
    const res = await get('/v1/me', { authorization: `Bearer ${token}` })
    await expectProblem(res, 401, 'unauthorized')
    if (detail) expect(res.json().detail).toContain(detail)
  }

  it('our own signing helper makes tokens the API accepts (so the refusals below mean something)', async () => {
    expect((await get('/v1/me', { authorization: `Bearer ${await sign({})}` })).statusCode).toBe(200)
  })

  it('a malformed Authorization header or token', async () => {
    await expectProblem(await get('/v1/me', { authorization: 'Basic dXNlcjpwYXNz' }), 401)
    await expectProblem(await get('/v1/me', { authorization: 'Bearer a b' }), 401)
    await refused('not-a-jwt', 'malformed')
    await refused('a.b.c')
    await refused('dmk_tooshort', 'not valid')
    await refused(`dmk_${'A'.repeat(43)}`, 'not valid')
  })

  it('alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))
    const payload = base64url.encode(JSON.stringify(decodeClaims(user.accessToken)))
    await refused(`${header}.${payload}.`)
  })

  it('HS256 signed with the public key', async () => {
    const pem = await exportSPKI((await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey)
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const token = await new SignJWT(decodeClaims(user.accessToken))
        .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid as string })
        .sign(new TextEncoder().encode(secret))
      await refused(token, 'algorithm')
    }
  })

  it('a tampered payload', async () => {
    const other = await createTestUser(t)
    const [h, p, s] = user.accessToken.split('.') as [string, string, string]
    const claims = { ...decodeClaims(user.accessToken), sub: other.userId }
    await refused(`${h}.${base64url.encode(JSON.stringify(claims))}.${s}`, 'signature')
    expect(p).not.toBe(base64url.encode(JSON.stringify(claims)))
  })

  it('a token signed by another key under our kid', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const token = await new SignJWT(decodeClaims(user.accessToken))
      .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid as string })
      .sign(privateKey)
    await refused(token, 'signature')
  })

  it.each([
    ['wrong issuer', { iss: 'https://evil.example/auth/v1' }, 'iss'],
    ['wrong audience', { aud: 'someone-else' }, 'aud'],
    ['no user id', { sub: undefined }, 'sub'],
    ['a service role token', { role: 'service_role' }, 'service_role'],
    ['an unknown user', { sub: randomUUID() }, 'no known user'],
    ['an unknown session', { session_id: randomUUID() }, 'session'],
    ['no session', { session_id: undefined }, 'session'],
    ['an expiry in the past', { exp: Math.floor(Date.now() / 1000) - 60 }, 'expired'],
  ])('%s', async (_name, claims, detail) => {
    await refused(await sign(claims), detail)
  })

  it('an anon-role token is anonymous, not a user', async () => {
    await expectProblem(await get('/v1/me', { authorization: `Bearer ${await sign({ role: 'anon' })}` }), 401)
    expect(
      (await get('/v1/users/nobody_at_all', { authorization: `Bearer ${await sign({ role: 'anon' })}` }))
        .statusCode,
    ).toBe(404)
  })

  it('an access token past its expiry (the clock moves on)', async () => {
    const fresh = await createTestUser(t)
    expect((await get('/v1/me', fresh.headers)).statusCode).toBe(200)
    clock.offsetMs = 2 * 3600_000
    try {
      await refused(fresh.accessToken, 'expired')
    } finally {
      clock.offsetMs = 0
    }
  })
})
