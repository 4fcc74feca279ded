/**
 * Outgoing webhooks: signed, identified, bounded in time. Retrying is the job queue's work
 * (a delivery job per event, retried with backoff until a 2xx); this module makes one attempt.
 *
 * Signature (the scheme Stripe and Svix made familiar, so receivers know how to check it):
 *   DM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   DM-Delivery:  <stable id of the event: the same on every retry, so receivers drop duplicates>
 * Receivers should refuse timestamps older than a few minutes (replays).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'dm-signature'
export const DELIVERY_HEADER = 'dm-delivery'
export const EVENT_HEADER = 'dm-event'

export function signatureFor(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureFor(secret, timestamp, body)}`
}

/** For receivers (and our tests): checks the signature and the timestamp's age. */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]))
  const timestamp = Number(parts.t)
  const given = parts.v1
  if (!Number.isInteger(timestamp) || typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(signatureFor(secret, timestamp, body), 'hex')
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
}

export interface WebhookAttempt {
  ok: boolean
  status?: number
  error?: string
  durationMs: number
}

export async function deliverWebhook(options: {
  url: string
  secret: string
  deliveryId: string
  event: string
  body: string
  nowSeconds: number
  timeoutMs?: number
}): Promise<WebhookAttempt> {
  const started = performance.now()
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'decision-markets-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(options.secret, options.nowSeconds, options.body),
        [DELIVERY_HEADER]: options.deliveryId,
        [EVENT_HEADER]: options.event,
      },
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
    // Drain the body so the connection can be reused; its content is not ours to keep.
    await response.arrayBuffer().catch(() => undefined)
    const durationMs = Math.round(performance.now() - started)
    return response.ok
      ? { ok: true, status: response.status, durationMs }
      : { ok: false, status: response.status, error: `receiver answered ${response.status}`, durationMs }
  } catch (error) {
    return { ok: false, error: (error as Error).message, durationMs: Math.round(performance.now() - started) }
  }
}
