/**
 * Outgoing webhooks: signed, identified, bounded in time. Retrying is the job queue's work
 * (a delivery job per event, retried with backoff until a 2xx); this module makes one attempt.
 *
 * Two signatures on every attempt, so a receiver checks whichever it knows:
 *
 * - Standard Webhooks (standardwebhooks.com, what Svix and its libraries verify):
 *     webhook-id:        <stable id of the event: the same on every retry>
 *     webhook-timestamp: <unix seconds of this attempt>
 *     webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>
 *   The key is the secret's bytes as the standard's libraries read it: the base64 after `whsec_`
 *   for the secrets we generate, the UTF-8 bytes of a secret the operator chose (their
 *   `format: 'raw'`), so an operator verifies with an existing library and no code of ours.
 * - The legacy scheme, kept for receivers written against it:
 *     DM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret verbatim, "<t>.<raw body>")>
 *     DM-Delivery:  <the same stable id>
 * Receivers should refuse timestamps older than a few minutes (replays).
 *
 * The URL is the operator's choice: the call goes through the outbound guard
 * (infra/outbound.ts), follows no redirect (a 3xx is a failed attempt), reads at most 64 KiB of
 * the answer and records only its status.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { perRegistry } from './metrics.js'
import { type OutboundPolicy, OutboundRefused, OutboundTimeout, outboundRequest } from './outbound.js'
import { type TraceContext, traceHeaders } from './trace-context.js'

/** The receiver's answer is drained up to this and dropped; only its status matters. */
const MAX_RECEIVER_ANSWER_BYTES = 64 * 1024

export const SIGNATURE_HEADER = 'dm-signature'
export const DELIVERY_HEADER = 'dm-delivery'
export const EVENT_HEADER = 'dm-event'

export const STANDARD_ID_HEADER = 'webhook-id'
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp'
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature'

/** `whsec_` and base64 of 24 random bytes: what the Standard Webhooks libraries take as a secret. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/**
 * The Standard Webhooks key of a secret. A `whsec_` secret whose rest is base64 (the standard
 * alphabet, or the URL-safe one that secrets generated before the standard headers used) is
 * those bytes, as the libraries read it; any other secret (one the operator chose) is its UTF-8
 * bytes, the libraries' `format: 'raw'` for an ASCII secret.
 */
export function standardKey(secret: string): Buffer {
  if (secret.startsWith('whsec_')) {
    const encoded = secret.slice('whsec_'.length).replace(/=+$/, '')
    const bytes = Buffer.from(encoded, 'base64')
    // Node decodes leniently (it skips what is not base64): only a string that encodes back to
    // itself is taken as base64, so no two secrets share a key.
    const again = [bytes.toString('base64'), bytes.toString('base64url')].map((text) =>
      text.replace(/=+$/, ''),
    )
    if (bytes.length > 0 && again.includes(encoded)) return bytes
  }
  return Buffer.from(secret, 'utf8')
}

export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', standardKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64')
  return `v1,${digest}`
}

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
        [STANDARD_ID_HEADER]: options.deliveryId,
        [STANDARD_TIMESTAMP_HEADER]: String(options.nowSeconds),
        [STANDARD_SIGNATURE_HEADER]: standardSignature(
          options.secret,
          options.deliveryId,
          options.nowSeconds,
          options.body,
        ),
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
