/**
 * deploy/nginx/nginx.conf with the real nginx (Debian's nginx-light): `nginx -t`, then nginx
 * itself in front of two upstream servers on loopback, checking what the file promises: the
 * X-Forwarded-* headers the API trusts (TRUST_PROXY), request ids, keep-alive to the upstreams,
 * WebSocket upgrade on the realtime paths, a POST whose upstream died after receiving it never
 * sent to another, and a dead instance skipped. The copy under test differs from the shipped
 * file only in addresses (compose's service names resolve only inside compose), the pid file
 * and the temp folders (test/helpers/nginx.ts); the shipped file itself is shown to fail only
 * on those names.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { findBinary } from '../helpers/binaries.js'
import { NGINX_INSTALL, type NginxUnderTest, prepareNginx, shippedNginxConf } from '../helpers/nginx.js'

const nginx = findBinary('nginx', NGINX_INSTALL)
const shipped = shippedNginxConf()

interface Upstream {
  server: http.Server
  port: number
  connections: number
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>
}

/**
 * A stand-in API: answers every request with what it received, echoes WebSocket messages;
 * but POST /v1/dies drops the connection without answering, as an instance killed mid-request.
 */
async function startUpstream(name: string): Promise<Upstream> {
  const upstream: Upstream = { server: http.createServer(), port: 0, connections: 0, requests: [] }
  const sockets = new WebSocketServer({ noServer: true })
  upstream.server.on('connection', () => upstream.connections++)
  upstream.server.on('request', (req, res) => {
    upstream.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    if (req.method === 'POST' && req.url === '/v1/dies') return void req.socket.destroy()
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, headers: req.headers }))
  })
  upstream.server.on('upgrade', (req, socket, head) => {
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => ws.send(`${name}:${req.url}:${data}`))
    })
  })
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve))
  upstream.port = (upstream.server.address() as AddressInfo).port
  return upstream
}

/** A GET through nginx with node:http (fetch does not let a client set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = ''
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

describe.skipIf(!nginx)('deploy/nginx/nginx.conf under the real nginx', () => {
  let proxy: NginxUnderTest
  let port: number
  let upstreams: Upstream[]
  const output = () => proxy.output()

  beforeAll(async () => {
    upstreams = [await startUpstream('api-1'), await startUpstream('api-2')]
    proxy = await prepareNginx(
      nginx as string,
      upstreams.map((u) => u.port),
    )
    port = proxy.port
    expect(readFileSync(proxy.conf, 'utf8')).not.toContain('api-1:')
  })

  afterAll(async () => {
    await proxy?.stop()
    for (const upstream of upstreams ?? []) {
      upstream.server.closeAllConnections()
      await new Promise((resolve) => upstream.server.close(resolve))
    }
  })

  it('nginx -t accepts it; the shipped file fails only on the compose service names', () => {
    const check = proxy.check()
    expect(check.status, check.stderr).toBe(0)
    expect(check.stderr).toContain('test is successful')
    const original = path.join(proxy.dir, 'shipped.conf')
    writeFileSync(original, shipped.replace(/pid [^;]+;/, `pid ${proxy.dir}/nginx.pid;`))
    const raw = spawnSync(nginx as string, ['-t', '-e', 'stderr', '-p', proxy.dir, '-c', original], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    expect(raw.status).not.toBe(0)
    expect(raw.stderr).toMatch(/host not found in upstream "api-[12]:3000"/)
  })

  it('serves, passing X-Forwarded-* it sets itself and a request id, over kept-alive connections', async () => {
    await proxy.start()
    const base = proxy.base

    // A client's own X-Forwarded-For is replaced by the address nginx saw: with TRUST_PROXY the
    // API would otherwise take a spoofed address for rate limits.
    const res = await get(`${base}/v1/markets?limit=1`, {
      'x-forwarded-for': '203.0.113.9',
      host: 'api.example.test',
    })
    expect(res.status).toBe(200)
    const seen = JSON.parse(res.body) as { headers: http.IncomingHttpHeaders }
    expect(seen.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.example.test',
      host: 'api.example.test',
    })
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
    const traced = await get(`${base}/healthz`, { 'x-request-id': 'req-from-client-1' })
    expect(JSON.parse(traced.body).headers['x-request-id']).toBe('req-from-client-1')

    const before = upstreams.reduce((n, u) => n + u.connections, 0)
    const requests = 30
    for (let i = 0; i < requests; i++) expect((await get(`${base}/v1/markets/${i}`)).status).toBe(200)
    const opened = upstreams.reduce((n, u) => n + u.connections, 0) - before
    // Without keep-alive every request would open a connection to an upstream.
    expect(opened).toBeLessThan(requests / 3)
    // least_conn spreads them over both instances.
    expect(upstreams.every((u) => u.requests.length > 0)).toBe(true)
    // The access log names the upstream and the request id of each request.
    expect(output()).toMatch(
      /"GET \/healthz HTTP\/1\.1" 200 .* upstream=127\.0\.0\.1:\d+ 200 .* id=req-from-client-1/,
    )
  })

  it('upgrades WebSockets on /v1/stream and /realtime/v1/websocket', async () => {
    for (const feed of ['/v1/stream', '/realtime/v1/websocket?vsn=1.0.0']) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${feed}`)
      const answer = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send('hello'))
        ws.once('message', (data) => resolve(String(data)))
        ws.once('error', reject)
      })
      ws.close()
      expect(answer).toMatch(new RegExp(`^api-[12]:${feed.replace(/[?.]/g, '\\$&')}:hello$`))
    }
  })

  it('never sends a POST to a second instance once the first received it (a trade is not doubled)', async () => {
    const posts = () => upstreams.flatMap((u) => u.requests.filter((r) => r.method === 'POST'))
    const before = posts().length
    // Both stand-ins drop the connection under the POST, as an instance killed mid-trade: nginx
    // must answer 502 rather than replay the request to the other one, which a client's retry
    // with its Idempotency-Key settles instead.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `http://127.0.0.1:${port}/v1/dies`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end('{"outcome":0,"side":"buy","amount":"1"}')
    })
    expect(status).toBe(502)
    expect(posts().length - before).toBe(1)
    // One upstream tried, not two (nginx writes the access line just after the answer).
    const logged = /"POST \/v1\/dies HTTP\/1\.1" 502 .* upstream=(\S+) 502 /
    while (!logged.test(output())) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(logged.exec(output())?.[1]).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('skips an instance that is down: every request is still answered', async () => {
    const [, down] = upstreams as [Upstream, Upstream]
    down.server.closeAllConnections()
    await new Promise((resolve) => down.server.close(resolve))
    const names = new Set<string>()
    for (let i = 0; i < 10; i++) {
      const res = await get(`http://127.0.0.1:${port}/v1/markets`)
      expect(res.status).toBe(200)
      names.add(JSON.parse(res.body).name)
    }
    expect([...names]).toEqual(['api-1'])
  })
})
