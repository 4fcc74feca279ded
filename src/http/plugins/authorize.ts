/**
 * The HTTP side of src/domain/identity/authorize.ts: asks the one authorisation module about
 * the request's principal and turns a denial into the 401 or 403 problem document.
 */
import type { FastifyRequest } from 'fastify'
import { type Action, authorize, type ResourceFacts } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'

function enforce(principal: Principal | null, action: Action, facts?: ResourceFacts): void {
  const decision = authorize(principal, action, facts)
  if (decision.allowed) return
  if (decision.status === 401) throw errors.unauthorized(decision.detail)
  throw new AppError({
    code: ErrorCode.Forbidden,
    status: 403,
    title: 'Forbidden',
    detail: decision.detail,
    extensions: { reason: decision.reason },
  })
}

/** For actions anyone may take: the principal when there is one. */
export function authorizeRequest(
  request: FastifyRequest,
  action: Action,
  facts?: ResourceFacts,
): Principal | null {
  enforce(request.principal, action, facts)
  return request.principal
}

/** For actions that need a signed-in caller (or an API key): the principal, or a 401/403. */
export function authorizeUser(request: FastifyRequest, action: Action, facts?: ResourceFacts): Principal {
  enforce(request.principal, action, facts)
  if (!request.principal) throw errors.unauthorized()
  return request.principal
}
