import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chatJson, LlmError } from '../../src/infra/llm.js'
import {
  deliverWebhook,
  generateWebhookSecret,
  signatureHeader,
  standardKey,
  verifySignature,
} from '../../src/infra/webhooks.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver } from '../fakes/webhook-receiver.js'
import { freePort } from '../helpers/net.js'

const schema = {
  type: 'object',
  properties: { action: { type: 'string' }, confidence: { type: 'number' } },
  required: ['action', 'confidence'],
  additionalProperties: false,
}
const validate = (value: unknown) => {
  const v = value as { action?: unknown; confidence?: unknown }
  if (typeof v?.action !== 'string') return 'action must be a string'
  if (typeof v.confidence !== 'number' || v.confidence < 0 || v.confidence > 1)
    return 'confidence must be in [0, 1]'
  return undefined
}
/** The fakes listen on loopback, which is refused unless allowed. */
const LOOPBACK = { allowHosts: ['127.0.0.1'] }

const ask = (llm: FakeLlmServer, timeoutMs?: number) =>
  chatJson<{ action: string; confidence: number }>(
    { baseUrl: llm.baseUrl, apiKey: 'sk-test-123', model: 'test-model' },
    {
      messages: [{ role: 'user', content: 'Pick one of A, B, C' }],
      schema,
      schemaName: 'choice',
      validate,
      outbound: LOOPBACK,
      ...(timeoutMs ? { timeoutMs } : {}),
    },
  )

describe('OpenAI-compatible chat client', () => {
  let llm: FakeLlmServer
  beforeAll(async () => {
    llm = await startFakeLlm(() => ({ kind: 'json', value: { action: 'A', confidence: 0.7 } }))
  })
  afterAll(() => llm.close())

  it('asks for strict JSON-schema output and parses the answer', async () => {
    const result = await ask(llm)
    expect(result.value).toEqual({ action: 'A', confidence: 0.7 })
    expect(result.completionId).toMatch(/^chatcmpl-fake-/)
    const sent = llm.requests.at(-1)!
    expect(sent.authorization).toBe('Bearer sk-test-123')
    expect(sent.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'choice', schema, strict: true },
    })
  })

  it('accepts JSON wrapped in a Markdown fence', async () => {
    llm.reply = () => ({ kind: 'content', content: '```json\n{"action":"B","confidence":0.5}\n```' })
    expect((await ask(llm)).value.action).toBe('B')
  })

  it.each([
    [{ kind: 'content', content: 'I think B is best' }, 'llm_malformed_output'],
    [{ kind: 'json', value: { action: 'B', confidence: 7 } }, 'llm_malformed_output'],
    [{ kind: 'content', content: '' }, 'llm_malformed_output'],
    [{ kind: 'refusal', refusal: 'I cannot help with that' }, 'llm_refused'],
    [{ kind: 'status', status: 500 }, 'llm_http_error'],
    [{ kind: 'status', status: 200, body: 'not json' }, 'llm_malformed_output'],
  ] as const)('turns %o into a typed failure %s', async (reply, code) => {
    llm.reply = () => reply
    const error = await ask(llm).catch((e) => e)
    expect(error).toBeInstanceOf(LlmError)
    expect(error.code).toBe(code)
  })

  it('an unreachable endpoint is a typed failure', async () => {
    const port = await freePort()
    const error = await chatJson(
      { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' },
      { messages: [], schema, schemaName: 'x', validate, outbound: LOOPBACK },
    ).catch((e) => e)
    expect(error).toMatchObject({ code: 'llm_unreachable' })
  })
})

describe('webhook signatures and delivery', () => {
  const secret = 'whsec_test_0123456789'

  it('verifies its own signatures and refuses tampering and replays', () => {
    const body = '{"a":1}'
    const now = 1_800_000_000
    const header = signatureHeader(secret, now, body)
    expect(verifySignature(secret, header, body, now)).toBe(true)
    expect(verifySignature(secret, header, '{"a":2}', now)).toBe(false)
    expect(verifySignature('other-secret', header, body, now)).toBe(false)
    expect(verifySignature(secret, header, body, now + 301)).toBe(false)
    expect(verifySignature(secret, 't=1,v1=zz', body, now)).toBe(false)
    expect(verifySignature(secret, undefined, body, now)).toBe(false)
  })

  it('delivers to a receiver that checks the signature; failures are reported, not thrown', async () => {
    const receiver = await startWebhookReceiver(secret, { failFirst: 1 })
    try {
      const send = (signWith: string) =>
        deliverWebhook({
          url: receiver.url,
          secret: signWith,
          deliveryId: 'dlv_1',
          event: 'decision.made',
          body: JSON.stringify({ action: 'C' }),
          nowSeconds: Math.floor(Date.now() / 1000),
          outbound: LOOPBACK,
        })
      expect(await send('wrong-secret')).toMatchObject({ ok: false, status: 401 })
      expect(await send(secret)).toMatchObject({ ok: false, status: 503 })
      expect(await send(secret)).toMatchObject({ ok: true, status: 200 })
      expect(await send(secret)).toMatchObject({ ok: true, status: 200 }) // duplicate, dropped by the receiver
      expect(receiver.accepted).toEqual([
        { deliveryId: 'dlv_1', event: 'decision.made', body: { action: 'C' } },
      ])
    } finally {
      await receiver.close()
    }
    const port = await freePort()
    const unreachable = await deliverWebhook({
      url: `http://127.0.0.1:${port}/x`,
      secret,
      deliveryId: 'dlv_2',
      event: 'decision.made',
      body: '{}',
      nowSeconds: 0,
      outbound: LOOPBACK,
    })
    expect(unreachable.ok).toBe(false)
    expect(unreachable.error).toBeTruthy()
  })
})

describe('Standard Webhooks signatures, checked with the standard’s own library', () => {
  /** One delivery to a server that keeps what it received. */
  async function received(secret: string, body: string, deliveryId = 'dlv_std') {
    let got: { headers: IncomingHttpHeaders; raw: string } | undefined
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      got = { headers: request.headers, raw: Buffer.concat(chunks).toString('utf8') }
      response.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const attempt = await deliverWebhook({
        url: `http://127.0.0.1:${port}/hook`,
        secret,
        deliveryId,
        event: 'decision.made',
        body,
        nowSeconds: Math.floor(Date.now() / 1000),
        outbound: LOOPBACK,
      })
      expect(attempt.ok).toBe(true)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    if (!got) throw new Error('nothing received')
    return got
  }
  const headersOf = (headers: IncomingHttpHeaders) => headers as Record<string, string>

  it('a generated secret verifies as it is; the id is the delivery id; both schemes are sent', async () => {
    const secret = generateWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    const body = JSON.stringify({ action: 'B', delivery_id: 'dlv_std' })
    const { headers, raw } = await received(secret, body)
    expect(headers['webhook-id']).toBe('dlv_std')
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    expect(new Webhook(secret).verify(raw, headersOf(headers))).toEqual({
      action: 'B',
      delivery_id: 'dlv_std',
    })
    // The legacy header still verifies for receivers written against it.
    expect(
      verifySignature(secret, headers['dm-signature'] as string, raw, Math.floor(Date.now() / 1000)),
    ).toBe(true)
    // Another secret, another body, another id: refused.
    expect(() => new Webhook(generateWebhookSecret()).verify(raw, headersOf(headers))).toThrow()
    expect(() => new Webhook(secret).verify(`${raw} `, headersOf(headers))).toThrow()
    expect(() => new Webhook(secret).verify(raw, { ...headersOf(headers), 'webhook-id': 'other' })).toThrow()
  })

  it('a secret the operator chose verifies with format raw', async () => {
    const secret = 'my own webhook secret, 2026'
    const { headers, raw } = await received(secret, '{"x":1}')
    expect(new Webhook(secret, { format: 'raw' }).verify(raw, headersOf(headers))).toEqual({ x: 1 })
  })

  it('a secret generated before (URL-safe base64) verifies once its alphabet is the standard one', async () => {
    const rest = 'ab-_'.repeat(8)
    const secret = `whsec_${rest}`
    const { headers, raw } = await received(secret, '{"y":2}')
    const standard = `whsec_${rest.replace(/-/g, '+').replace(/_/g, '/')}`
    expect(new Webhook(standard).verify(raw, headersOf(headers))).toEqual({ y: 2 })
  })

  it('takes as base64 only what encodes back to itself; anything else is raw bytes', () => {
    expect(standardKey('whsec_AAEC')).toEqual(Buffer.from([0, 1, 2]))
    expect(standardKey('whsec_test_0123456789')).toEqual(Buffer.from('whsec_test_0123456789'))
    expect(standardKey('whsec_')).toEqual(Buffer.from('whsec_'))
    expect(standardKey('plain')).toEqual(Buffer.from('plain'))
  })
})
