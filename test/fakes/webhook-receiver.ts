/**
 * An operator's system as tests need it: a real HTTP server that checks each webhook's
 * signatures (the legacy DM-Signature as documented, and the Standard Webhooks one with the
 * standard's own library, `standardwebhooks`), fails the first N deliveries on purpose (so retries are exercised), and drops
 * duplicates by delivery id as a careful receiver would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/**
 * The signature check as the OpenAPI document's `webhooks` section tells a receiver to write it,
 * not the service's own helper: HMAC-SHA256 of `<t>.<raw body>`, keyed with the secret verbatim
 * (`whsec_…` included, not base64-decoded), a timestamp within 300 s.
 */
export function verifyAsDocumented(secret: string, header: string | undefined, raw: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!match) return false
  const [, t, given] = match as unknown as [string, string, string]
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.${raw}`).digest()
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
}

/**
 * The Standard Webhooks check as an operator writes it with the library, following the docs: a
 * `whsec_` secret in base64 is passed as it is, any other secret with `format: 'raw'`.
 */
export function verifyStandard(secret: string, headers: Record<string, unknown>, raw: string): boolean {
  const webhook = /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)
    ? new Webhook(secret)
    : new Webhook(secret, { format: 'raw' })
  try {
    webhook.verify(raw, headers as Record<string, string>)
    return true
  } catch {
    return false
  }
}

export interface ReceivedWebhook {
  deliveryId: string
  event: string
  body: unknown
}

export interface WebhookReceiver {
  url: string
  /** Every attempt, including the failed and the refused. */
  attempts: Array<{
    deliveryId: string | undefined
    status: number
    signatureOk: boolean
    atMs: number
    /** W3C trace context headers as received. */
    traceparent: string | undefined
    tracestate: string | undefined
  }>
  /** Accepted deliveries, one per delivery id. */
  accepted: ReceivedWebhook[]
  failNext: number
  close(): Promise<void>
}

export async function startWebhookReceiver(secret: string, options: { failFirst?: number } = {}) {
  const receiver: WebhookReceiver = {
    url: '',
    attempts: [],
    accepted: [],
    failNext: options.failFirst ?? 0,
    close: async () => {},
  }
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const atMs = Date.now()
    const deliveryId = request.headers['dm-delivery'] as string | undefined
    const signatureOk =
      verifyAsDocumented(secret, request.headers['dm-signature'] as string | undefined, raw) &&
      verifyStandard(secret, request.headers, raw)
    let status = 200
    if (!signatureOk) status = 401
    else if (receiver.failNext > 0) {
      receiver.failNext--
      status = 503
    } else if (deliveryId && !receiver.accepted.some((item) => item.deliveryId === deliveryId)) {
      receiver.accepted.push({
        deliveryId,
        event: String(request.headers['dm-event'] ?? ''),
        body: JSON.parse(raw),
      })
    }
    receiver.attempts.push({
      deliveryId,
      status,
      signatureOk,
      atMs,
      traceparent: request.headers.traceparent as string | undefined,
      tracestate: request.headers.tracestate as string | undefined,
    })
    response.writeHead(status, { 'content-type': 'text/plain' })
    response.end(status === 200 ? 'ok' : 'no')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  receiver.url = `http://127.0.0.1:${port}/hooks/decisions`
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return receiver
}
