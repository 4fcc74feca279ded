/**
 * The HTTP side of src/domain/identity/authorize.ts: asks the one authorisation module about
 * the request's principal; a denial leaves as the 401 or 403 problem document.
 */
import type { FastifyRequest } from 'fastify'
import type { Action, ResourceFacts } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { assertAllowed, checkAllowed } from '../../services/identity/access.js'

/** For actions anyone may take: the principal when there is one. */
export function authorizeRequest(
  request: FastifyRequest,
  action: Action,
  facts?: ResourceFacts,
): Principal | null {
  return checkAllowed(request.principal, action, facts)
}

/** For actions that need a signed-in caller (or an API key): the principal, or a 401/403. */
export function authorizeUser(request: FastifyRequest, action: Action, facts?: ResourceFacts): Principal {
  return assertAllowed(request.principal, action, facts)
}
