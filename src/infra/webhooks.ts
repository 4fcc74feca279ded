/**
 * Outgoing webhooks: signed, identified, bounded in time. Retrying is the job queue's work
 * (a delivery job per event, retried with backoff until a 2xx); this module makes one attempt.
 *
 * Signature (the scheme Stripe and Svix made familiar, so receivers know how to check it):
 *   DM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   DM-Delivery:  <stable id of the event: the same on every retry, so receivers drop duplicates>
 * Receivers should refuse timestamps older than a few minutes (replays).
 *
 * The URL is the operator's choice: the call goes through the outbound guard
 * (infra/outbound.ts), follows no redirect (a 3xx is a failed attempt), reads at most 64 KiB of
 * the answer and records only its status.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { perRegistry } from './metrics.js'
import { type OutboundPolicy, OutboundRefused, OutboundTimeout, outboundRequest } from './outbound.js'
import { type TraceContext, traceHeaders } from './trace-context.js'

/** The receiver's answer is drained up to this and dropped; only its status matters. */
const MAX_RECEIVER_ANSWER_BYTES = 64 * 1024

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

/**
 * How an attempt ended: delivered (2xx), failed (another status, or the connection failed),
 * timeout (no answer in time), refused (the outbound guard would not call the URL), unconfigured
 * (the agent has no URL or secret any more; decided by the caller).
 */
export const WEBHOOK_OUTCOMES = ['delivered', 'failed', 'timeout', 'refused', 'unconfigured'] as const
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number]

/** Attempts by outcome, every outcome present from the start. */
export const webhookAttempts = perRegistry((metrics) => {
  const attempts = metrics.counter({
    name: 'dm_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, failed, timeout, refused, unconfigured)',
    labelNames: ['outcome'] as const,
  })
  const children = new Map(
    WEBHOOK_OUTCOMES.map((outcome) => {
      const child = attempts.labels(outcome)
      child.inc(0)
      return [outcome, child]
    }),
  )
  return (outcome: WebhookOutcome) => children.get(outcome)?.inc()
})

export interface WebhookAttempt {
  ok: boolean
  outcome: WebhookOutcome
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
  /** Which non-public hosts may be called (OUTBOUND_ALLOW_HOSTS). */
  outbound: OutboundPolicy
  /** Sent as `traceparent`/`tracestate`: the receiver's trace continues ours. */
  trace?: TraceContext | undefined
}): Promise<WebhookAttempt> {
  const started = performance.now()
  try {
    const response = await outboundRequest(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'decision-markets-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(options.secret, options.nowSeconds, options.body),
        [DELIVERY_HEADER]: options.deliveryId,
        [EVENT_HEADER]: options.event,
        ...traceHeaders(options.trace),
      },
      body: options.body,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBytes: MAX_RECEIVER_ANSWER_BYTES,
      maxRedirects: 0,
      policy: options.outbound,
    })
    const durationMs = Math.round(performance.now() - started)
    return response.status >= 200 && response.status <= 299
      ? { ok: true, outcome: 'delivered', status: response.status, durationMs }
      : {
          ok: false,
          outcome: 'failed',
          status: response.status,
          error: `receiver answered ${response.status}`,
          durationMs,
        }
  } catch (error) {
    const message =
      error instanceof OutboundRefused
        ? `the webhook URL is not allowed: ${error.message}`
        : (error as Error).message
    return {
      ok: false,
      outcome:
        error instanceof OutboundRefused
          ? 'refused'
          : error instanceof OutboundTimeout
            ? 'timeout'
            : 'failed',
      error: message,
      durationMs: Math.round(performance.now() - started),
    }
  }
}
