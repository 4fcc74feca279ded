/**
 * X-Request-Id: a well-formed one from the caller is kept, anything else replaced by a UUID; it
 * is on every response (success, 404, 429, validation errors) and in the problem document, and it
 * is the `reqId` of the request's log lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/http/app.js'
import { createLogger } from '../../src/infra/logger.js'
import { createTestApp, type TestApp } from '../helpers/app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

describe('X-Request-Id', () => {
  it.each([
    ['a UUID', '3f1c2a9e-8d7b-4c6a-9f0e-1b2c3d4e5f60'],
    ['letters, digits and ._:-', 'edge-lb:7f.a_b'],
    ['128 characters', 'x'.repeat(128)],
  ])('keeps %s', async (_, id) => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': id } })
    expect(res.headers['x-request-id']).toBe(id)
  })

  it.each([
    ['none', undefined],
    ['an empty one', ''],
    ['129 characters', 'x'.repeat(129)],
    ['spaces', 'two words'],
    ['a header injection attempt', 'abc%0d%0aSet-Cookie:x'],
    ['non-ASCII', 'idé'],
    ['quotes and slashes', '"a/b"'],
  ])('replaces %s with a new UUID', async (_, id) => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: id === undefined ? {} : { 'x-request-id': id },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-request-id']).toMatch(UUID)
    expect(res.headers['x-request-id']).not.toBe(id)
  })

  it('is on errors too, and in their problem documents', async () => {
    const notFound = await t.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'nf-1' } })
    expect(notFound.statusCode).toBe(404)
    expect(notFound.headers['x-request-id']).toBe('nf-1')
    expect(notFound.json().request_id).toBe('nf-1')
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/v1/markets/00000000-0000-4000-8000-000000000000/trades',
      headers: { 'x-request-id': 'bad-body-1', 'content-type': 'application/json' },
      payload: '{"not json',
    })
    expect(invalid.statusCode).toBeGreaterThanOrEqual(400)
    expect(invalid.headers['x-request-id']).toBe('bad-body-1')
    expect(invalid.json().request_id).toBe('bad-body-1')
    const generated = await t.app.inject({ method: 'DELETE', url: '/healthz' })
    expect(generated.statusCode).toBe(405)
    expect(generated.json().request_id).toBe(generated.headers['x-request-id'])
    expect(generated.headers['x-request-id']).toMatch(UUID)
  })

  it('is on 429s, and is the reqId of the request log lines', async () => {
    const lines: string[] = []
    const log = createLogger('info', { destination: { write: (line: string) => void lines.push(line) } })
    // One request per window per IP: the second is refused by the rate limiter's hook.
    const limited = await buildApp({ ...t.ctx, log, config: { ...t.ctx.config, RATE_LIMIT_IP_MAX: 1 } })
    try {
      const first = await limited.inject({
        method: 'GET',
        url: '/v1/markets',
        headers: { 'x-request-id': 'rl-1' },
      })
      expect(first.statusCode).toBe(200)
      const second = await limited.inject({
        method: 'GET',
        url: '/v1/markets',
        headers: { 'x-request-id': 'rl-2' },
      })
      expect(second.statusCode).toBe(429)
      expect(second.headers['x-request-id']).toBe('rl-2')
      expect(second.json().request_id).toBe('rl-2')
    } finally {
      await limited.close()
    }
    const entries = lines.map(
      (line) => JSON.parse(line) as { reqId?: string; msg: string; res?: { statusCode: number } },
    )
    const completed = entries.filter((e) => e.msg === 'request completed')
    expect(completed.map((e) => [e.reqId, e.res?.statusCode])).toEqual([
      ['rl-1', 200],
      ['rl-2', 429],
    ])
  })
})
