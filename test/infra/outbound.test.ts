/**
 * The outbound guard: agents' LLM endpoints and webhooks reach the public Internet only.
 * Addresses are judged literally and after DNS (node:dns is wrapped here so names can resolve
 * to chosen addresses, as a hostile DNS server would answer), redirects are re-checked, and
 * answers are read up to a limit. Real HTTP servers on loopback stand for the targets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { literalRefusal } from '../../src/domain/outbound-policy.js'
import { chatJson, LLM_MAX_ANSWER_BYTES, LlmError } from '../../src/infra/llm.js'
import { OutboundRefused, outboundRequest } from '../../src/infra/outbound.js'
import { deliverWebhook } from '../../src/infra/webhooks.js'
import { startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver } from '../fakes/webhook-receiver.js'

/** Names this test's "DNS" answers itself; every other name resolves as usual. */
const fakeDns = vi.hoisted(() => new Map<string, Array<{ address: string; family: number }>>())
vi.mock('node:dns', async (importOriginal) => {
  const dns = await importOriginal<typeof import('node:dns')>()
  const lookup = (hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const answer = fakeDns.get(hostname)
    if (!answer) return (dns.lookup as (...args: unknown[]) => void)(hostname, options, callback)
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all
    if (all) return callback(null, answer)
    return callback(null, answer[0]?.address, answer[0]?.family)
  }
  return { ...dns, default: { ...dns, lookup }, lookup }
})

const NONE = { allowHosts: [] }
const LOOPBACK = { allowHosts: ['127.0.0.1'] }

type Handler = (req: IncomingMessage, res: ServerResponse) => void
async function serve(handler: Handler) {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const post = (url: string, policy: { allowHosts: string[] }, extra: { maxRedirects?: number } = {}) =>
  outboundRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret' },
    body: '{}',
    timeoutMs: 5000,
    maxBytes: 1024,
    policy,
    ...extra,
  })

describe('requests', () => {
  let target: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    target = await serve((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200)
        res.end(Buffer.alloc(2 * 1024 * 1024, 'x'))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }))
    })
  })
  afterAll(() => target.close())

  it('loopback is refused without the allow-list, and nothing reaches it', async () => {
    const before = target.hits.length
    await expect(post(`${target.url}/x`, NONE)).rejects.toBeInstanceOf(OutboundRefused)
    expect(target.hits.length).toBe(before)
    expect((await post(`${target.url}/x`, LOOPBACK)).status).toBe(200)
  })

  it('a name is refused when any of its addresses is not public, after DNS', async () => {
    fakeDns.set('rebind.example', [{ address: '127.0.0.1', family: 4 }])
    fakeDns.set('mixed.example', [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ])
    fakeDns.set('mapped.example', [{ address: '::ffff:169.254.169.254', family: 6 }])
    const before = target.hits.length
    for (const host of ['rebind.example', 'mixed.example', 'mapped.example']) {
      // Written as a name, the URL passes the literal check; the resolved address does not.
      expect(literalRefusal(`http://${host}:${target.port}/x`, NONE)).toBeUndefined()
      const error = await post(`http://${host}:${target.port}/x`, NONE).catch((e) => e)
      expect(error, host).toBeInstanceOf(OutboundRefused)
      expect(error.message).toMatch(/resolves to a loopback, private/)
    }
    expect(target.hits.length).toBe(before)
  })

  it('connects to the address it checked (the lookup is pinned to the connection)', async () => {
    // Allowed by address: the name resolves (once, here) to the allowed 127.0.0.1 and the
    // request arrives, so the socket used the checked answer and no second resolution.
    fakeDns.set('pinned.example', [{ address: '127.0.0.1', family: 4 }])
    const res = await post(`http://pinned.example:${target.port}/x`, LOOPBACK)
    expect(res.status).toBe(200)
  })

  it('reads at most maxBytes of an answer', async () => {
    const res = await post(`${target.url}/big`, LOOPBACK)
    expect(res.truncated).toBe(true)
    expect(res.body.length).toBe(1024)
  })

  it('a redirect to a private address is refused; a redirect is not followed unless asked', async () => {
    const redirector = await serve((req, res) => {
      const to =
        req.url === '/to-metadata'
          ? 'http://169.254.169.254/latest/meta-data/'
          : req.url === '/to-rebind'
            ? `http://rebind.example:${target.port}/x`
            : `${target.url}/x`
      res.writeHead(307, { location: to })
      res.end()
    })
    fakeDns.set('rebind.example', [{ address: '127.0.0.1', family: 4 }])
    try {
      const before = target.hits.length
      const refused = await post(`${redirector.url}/to-metadata`, LOOPBACK, { maxRedirects: 3 }).catch(
        (e) => e,
      )
      expect(refused).toBeInstanceOf(OutboundRefused)
      // The first hop is allowed by name; the redirect's name resolves to loopback, which
      // is not allowed: refused after DNS, and nothing reaches it.
      fakeDns.set('redirector.example', [{ address: '127.0.0.1', family: 4 }])
      const rebound = await post(
        `http://redirector.example:${redirector.port}/to-rebind`,
        { allowHosts: ['redirector.example'] },
        { maxRedirects: 3 },
      ).catch((e) => e)
      expect(rebound).toBeInstanceOf(OutboundRefused)
      expect(target.hits.length).toBe(before)
      // Not asked to follow: the 307 is the answer.
      expect((await post(`${redirector.url}/ok`, LOOPBACK)).status).toBe(307)
      // Followed across origins: the credentials stay behind, as fetch does.
      const followed = await post(`${redirector.url}/ok`, LOOPBACK, { maxRedirects: 1 })
      expect(followed.status).toBe(200)
      expect(JSON.parse(followed.body.toString())).toEqual({ authorization: null })
    } finally {
      await redirector.close()
    }
  })
})

describe('the LLM client and webhooks under the guard', () => {
  const schema = { type: 'object' }
  const ask = (baseUrl: string, outbound: { allowHosts: string[] }) =>
    chatJson(
      { baseUrl, model: 'm', apiKey: 'sk-1' },
      { messages: [], schema, schemaName: 'x', validate: () => undefined, outbound },
    )

  it('refuses a loopback LLM without the allow-list, before sending anything', async () => {
    const llm = await startFakeLlm(() => ({ kind: 'json', value: { ok: true } }))
    try {
      const error = await ask(llm.baseUrl, NONE).catch((e) => e)
      expect(error).toBeInstanceOf(LlmError)
      expect(error.code).toBe('llm_target_refused')
      expect(llm.requests).toHaveLength(0)
      expect((await ask(llm.baseUrl, LOOPBACK)).value).toEqual({ ok: true })
    } finally {
      await llm.close()
    }
  })

  it("never quotes a failed answer's body", async () => {
    const llm = await startFakeLlm(() => ({
      kind: 'status',
      status: 500,
      body: 'INTERNAL-ADMIN-PANEL root:x:0:0',
    }))
    try {
      const error = await ask(llm.baseUrl, LOOPBACK).catch((e) => e)
      expect(error.code).toBe('llm_http_error')
      expect(error.message).toBe('The LLM endpoint answered 500')
      llm.reply = () => ({ kind: 'content', content: 'INTERNAL-ADMIN-PANEL, not JSON' })
      const malformed = await ask(llm.baseUrl, LOOPBACK).catch((e) => e)
      expect(malformed.code).toBe('llm_malformed_output')
      expect(malformed.message).not.toContain('INTERNAL')
      llm.reply = () => ({ kind: 'refusal', refusal: 'INTERNAL-ADMIN-PANEL' })
      expect((await ask(llm.baseUrl, LOOPBACK).catch((e) => e)).message).not.toContain('INTERNAL')
    } finally {
      await llm.close()
    }
  })

  it(`reads at most ${LLM_MAX_ANSWER_BYTES} bytes of an LLM answer`, async () => {
    const llm = await startFakeLlm(() => ({
      kind: 'json',
      value: { rationale: 'x'.repeat(2 * 1024 * 1024) },
    }))
    try {
      const error = await ask(llm.baseUrl, LOOPBACK).catch((e) => e)
      expect(error.code).toBe('llm_malformed_output')
      expect(error.message).toMatch(/larger than 65536 bytes/)
    } finally {
      await llm.close()
    }
  })

  it('a webhook to loopback is a failed attempt without the allow-list; redirects are not followed', async () => {
    const secret = 'whsec_test_0123456789'
    const receiver = await startWebhookReceiver(secret)
    const redirector = await serve((_req, res) => {
      res.writeHead(307, { location: receiver.url })
      res.end()
    })
    const send = (url: string, outbound: { allowHosts: string[] }) =>
      deliverWebhook({
        url,
        secret,
        deliveryId: 'dlv_guard',
        event: 'decision.made',
        body: '{}',
        nowSeconds: Math.floor(Date.now() / 1000),
        outbound,
      })
    try {
      const refused = await send(receiver.url, NONE)
      expect(refused).toMatchObject({ ok: false })
      expect(refused.error).toMatch(/not allowed/)
      expect(await send(redirector.url, LOOPBACK)).toMatchObject({ ok: false, status: 307 })
      expect(receiver.accepted).toEqual([])
      expect(await send(receiver.url, LOOPBACK)).toMatchObject({ ok: true, status: 200 })
    } finally {
      await redirector.close()
      await receiver.close()
    }
  })
})
