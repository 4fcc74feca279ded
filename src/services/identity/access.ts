/**
 * The one authorisation table (src/domain/identity/authorize.ts) applied: a denial becomes the
 * 401 or 403 AppError, an allow hands back the principal. Routes call it through
 * src/http/plugins/authorize.ts; services call it once they have loaded the facts (a market's
 * creator, a key's owner).
 */
import { type Action, authorize, type ResourceFacts } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'

/** Throws the 401/403 for a denial; returns the principal (null only for `anyone` actions). */
export function checkAllowed(
  principal: Principal | null,
  action: Action,
  facts?: ResourceFacts,
): Principal | null {
  const decision = authorize(principal, action, facts)
  if (decision.allowed) return principal
  if (decision.status === 401) throw errors.unauthorized(decision.detail)
  throw new AppError({
    code: ErrorCode.Forbidden,
    status: 403,
    title: 'Forbidden',
    detail: decision.detail,
    extensions: { reason: decision.reason },
  })
}

/** As checkAllowed, for actions that need a caller: always a principal, or a 401/403. */
export function assertAllowed(principal: Principal | null, action: Action, facts?: ResourceFacts): Principal {
  const allowed = checkAllowed(principal, action, facts)
  if (!allowed) throw errors.unauthorized()
  return allowed
}
