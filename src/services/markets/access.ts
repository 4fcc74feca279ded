/**
 * Authorisation of market actions: the one table in domain/identity/authorize.ts decides, this
 * turns its denial into the 401/403 problem. Services call it once they have loaded the facts
 * (the market's creator and resolver), so routes stay free of checks.
 */
import { type Action, authorize, type ResourceFacts } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'

export function assertAllowed(principal: Principal | null, action: Action, facts?: ResourceFacts): Principal {
  const decision = authorize(principal, action, facts)
  if (!decision.allowed) {
    if (decision.status === 401) throw errors.unauthorized(decision.detail)
    throw new AppError({
      code: ErrorCode.Forbidden,
      status: 403,
      title: 'Forbidden',
      detail: decision.detail,
      extensions: { reason: decision.reason },
    })
  }
  if (!principal) throw errors.unauthorized()
  return principal
}
