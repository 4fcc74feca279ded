/**
 * What the service sends to an operator's system, for the OpenAPI 3.1 `webhooks` section: the
 * payload of `decision.made` (its schema in src/contracts/webhooks.ts, built in
 * services/decisions/delivery.ts), its headers and signature (infra/webhooks.ts), and the retry
 * schedule. Receivers implement against this.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { Config } from '../../config/index.js'
import { DecisionWebhookPayload } from '../../contracts/webhooks.js'

/** The tolerance receivers should apply to the signature's timestamp (the reference verifier's). */
export const SIGNATURE_TOLERANCE_SECONDS = 300

export function retrySchedule(config: Pick<Config, 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_RETRY_DELAY_SECONDS'>) {
  const d = config.WEBHOOK_RETRY_DELAY_SECONDS
  return (
    `Up to ${config.WEBHOOK_MAX_ATTEMPTS} attempts (WEBHOOK_MAX_ATTEMPTS). The first retry comes ` +
    `WEBHOOK_RETRY_DELAY_SECONDS (${d} s) after the failed attempt, each later one twice the one before ` +
    `(${d} s, ${2 * d} s, ${4 * d} s, …), give or take the worker's poll interval (QUEUE_POLL_INTERVAL_SECONDS). ` +
    'After the last failure the delivery is marked failed; GET /v1/agents/{id}/decisions shows its attempts.'
  )
}

/** The `webhooks` member of the OpenAPI 3.1 document, typed as @fastify/swagger takes it. */
type Webhooks = NonNullable<
  Extract<NonNullable<FastifyDynamicSwaggerOptions['openapi']>, { webhooks?: unknown }>['webhooks']
>

/** A required string header of a webhook request. */
const header = (name: string, schema: Record<string, unknown>, description: string) => ({
  in: 'header' as const,
  name,
  required: true,
  schema: { type: 'string' as const, ...schema },
  description,
})

export function decisionWebhooks(config: Config): Webhooks {
  return {
    'decision.made': {
      post: {
        summary: 'A decision market chose an action',
        description: [
          "Sent to the agent's webhook URL once the market has decided (delivery `webhook`).",
          '',
          '**Signature (Standard Webhooks).** Every attempt is signed as standardwebhooks.com specifies, ' +
            'so the standard libraries verify it (`standardwebhooks` for TypeScript and Python, Svix’s libraries): ' +
            '`webhook-id` (the delivery id), `webhook-timestamp` (unix seconds of the attempt) and ' +
            '`webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")>`. ' +
            'A secret the service generated (`whsec_` and standard base64) is given to the library as it is; ' +
            'a secret you chose, with the library’s raw format (`new Webhook(secret, { format: "raw" })`: its ' +
            'UTF-8 bytes are the key); a `whsec_` secret generated before these headers (URL-safe base64) ' +
            'after replacing `-` by `+` and `_` by `/`.',
          '',
          '**Legacy signature.** Receivers written before the standard headers keep working: ' +
            '`DM-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is the lower-case hex ' +
            'HMAC-SHA256 of the string `<t>.<raw body>` (the exact bytes received, before any JSON parsing), ' +
            "keyed with the agent's webhook secret **verbatim** (the whole `whsec_…` string, prefix included, " +
            'as UTF-8 bytes, not base64-decoded); compare in constant time.',
          '',
          `**Timestamp.** \`t\` is when the attempt was made; each retry is signed afresh. Refuse a \`t\` more than ${SIGNATURE_TOLERANCE_SECONDS} s from your clock (replays).`,
          '',
          '**Acknowledging.** Answer 2xx within WEBHOOK_TIMEOUT_MS ' +
            `(${config.WEBHOOK_TIMEOUT_MS} ms) and nothing more is sent. Any other status, a redirect ` +
            '(not followed), a timeout or a refused connection counts as a failure.',
          '',
          `**Retries.** ${retrySchedule(config)} The same \`DM-Delivery\` id (and body \`delivery_id\`) comes on every attempt: drop duplicates by it.`,
        ].join('\n'),
        parameters: [
          header(
            'webhook-id',
            { format: 'uuid' },
            'Standard Webhooks: the delivery id, the same on every retry',
          ),
          header(
            'webhook-timestamp',
            { pattern: '^\\d+$' },
            'Standard Webhooks: unix seconds of this attempt',
          ),
          header(
            'webhook-signature',
            { pattern: '^v1,[A-Za-z0-9+/]+={0,2}$' },
            'Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<raw body>`',
          ),
          header(
            'DM-Signature',
            { pattern: '^t=\\d+,v1=[0-9a-f]{64}$' },
            'Legacy: HMAC-SHA256 of `<t>.<raw body>` keyed with the webhook secret verbatim',
          ),
          header(
            'DM-Delivery',
            { format: 'uuid' },
            'Legacy: stable id of this delivery, the same on every retry',
          ),
          header('DM-Event', { enum: ['decision.made'] }, 'The event: `decision.made`'),
        ],
        requestBody: {
          required: true,
          // A TypeBox schema is plain JSON Schema 2020-12, which OpenAPI 3.1 takes as it is.
          content: { 'application/json': { schema: DecisionWebhookPayload as object } },
        },
        responses: {
          '2XX': { description: 'Acknowledged: the delivery is done' },
          default: { description: 'Anything else is a failure and the delivery is retried' },
        },
      },
    },
  }
}
