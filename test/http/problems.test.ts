import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { Type } from '@sinclair/typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AMOUNT_FORM } from '../../src/domain/money.js'
import { errors } from '../../src/errors/codes.js'
import { buildApp } from '../../src/http/app.js'
import type { App } from '../../src/http/types.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestUser } from '../helpers/users.js'

/**
 * The error handler is exercised through routes that exist only in this test, so every kind
 * of failure (validation, parsing, size, thrown domain errors, bugs) is covered however few
 * real routes the API has.
 */
let t: TestApp
let app: App

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } })
  app = await buildApp(t.ctx)
  app.post(
    '/test/orders',
    {
      schema: {
        body: Type.Object(
          {
            amount: Type.String({ pattern: '^\\d+(\\.\\d{1,6})?$' }),
            side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
            tag: Type.Optional(Type.Union([Type.Union([Type.Literal('a'), Type.Literal('b')]), Type.Null()])),
            via: Type.Optional(
              Type.Union([
                Type.Object({ type: Type.Literal('webhook'), url: Type.String() }),
                Type.Object({ type: Type.Literal('polling') }),
                Type.Null(),
              ]),
            ),
            shares: Type.Optional(Type.Union([Type.Literal('all'), Type.String({ pattern: '^[0-9]+$' })])),
          },
          { additionalProperties: false },
        ),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
      },
    },
    async (request) => ({ ok: true, body: request.body }),
  )
  app.get('/test/missing', async () => {
    throw errors.notFound('Market', 'No market with id x')
  })
  app.get('/test/bug', async () => {
    throw new Error('secret internal detail: password=hunter2')
  })
  await app.ready()
})

afterAll(async () => {
  await app.close()
  await t.close()
})

const PROBLEM = 'application/problem+json; charset=utf-8'

describe('problem documents', () => {
  it('a valid request passes', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders',
      payload: { amount: '1.5', side: 'buy' },
    })
    expect(res.statusCode).toBe(200)
  })

  it('validation errors list every offending field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders?limit=0',
      payload: { amount: '1', side: 'buy' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe(PROBLEM)
    const body = res.json()
    expect(body.code).toBe('validation_failed')
    expect(body.status).toBe(400)
    expect(body.errors).toEqual([{ field: '/query/limit', message: 'must be >= 1' }])

    const bodyRes = await app.inject({
      method: 'POST',
      url: '/test/orders',
      payload: { amount: '1.1234567', extra: 1 },
    })
    const fields = bodyRes.json().errors.map((e: { field: string }) => e.field)
    expect(fields).toEqual(expect.arrayContaining(['/body/amount', '/body/side', '/body/extra']))
    expect(bodyRes.json().detail).toContain('/body/side')
  })

  it('malformed JSON is a 400 invalid_json', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"amount": "1",',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('invalid_json')
  })

  it('an empty JSON body is a 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders',
      headers: { 'content-type': 'application/json' },
      payload: '',
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe(PROBLEM)
  })

  it('an unsupported media type is a 415 naming the type', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders',
      headers: { 'content-type': 'text/xml' },
      payload: '<order/>',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json().code).toBe('unsupported_media_type')
    expect(res.json().detail).toContain("'text/xml'")
  })

  it('a URL that does not decode is a 400 problem, before any route runs', async () => {
    for (const url of ['/v1/users/%ZZ', '/v1/me/api-keys/%E0%A4%A']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(400)
      expect(res.headers['content-type']).toBe(PROBLEM)
      expect(res.json()).toMatchObject({ code: 'bad_request', status: 400 })
      expect(res.headers['x-request-id']).toBe(res.json().request_id)
    }
    // /auth/v1 answers in GoTrue's shape, as everywhere under it.
    const auth = await app.inject({ method: 'GET', url: '/auth/v1/%ZZ' })
    expect(auth.statusCode).toBe(400)
    expect(auth.json()).toMatchObject({ code: 400, error_code: 'bad_request' })
  })

  it('a path segment over the router limit is a 414 problem', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/users/${'a'.repeat(500)}` })
    expect(res.statusCode).toBe(414)
    expect(res.headers['content-type']).toBe(PROBLEM)
    expect(res.json().code).toBe('uri_too_long')
  })

  it('a body over the limit is a 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/orders',
      payload: { amount: '1', side: 'buy', pad: 'x'.repeat(4096) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('payload_too_large')
    // The limit configured (BODY_LIMIT_BYTES=2048 here), not a number read from Fastify's message.
    expect(res.json().detail).toBe('The request body is larger than 2048 bytes')
  })

  it('a union of literals is one error naming the allowed values', async () => {
    for (const side of ['purchase', 5, null]) {
      const res = await app.inject({ method: 'POST', url: '/test/orders', payload: { amount: '1', side } })
      expect(res.statusCode, String(side)).toBe(400)
      expect(res.json().errors, String(side)).toEqual([
        { field: '/body/side', message: 'must be one of "buy", "sell"' },
      ])
      expect(res.json().detail).toBe('/body/side must be one of "buy", "sell"')
    }
  })

  it('other unions: nested, nullable, discriminated, literal or pattern', async () => {
    const cases: Array<[Record<string, unknown>, { field: string; message: string }]> = [
      [{ tag: 'c' }, { field: '/body/tag', message: 'must be one of "a", "b" or must be null' }],
      [{ tag: 5 }, { field: '/body/tag', message: 'must be one of "a", "b" or must be null' }],
      [
        { via: { type: 'email' } },
        { field: '/body/via/type', message: 'must be one of "webhook", "polling"' },
      ],
      [
        { via: { type: 'webhook' } },
        { field: '/body/via/url', message: "must have required property 'url'" },
      ],
      [{ via: 'webhook' }, { field: '/body/via', message: 'must be object or must be null' }],
      [
        { shares: 'al' },
        { field: '/body/shares', message: 'must be "all" or must match pattern "^[0-9]+$"' },
      ],
    ]
    for (const [extra, expected] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/test/orders',
        payload: { amount: '1', side: 'buy', ...extra },
      })
      expect(res.statusCode, JSON.stringify(extra)).toBe(400)
      expect(res.json().errors, JSON.stringify(extra)).toEqual([expected])
    }
  })

  it('enum-like fields of real routes name their allowed values, once', async () => {
    const cases: Array<[string, string, unknown, { field: string; message: string }]> = [
      [
        'POST',
        '/v1/markets/some-market/trades',
        { outcome: 'YES', side: 'purchase', amount: '1' },
        { field: '/body/side', message: 'must be one of "buy", "sell"' },
      ],
      [
        'POST',
        '/v1/markets/some-market/quote',
        { outcome: 'YES', side: 'hold', amount: '1' },
        { field: '/body/side', message: 'must be one of "buy", "sell"' },
      ],
      [
        'GET',
        '/v1/me/positions?status=closed',
        undefined,
        { field: '/query/status', message: 'must be one of "open", "settled", "all"' },
      ],
      [
        'GET',
        '/v1/markets?kind=ternary',
        undefined,
        { field: '/query/kind', message: 'must be one of "binary", "categorical", "scalar"' },
      ],
      ['GET', '/v1/agents?owner=you', undefined, { field: '/query/owner', message: 'must be "me"' }],
      [
        'POST',
        '/v1/markets',
        { question: 'Will it rain?', kind: 'ternary', subsidy: '10' },
        { field: '/body/kind', message: 'must be one of "binary", "categorical", "scalar"' },
      ],
      [
        'POST',
        '/v1/agents',
        { action_source: 'oracle', delivery: { type: 'email' } },
        { field: '/body/action_source', message: 'must be one of "fixed", "llm", "proposals"' },
      ],
      [
        'POST',
        '/v1/me/api-keys',
        { name: 'bot', scopes: ['read', 'write'] },
        { field: '/body/scopes/1', message: 'must be one of "read", "trade", "agents"' },
      ],
      // A union of objects told apart by a literal `type`: no type matched…
      [
        'POST',
        '/v1/agents',
        { delivery: { type: 'email' } },
        { field: '/body/delivery/type', message: 'must be one of "webhook", "polling"' },
      ],
      // …or one did, and only that branch's errors are reported.
      [
        'POST',
        '/v1/agents',
        { delivery: { type: 'webhook' } },
        { field: '/body/delivery/url', message: "must have required property 'url'" },
      ],
      // Not literals (an index or a label): one error, both alternatives.
      [
        'POST',
        '/v1/markets/some-market/trades',
        { outcome: -1, side: 'buy', amount: '1' },
        { field: '/body/outcome', message: 'must be >= 0 or must be string' },
      ],
    ]
    for (const [method, url, payload, expected] of cases) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
      const where = `${method} ${url} ${JSON.stringify(payload)}`
      expect(res.statusCode, where).toBe(400)
      const found = res.json().errors as Array<{ field: string; message: string }>
      expect(found, where).toContainEqual(expected)
      expect(
        found.filter((e) => e.field === expected.field || e.field.startsWith(`${expected.field}/`)),
        where,
      ).toEqual([expected])
      for (const e of found) expect(e.message, where).not.toMatch(/constant|anyOf|allowed values/)
    }
    // /auth/v1 answers in GoTrue's shape with the same message.
    const auth = await app.inject({ method: 'POST', url: '/auth/v1/logout?scope=everyone' })
    expect(auth.statusCode).toBe(400)
    expect(JSON.stringify(auth.json())).toContain('must be one of \\"global\\", \\"local\\", \\"others\\"')
  })

  it('unknown routes are 404 route_not_found', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'route_not_found', instance: '/v1/nothing-here', status: 404 })
  })

  it('known routes with another method are 405 with Allow', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/test/orders' })
    expect(res.statusCode).toBe(405)
    expect(res.headers.allow).toBe('POST')
    expect(res.json().code).toBe('method_not_allowed')
  })

  it('domain errors keep their status and code', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/missing' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({
      code: 'not_found',
      title: 'Market not found',
      detail: 'No market with id x',
    })
  })

  it('unexpected errors are a 500 that leaks nothing', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/bug' })
    expect(res.statusCode).toBe(500)
    expect(res.json().code).toBe('internal_error')
    expect(res.body).not.toContain('hunter2')
    expect(res.body).not.toContain('secret')
  })

  it('every response carries a request id, and a sane caller id is kept', async () => {
    const own = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'client-abc.123' },
    })
    expect(own.headers['x-request-id']).toBe('client-abc.123')
    const junk = await app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'bad id with spaces' },
    })
    expect(junk.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(junk.json().request_id).toBe(junk.headers['x-request-id'])
  })
})

/** Writes `request` on a fresh connection and returns everything the server sent back. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(received))
  })
}

function problemOf(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  return { head, status: Number(head.split(' ')[1]), body: JSON.parse(body) }
}

describe('amounts have one decimal form on every route', () => {
  const agentBody = {
    name: 'Pricing agent',
    objective: { kind: 'binary', measurement: 'Revenue next month above 1.2M' },
    action_source: 'fixed',
    actions: [{ label: 'Keep price' }, { label: 'Raise 10%' }],
    default_action: 'Keep price',
    liquidity_per_decision: '50',
    delivery: { type: 'polling' },
  }

  it('a trade amount with leading zeros is a 400 naming the field and the form', async () => {
    const user = await createTestUser(t)
    const trade = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/markets/no-such-market/trades',
        headers: user.headers,
        payload: { outcome: 'YES', side: 'buy', ...body },
      })
    const res = await trade({ amount: '00000000000000000000000000005' })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('invalid_amount')
    const detail = `amount "00000000000000000000000000005" has leading zeros; write "5" (${AMOUNT_FORM})`
    expect(res.json().detail).toBe(detail)
    expect(res.json().errors).toEqual([{ field: '/body/amount', message: detail }])

    for (const [field, value] of [
      ['max_cost', '+5'],
      ['max_cost', '5.'],
      ['amount', '05.5'],
    ] as const) {
      const bad = await trade({ amount: '5', [field]: value })
      expect(bad.statusCode, value).toBe(400)
      expect(bad.json().code, value).toBe('invalid_amount')
      expect(bad.json().errors[0].field, value).toBe(`/body/${field}`)
      expect(bad.json().detail.startsWith(`${field} ${JSON.stringify(value)} `), value).toBe(true)
      expect(bad.json().detail, value).toContain(AMOUNT_FORM.slice(0, 30))
    }
    // Trailing zeros in the decimals are fine: the amount parses and the market is looked up.
    const padded = await trade({ amount: '1.50', max_cost: '2.000000' })
    expect(padded.statusCode).toBe(404)
  })

  it('a market subsidy and scalar bounds follow the same form', async () => {
    const user = await createTestUser(t)
    const create = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/markets',
        headers: user.headers,
        payload: {
          question: 'Will it rain in Paris tomorrow?',
          kind: 'binary',
          close_at: new Date(Date.now() + 86_400_000).toISOString(),
          ...body,
        },
      })
    const subsidy = await create({ subsidy: '0100' })
    expect(subsidy.statusCode, subsidy.body).toBe(400)
    expect(subsidy.json()).toMatchObject({ code: 'invalid_amount', errors: [{ field: '/body/subsidy' }] })
    expect(subsidy.json().detail).toContain('subsidy "0100" has leading zeros; write "100"')
    const scalar = await create({ kind: 'scalar', subsidy: '100', scalar: { lo: '-0', hi: '010' } })
    expect(scalar.statusCode, scalar.body).toBe(400)
    expect(scalar.json().code).toBe('invalid_amount')
    expect(scalar.json().errors[0].field).toMatch(/^\/body\/scalar\/(lo|hi)$/)
  })

  it('agent settings, checked by the schema, refuse leading zeros with the form too', async () => {
    const user = await createTestUser(t)
    const create = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/agents',
        headers: user.headers,
        payload: { ...agentBody, ...body },
      })
    // The schema's pattern let "000000000050" (12 digits) through.
    for (const value of [
      '000000000050',
      '050',
      '+50',
      '50.',
      '1.1234567',
      '1234567890123',
      '1'.repeat(1000),
    ]) {
      const res = await create({ liquidity_per_decision: value })
      expect(res.statusCode, value).toBe(400)
      expect(res.json().code, value).toBe('invalid_amount')
      expect(res.json().errors, value).toEqual([
        {
          field: '/body/liquidity_per_decision',
          message: `must be ${AMOUNT_FORM}, with at most 12 digits before the point`,
        },
      ])
    }
    const rule = await create({ decision_rule: { threshold_bps: 300, min_volume: '010' } })
    expect(rule.statusCode).toBe(400)
    expect(rule.json().errors[0].field).toBe('/body/decision_rule/min_volume')
    const scalar = await create({
      objective: { kind: 'scalar', measurement: 'Revenue', scalar: { lo: '-05', hi: '10' } },
    })
    expect(scalar.statusCode).toBe(400)
    expect(scalar.json().errors).toEqual([
      { field: '/body/objective/scalar/lo', message: expect.stringContaining('may start with "-"') },
    ])
    // With another fault beside the amount, it is a validation problem listing both.
    const mixed = await create({ liquidity_per_decision: '050', name: '' })
    expect(mixed.json().code).toBe('validation_failed')
    expect(mixed.json().errors).toHaveLength(2)
    // Trailing zeros are accepted.
    const ok = await create({ liquidity_per_decision: '50.00' })
    expect(ok.statusCode, ok.body).toBe(201)
  })
})

describe('over a real socket', () => {
  let live: App
  let port: number
  let entered: () => void
  let release: () => void
  let preClosed: () => void
  let proceed: () => void
  const preClosing = new Promise<void>((resolve) => {
    preClosed = resolve
  })
  const proceeding = new Promise<void>((resolve) => {
    proceed = resolve
  })
  const inside = new Promise<void>((resolve) => {
    entered = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })

  beforeAll(async () => {
    live = await buildApp(t.ctx)
    live.get('/test/slow', async () => {
      entered()
      await released
      return { done: true }
    })
    live.addHook('preClose', async () => {
      preClosed()
      await proceeding
    })
    await live.listen({ host: '127.0.0.1', port: 0 })
    port = (live.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    release()
    proceed()
    await live.close()
  })

  it('a request that is not HTTP is a 400 problem document', async () => {
    const { head, status, body } = problemOf(await exchange(port, 'HELLO THERE\r\n\r\n'))
    expect(status).toBe(400)
    expect(head).toContain(`Content-Type: ${PROBLEM}`)
    expect(body).toMatchObject({ code: 'bad_request', status: 400 })
  })

  it('headers over the size limit are a 431 problem document', async () => {
    const raw = await exchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    )
    const { status, body } = problemOf(raw)
    expect(status).toBe(431)
    expect(body).toMatchObject({ code: 'headers_too_large', status: 431 })
  })

  it('while draining: late requests get a 503 problem; the one in flight finishes and closes its connection', async () => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk
    })
    const socketClosed = new Promise((resolve) => socket.on('close', resolve))
    socket.write('GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await inside

    const closed = live.close()
    // Held in a close hook of this test: draining has begun, the socket still listens.
    await preClosing
    const late = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(late.status).toBe(503)
    expect(late.headers.get('content-type')).toBe(PROBLEM)
    expect(late.headers.get('retry-after')).toBe('1')
    expect(await late.json()).toMatchObject({ code: 'shutting_down', status: 503 })

    proceed()
    while (live.server.listening) await new Promise((resolve) => setImmediate(resolve))
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
    release()
    // The answer in flight closes its connection, so a client that keeps connections alive
    // cannot hold the stop up.
    await socketClosed
    await closed
    const responses = received.split(/(?=HTTP\/1\.1 )/)
    expect(responses).toHaveLength(1)
    expect(received).toMatch(/^HTTP\/1\.1 200 /)
    expect(received).toMatch(/\r\nconnection: close\r\n/i)
    expect(received).toContain('{"done":true}')
  })
})
