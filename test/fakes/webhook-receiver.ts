/**
 * An operator's system as tests need it: a real HTTP server that checks each webhook's
 * signature, fails the first N deliveries on purpose (so retries are exercised), and drops
 * duplicates by delivery id as a careful receiver would.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/infra/webhooks.js'

export interface ReceivedWebhook {
  deliveryId: string
  event: string
  body: unknown
}

export interface WebhookReceiver {
  url: string
  /** Every attempt, including the failed and the refused. */
  attempts: Array<{ deliveryId: string | undefined; status: number; signatureOk: boolean }>
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
    const deliveryId = request.headers[DELIVERY_HEADER] as string | undefined
    const signatureOk = verifySignature(
      secret,
      request.headers[SIGNATURE_HEADER] as string | undefined,
      raw,
      Math.floor(Date.now() / 1000),
    )
    let status = 200
    if (!signatureOk) status = 401
    else if (receiver.failNext > 0) {
      receiver.failNext--
      status = 503
    } else if (deliveryId && !receiver.accepted.some((item) => item.deliveryId === deliveryId)) {
      receiver.accepted.push({
        deliveryId,
        event: String(request.headers[EVENT_HEADER] ?? ''),
        body: JSON.parse(raw),
      })
    }
    receiver.attempts.push({ deliveryId, status, signatureOk })
    response.writeHead(status, { 'content-type': 'text/plain' })
    response.end(status === 200 ? 'ok' : 'no')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  receiver.url = `http://127.0.0.1:${port}/hooks/decisions`
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return receiver
}
