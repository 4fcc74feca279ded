/**
 * Requests per second of the cheapest authenticated GET (/v1/me) against a running API:
 * `BENCH_URL=http://127.0.0.1:PORT tsx bench/auth-me.ts`. Not a test. Signs a user up, makes an
 * API key, then BENCH_CLIENTS keep-alive clients run closed loops for BENCH_DURATION_S with the
 * access token, then with the key. The API must run with rate limits off
 * (RATE_LIMIT_IP_MAX=0 RATE_LIMIT_USER_MAX=0 RATE_LIMIT_AUTH_MAX=0), on 127.0.0.1.
 */
import http from 'node:http'
import { performance } from 'node:perf_hooks'

const BASE = new URL(process.env.BENCH_URL ?? 'http://127.0.0.1:3000')
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })

function request(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(
      {
        host: BASE.hostname,
        port: BASE.port,
        method,
        path,
        agent,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

async function measure(label: string, headers: Record<string, string>) {
  const until = performance.now() + DURATION_S * 1000
  let ok = 0
  let failed = 0
  const latencies: number[] = []
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const started = performance.now()
        const res = await request('GET', '/v1/me', headers)
        latencies.push(performance.now() - started)
        if (res.status === 200) ok++
        else failed++
      }
    }),
  )
  latencies.sort((x, y) => x - y)
  const at = (q: number) => (latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2)
  console.log(
    `${label}: ${(ok / DURATION_S).toFixed(0)} req/s (${ok} ok, ${failed} failed), p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
  )
}

const email = `bench-${Date.now()}@example.test`
const signup = await request(
  'POST',
  '/auth/v1/signup',
  { 'x-supabase-api-version': '2024-01-01' },
  { email, password: 'correct horse battery staple' },
)
if (signup.status !== 200) throw new Error(`sign-up failed: ${signup.status} ${signup.body}`)
const token = (JSON.parse(signup.body) as { access_token: string }).access_token
const bearer = { authorization: `Bearer ${token}` }
const created = await request('POST', '/v1/me/api-keys', bearer, { name: 'bench', scopes: ['read'] })
if (created.status !== 201) throw new Error(`API key failed: ${created.status} ${created.body}`)
const key = (JSON.parse(created.body) as { key: string }).key
await measure('GET /v1/me, access token', bearer)
await measure('GET /v1/me, API key', { authorization: `Bearer ${key}` })
agent.destroy()
