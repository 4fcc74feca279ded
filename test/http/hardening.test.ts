/**
 * Hardening: rate limits (per IP, per user, stricter on sign-in and sign-up) with 429 and
 * Retry-After, counted in Redis when REDIS_URL is set (CI's second run) and in-process
 * otherwise; security headers; the CORS allow-list; the local anon key; HTTPS when a certificate
 * is configured. Limits are tiny here so a handful of requests reaches them.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HELMET_OPTIONS, helmetHeaders } from '../../src/http/plugins/security.js'
import { createLogger } from '../../src/infra/logger.js'
import { startService } from '../../src/start/server.js'
import { createTestApp, type TestApp, testConfig } from '../helpers/app.js'
import { createTestDatabase } from '../helpers/database.js'
import { createTestApiKey, createTestUser, TEST_PASSWORD } from '../helpers/users.js'

describe('rate limits', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_IP_MAX: '40', RATE_LIMIT_USER_MAX: '5', RATE_LIMIT_AUTH_MAX: '3' },
    })
  })
  afterAll(() => t.close())

  it('count in Redis when REDIS_URL is set, else in-process', () => {
    expect(t.ctx.store.kind).toBe(process.env.REDIS_URL ? 'redis' : 'memory')
  })

  it('sign-in attempts per IP: the fourth is a 429 in GoTrue shape, with Retry-After', async () => {
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/auth/v1/token?grant_type=password',
        remoteAddress: '203.0.113.7',
        headers: { 'x-supabase-api-version': '2024-01-01' },
        payload: { email: 'nobody@example.test', password: 'wrong password' },
      })
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(400)
    const limited = await attempt()
    expect(limited.statusCode).toBe(429)
    expect(limited.json().code).toBe('over_request_rate_limit')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // Another address is not affected.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/token?grant_type=password',
      remoteAddress: '203.0.113.8',
      payload: { email: 'nobody@example.test', password: 'wrong password' },
    })
    expect(elsewhere.statusCode).toBe(400)
  })

  let encodedAttempts = 0
  it.each([
    '/auth/v1/token?grant_type=%70assword',
    '/auth/v1/token?grant_type=passwor%64',
    '/auth/v1/token?%67rant_type=password',
    '/auth/v1/token?grant_type=password&grant_type=password',
    '/auth/v1/%74oken?grant_type=password',
    '/auth/v1/token?x=1&grant_type=password#',
  ])('an encoded sign-in (%s) counts as one', async (url) => {
    const ip = `198.51.100.${++encodedAttempts}`
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url,
        remoteAddress: ip,
        payload: { email: 'nobody@example.test', password: 'wrong password' },
      })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).statusCode)
    expect(statuses.slice(0, 3)).not.toContain(429)
    expect(statuses[3]).toBe(429)
  })

  it('per user: a user (and their API keys) share one budget; 429 is a problem document', async () => {
    const user = await createTestUser(t)
    const key = await createTestApiKey(t, user, ['read'])
    const other = await createTestUser(t)
    // createTestApiKey spent one request of the user's budget (5).
    for (let i = 0; i < 2; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: user.headers })).statusCode).toBe(
        200,
      )
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: key.headers })).statusCode).toBe(
        200,
      )
    }
    const limited = await t.app.inject({ method: 'GET', url: '/v1/me', headers: key.headers })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: other.headers })).statusCode).toBe(
      200,
    )
  })

  it('every limited response carries RateLimit-Policy and RateLimit (IETF draft), one item per limiter', async () => {
    const user = await createTestUser(t)
    const from = { remoteAddress: '198.51.100.30', headers: user.headers }
    const first = await t.app.inject({ method: 'GET', url: '/v1/me', ...from })
    expect(first.statusCode).toBe(200)
    expect(first.headers['ratelimit-policy']).toBe('"ip";q=40;w=60, "user";q=5;w=60')
    const state = /^"ip";r=(\d+);t=(\d+), "user";r=(\d+);t=(\d+)$/.exec(String(first.headers.ratelimit))
    expect(state).not.toBeNull()
    const [, ipLeft, ipReset, userLeft] = (state as RegExpExecArray).map(Number)
    expect(ipLeft).toBe(39)
    expect(ipReset).toBeGreaterThan(0)
    expect(ipReset).toBeLessThanOrEqual(60)
    // createTestUser spent none of this user's budget from this address; this request one.
    expect(userLeft).toBe(4)
    const second = await t.app.inject({ method: 'GET', url: '/v1/me', ...from })
    expect(second.headers.ratelimit).toMatch(/^"ip";r=38;t=\d+, "user";r=3;t=\d+$/)
    // Anonymous: only the address counts. A refusal says 0 left, with Retry-After.
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/v1/markets',
      remoteAddress: '198.51.100.31',
    })
    expect(anonymous.headers['ratelimit-policy']).toBe('"ip";q=40;w=60')
    let limited = anonymous
    for (let i = 0; i < 40 && limited.statusCode !== 429; i++) {
      limited = await t.app.inject({ method: 'GET', url: '/v1/markets', remoteAddress: '198.51.100.31' })
    }
    expect(limited.statusCode).toBe(429)
    expect(limited.headers.ratelimit).toMatch(/^"ip";r=0;t=\d+$/)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('per IP, on every route; probes are never limited', async () => {
    const from = { remoteAddress: '198.51.100.20' }
    let status = 0
    for (let i = 0; i < 41; i++) {
      status = (await t.app.inject({ method: 'GET', url: '/v1/users/nobody_here', ...from })).statusCode
    }
    expect(status).toBe(429)
    expect((await t.app.inject({ method: 'GET', url: '/healthz', ...from })).statusCode).toBe(200)
  })
})

describe('rate limits when Redis is away', () => {
  let t: TestApp
  beforeAll(async () => {
    // Nothing listens on port 1: every count fails at once.
    t = await createTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_IP_MAX: '2', RATE_LIMIT_AUTH_MAX: '1' },
    })
  })
  afterAll(() => t.close())

  it('degrade to no limit rather than fail the requests', async () => {
    expect(t.ctx.store.kind).toBe('redis')
    for (let i = 0; i < 4; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/users/nobody_here' })).statusCode).toBe(404)
    }
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/token?grant_type=password',
      payload: { email: 'nobody@example.test', password: 'wrong password' },
    })
    expect(signIn.statusCode).toBe(400)
  })
})

describe('security headers and CORS', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example' } })
  })
  afterAll(() => t.close())

  it('sets the usual security headers and a deny-all CSP on the API', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['strict-transport-security']).toContain('max-age=')
    expect(res.headers['content-security-policy']).toContain("default-src 'none'")
    // Every header helmet sets, on every answer (also a 404 and a problem), as helmet sets it.
    const expected = helmetHeaders(HELMET_OPTIONS)
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(10)
    for (const url of ['/healthz', '/v1/markets/00000000-0000-4000-8000-000000000000', '/nowhere']) {
      const answer = await t.app.inject({ method: 'GET', url })
      for (const [name, value] of Object.entries(expected))
        expect(answer.headers[name], `${url} ${name}`).toBe(value)
      expect(answer.headers['x-powered-by']).toBeUndefined()
    }
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'")
  })

  it('allows listed origins only', async () => {
    const allowed = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/me',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(allowed.statusCode).toBe(204)
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example')
    const refused = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://evil.example' },
    })
    expect(refused.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('the local anon key', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_ANON_KEY: 'a-local-anon-key-123' } })
  })
  afterAll(() => t.close())

  it('is required on /auth/v1 once configured (but not for the JWKS)', async () => {
    const body = { email: 'anon-key@example.test', password: TEST_PASSWORD }
    const headers = { 'x-supabase-api-version': '2024-01-01' }
    const missing = await t.app.inject({ method: 'POST', url: '/auth/v1/signup', headers, payload: body })
    expect(missing.statusCode).toBe(401)
    expect(missing.json().code).toBe('invalid_api_key')
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/signup',
      headers: { ...headers, apikey: 'not-the-anon-key!!' },
      payload: body,
    })
    expect(wrong.statusCode).toBe(401)
    const right = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/signup',
      headers: { ...headers, apikey: 'a-local-anon-key-123' },
      payload: body,
    })
    expect(right.statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/.well-known/jwks.json' })).statusCode).toBe(
      200,
    )
  })

  it('as a bearer on /v1 it is anonymous', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/users/nobody_here',
      headers: { authorization: 'Bearer a-local-anon-key-123' },
    })
    expect(res.statusCode).toBe(404)
  })
})

describe('HTTPS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-tls-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('serves TLS with the configured certificate and key', async () => {
    const cert = path.join(dir, 'cert.pem')
    const key = path.join(dir, 'key.pem')
    // A throwaway self-signed certificate for 127.0.0.1.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    )
    const database = await createTestDatabase()
    const service = await startService(
      testConfig({ DATABASE_URL: database.url, PORT: '0', TLS_CERT_FILE: cert, TLS_KEY_FILE: key }),
      createLogger('silent'),
    )
    try {
      expect(service.address).toMatch(/^https:\/\//)
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${service.address}/healthz`, { ca: readFileSync(cert) }, (res) => {
          let data = ''
          res.on('data', (chunk) => {
            data += chunk
          })
          res.on('end', () => resolve(data))
        })
        req.on('error', reject)
        req.end()
      })
      expect(JSON.parse(body)).toEqual({ status: 'ok' })
    } finally {
      await service.stop()
      await database.drop()
    }
  })
})
