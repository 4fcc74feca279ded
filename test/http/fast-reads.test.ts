/**
 * The fast lane of public reads (src/http/fast-reads.ts), over real sockets: a repeat anonymous
 * GET answered by the lane is, header for header and byte for byte, what Fastify's path answers
 * (the first request of a URL, and app.inject, which never meets the lane); a commit sends the
 * next read back through Fastify, so nothing stale is served; credentials, an Origin, a body
 * that would be compressed and If-None-Match are each handled as Fastify would; the lane counts
 * in the HTTP metrics, the cache's hits, the per-IP limit (the same count, refused once over it)
 * and logs as Fastify does.
 */
import { request } from 'node:http'
import { Writable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/infra/logger.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { buyYes, openBinaryMarket } from '../helpers/markets.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

interface Answer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

function get(t: TestApp, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { port } = t.app.server.address() as { port: number }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/** Everything but what differs between any two answers (the date, a fresh request id). */
function comparable(answer: Answer) {
  const { date: _date, 'x-request-id': _id, ...headers } = answer.headers
  return { status: answer.status, headers, body: answer.body.toString('latin1') }
}

async function metricValue(t: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await t.ctx.metrics.registry.getSingleMetric(name)?.get()
  const found = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  )
  return found?.value ?? 0
}

async function waitUntil(check: () => boolean, what: string) {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function startApp(env: Record<string, string> = {}, log?: ReturnType<typeof createLogger>) {
  const t = await createTestApp({ env: { REDIS_URL: '', ...env }, ...(log ? { log } : {}) })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  await waitUntil(() => t.ctx.readCache.enabled, 'the version listener')
  return t
}

describe('the fast lane', () => {
  let t: TestApp
  let alice: TestUser
  let market: { id: string }
  let slug: string

  beforeAll(async () => {
    t = await startApp()
    alice = await createTestUser(t)
    market = await openBinaryMarket(t, alice, 'Will the fast lane answer as Fastify does?')
    await buyYes(t, alice, market.id)
    slug = (await t.app.inject({ url: `/v1/markets/${market.id}` })).json().slug
    // A slug seen for the first time is not known to name the market yet: that read is not kept.
    await t.app.inject({ url: `/v1/markets/${slug}` })
  })
  afterAll(() => t?.close())

  it('answers a repeat read header for header as Fastify does, for every cached view', async () => {
    for (const url of [
      `/v1/markets/${market.id}`,
      `/v1/markets/${slug}`,
      '/v1/markets?limit=5',
      '/v1/markets?limit=5&status=open',
      `/v1/markets/${market.id}/history?limit=3`,
      `/v1/markets/${market.id}/trades?limit=2`,
    ]) {
      const first = await get(t, url)
      expect(first.status, url).toBe(200)
      const before = t.app.fastReads.served
      const again = await get(t, url)
      expect(t.app.fastReads.served, `${url} answered by the lane`).toBe(before + 1)
      expect(comparable(again), url).toEqual(comparable(first))
      // app.inject meets Fastify alone: the same body and cache headers.
      const injected = await t.app.inject({ url })
      expect(again.body.toString(), url).toBe(injected.body)
      expect(again.headers.etag).toBe(injected.headers.etag)
      expect(again.headers['cache-control']).toBe(injected.headers['cache-control'])
      expect(again.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('keeps a sane X-Request-Id, answers If-None-Match with the 304 Fastify sends', async () => {
    const url = `/v1/markets/${market.id}`
    const full = await get(t, url)
    const before = t.app.fastReads.served
    const own = await get(t, url, { 'x-request-id': 'trace-me-42' })
    expect(own.headers['x-request-id']).toBe('trace-me-42')
    const notModified = await get(t, url, { 'if-none-match': full.headers.etag as string })
    expect(t.app.fastReads.served).toBe(before + 2)
    const fastify = await t.app.inject({ url, headers: { 'if-none-match': full.headers.etag as string } })
    expect(notModified.status).toBe(304)
    expect(notModified.body.length).toBe(0)
    const { date: _d, 'x-request-id': _r, connection: _c, 'keep-alive': _k, ...lane } = notModified.headers
    const {
      date: _d2,
      'x-request-id': _r2,
      connection: _c2,
      ...injected
    } = fastify.headers as Record<string, string>
    expect(lane).toEqual(injected)
  })

  it('never serves a body older than the last commit: a trade sends the next read through Fastify', async () => {
    const url = `/v1/markets/${market.id}`
    await get(t, url)
    const kept = await get(t, url)
    const before = t.app.fastReads.served
    await buyYes(t, alice, market.id, '2')
    const after = await get(t, url)
    expect(t.app.fastReads.served).toBe(before)
    expect(after.headers.etag).not.toBe(kept.headers.etag)
    expect(after.body.toString()).toBe((await t.app.inject({ url })).body)
    await get(t, url)
    expect(t.app.fastReads.served).toBe(before + 1)
  })

  it('leaves credentials, an Origin and a compressible body to Fastify', async () => {
    const url = '/v1/markets?limit=5'
    await get(t, url)
    const before = t.app.fastReads.served
    const signedIn = await get(t, url, { authorization: alice.headers.authorization as string })
    expect(signedIn.headers['cache-control']).toBe('private, no-cache')
    await get(t, url, { origin: 'https://app.example' })
    expect(t.app.fastReads.served).toBe(before)
    // A page over the compression threshold is compressed for a caller that accepts it.
    const zipped = await get(t, `/v1/markets/${market.id}`, { 'accept-encoding': 'gzip' })
    expect(t.app.fastReads.served).toBe(before)
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers.vary).toBe('accept-encoding')
    expect(gunzipSync(zipped.body).toString()).toBe(
      (await t.app.inject({ url: `/v1/markets/${market.id}` })).body,
    )
  })

  it('counts what it answers in the HTTP metrics and the cache hits, as Fastify does', async () => {
    const url = `/v1/markets/${market.id}`
    await get(t, url)
    const labels = { route: '/v1/markets/:market', method: 'GET', status_class: '2xx' }
    const requests = await metricValue(t, 'dm_http_requests_total', labels)
    const hits = await metricValue(t, 'dm_cache_requests_total', { cache: 'market', result: 'hit' })
    const before = t.app.fastReads.served
    await get(t, url)
    await get(t, url)
    expect(t.app.fastReads.served).toBe(before + 2)
    expect(await metricValue(t, 'dm_http_requests_total', labels)).toBe(requests + 2)
    expect(await metricValue(t, 'dm_cache_requests_total', { cache: 'market', result: 'hit' })).toBe(hits + 2)
    const text = await t.ctx.metrics.registry.metrics()
    expect(text).toMatch(
      /dm_http_request_duration_seconds_count\{route="\/v1\/markets\/:market",method="GET",status_class="2xx"\} \d+/,
    )
  })
})

describe('the fast lane with a per-IP limit', () => {
  let t: TestApp
  let market: { id: string }

  beforeAll(async () => {
    t = await startApp({ RATE_LIMIT_IP_MAX: '30', RATE_LIMIT_WINDOW_S: '60' })
    const alice = await createTestUser(t)
    market = await openBinaryMarket(t, alice, 'Is the limit counted once?')
  })
  afterAll(() => t?.close())

  it('counts each request once, sends the same RateLimit fields, and is refused over the limit', async () => {
    const url = `/v1/markets/${market.id}`
    // Sign-up and the market (app.inject) counted against the same address: start where they left.
    const answers: Answer[] = []
    while (answers.length < 40) {
      const answer = await get(t, url)
      answers.push(answer)
      if (answer.status !== 200) break
    }
    const remaining = answers.map((a) => Number(/^"ip";r=(\d+);t=\d+$/.exec(a.headers.ratelimit ?? '')?.[1]))
    const first = remaining[0] as number
    expect(first).toBeGreaterThan(3)
    expect(remaining).toEqual(answers.map((_, i) => Math.max(0, first - i)))
    for (const a of answers) expect(a.headers['ratelimit-policy']).toBe('"ip";q=30;w=60')
    const refused = answers.at(-1) as Answer
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body.toString()).code).toBe('rate_limited')
    expect(refused.headers['retry-after']).toMatch(/^\d+$/)
    // The first read filled the cache through Fastify; the lane answered the rest but the refusal.
    expect(t.app.fastReads.served).toBe(answers.length - 2)
  })
})

describe('the fast lane at log level info', () => {
  it('logs the request as Fastify does', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
        done()
      },
    })
    const t = await startApp({ LOG_LEVEL: 'info' }, createLogger('info', { destination: sink }))
    try {
      const alice = await createTestUser(t)
      const market = await openBinaryMarket(t, alice, 'Are the logs the same?')
      const url = `/v1/markets/${market.id}`
      await get(t, url, { 'x-request-id': 'by-fastify' })
      await get(t, url, { 'x-request-id': 'by-the-lane' })
      expect(t.app.fastReads.served).toBe(1)
      const of = (reqId: string) =>
        lines
          .filter((l) => l.reqId === reqId)
          .map(({ time: _t, responseTime, req, ...rest }) => ({
            ...rest,
            ...(req
              ? {
                  req: { ...(req as object), remotePort: typeof (req as { remotePort: unknown }).remotePort },
                }
              : {}),
            ...(responseTime !== undefined ? { responseTime: typeof responseTime } : {}),
            reqId: 'same',
          }))
      expect(of('by-the-lane')).toEqual(of('by-fastify'))
      expect(lines.filter((l) => l.reqId === 'by-the-lane').map((l) => l.msg)).toEqual([
        'incoming request',
        'request completed',
      ])
    } finally {
      await t.close()
    }
  })
})
