/**
 * Refused credentials by reason (authenticator.ts AUTH_FAILURE_REASONS, a fixed list): a rise in
 * `token_expired` is clients not refreshing, in `api_key_invalid` someone guessing keys.
 */
import { perRegistry } from '../../infra/metrics.js'
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from './authenticator.js'

export const authFailures = perRegistry((metrics) => {
  const failures = metrics.counter({
    name: 'dm_auth_failures_total',
    help: 'Bearer credentials refused (401, or 503 when the signing keys cannot be fetched), by reason',
    labelNames: ['reason'] as const,
  })
  const children = new Map(
    AUTH_FAILURE_REASONS.map((reason) => {
      const child = failures.labels(reason)
      child.inc(0)
      return [reason, child]
    }),
  )
  return (reason: AuthFailureReason) => children.get(reason)?.inc()
})
