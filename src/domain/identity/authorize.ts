/**
 * Every authorisation decision of the API, in one table: for each action, who may do it and
 * what an API key needs to do it. Pure (no I/O): the caller supplies the principal and the
 * facts about the resource it has loaded (its owner, its resolver), and gets back an allow or a
 * typed denial that maps to 401 or 403. Routes call it through `authorizeRequest` /
 * `authorizeUser` (src/http/plugins/authorize.ts); services may call it directly once they have
 * loaded the facts. test/domain/authorize.test.ts holds the role × resource × action matrix.
 *
 * Adding an action is adding a row to `policies` (and rows to the matrix test), e.g.
 *   'market.trade':          { who: ['user'], apiKey: 'trade' },
 *   'market.close':          { who: ['owner', 'admin'], apiKey: 'trade' },
 *   'market.resolve':        { who: ['resolver', 'admin'], apiKey: 'trade' },
 *   'market.settle_dispute': { who: ['admin'], apiKey: 'session' },
 * State rules (a closed market cannot be traded) are the domain's, not this table's.
 */
import { hasScope, type Principal, type Scope } from './principal.js'

/**
 * Who may act: `anyone` (anonymous callers too), any signed-in `user`, the resource's `owner`,
 * its `resolver`, or an `admin`. A caller matching any listed relation is allowed.
 */
export type Relation = 'anyone' | 'user' | 'owner' | 'resolver' | 'admin'

export interface Policy {
  readonly who: readonly Relation[]
  /**
   * What an API key needs: one of its scopes, or `session` when keys may never do this (minting
   * keys, changing the account, admin actions): a key can never do more than its owner, nor
   * extend itself.
   */
  readonly apiKey: Scope | 'session'
}

export const policies = {
  // Identity (issue 3)
  'profile.read': { who: ['anyone'], apiKey: 'read' },
  'me.read': { who: ['user'], apiKey: 'read' },
  'me.update': { who: ['user'], apiKey: 'session' },
  'api_key.create': { who: ['user'], apiKey: 'session' },
  'api_key.list': { who: ['user'], apiKey: 'read' },
  'api_key.revoke': { who: ['owner'], apiKey: 'session' },
  'audit.read': { who: ['admin'], apiKey: 'session' },
  'role.grant': { who: ['admin'], apiKey: 'session' },
  // Markets and money (issue 4). Market state (closed, already resolved, inside the dispute
  // window, holding shares) is checked by the market services, not here.
  'market.create': { who: ['user'], apiKey: 'trade' },
  'market.trade': { who: ['user'], apiKey: 'trade' },
  'market.close': { who: ['owner', 'admin'], apiKey: 'trade' },
  'market.resolve': { who: ['resolver', 'admin'], apiKey: 'trade' },
  'market.dispute': { who: ['user'], apiKey: 'trade' },
  'market.void': { who: ['admin'], apiKey: 'session' },
  'dispute.settle': { who: ['admin'], apiKey: 'session' },
  'grant.create': { who: ['admin'], apiKey: 'session' },
  'portfolio.read': { who: ['user'], apiKey: 'read' },
  // AI agents and decision markets (issue 5). An agent's operator is its owner; the operator
  // may not trade in the agent's undecided markets (checked by the trading service, which
  // knows the market's state).
  'agent.read': { who: ['anyone'], apiKey: 'read' },
  'agent.create': { who: ['user'], apiKey: 'agents' },
  'agent.update': { who: ['owner', 'admin'], apiKey: 'agents' },
  'agent.delete': { who: ['owner', 'admin'], apiKey: 'agents' },
  'agent.decide': { who: ['owner'], apiKey: 'agents' },
  'agent.report_outcome': { who: ['owner', 'admin'], apiKey: 'agents' },
  'agent.read_private': { who: ['owner', 'admin'], apiKey: 'agents' },
  'market.decide_early': { who: ['owner', 'admin'], apiKey: 'agents' },
  'proposal.create': { who: ['user'], apiKey: 'trade' },
  'proposal.review': { who: ['owner', 'admin'], apiKey: 'agents' },
  // Anchoring (issue 11): batches and the proofs of decisions and resolutions are public; a
  // posting's proof shows its account and amount, so only its owner (and admins) may have it.
  'anchor.read': { who: ['anyone'], apiKey: 'read' },
  'ledger.proof': { who: ['owner', 'admin'], apiKey: 'read' },
  // The ledger auditor's findings name accounts and users across the platform: admins, signed in.
  'ledger_audit.read': { who: ['admin'], apiKey: 'session' },
  // Evidence files (issue 14): anyone signed in uploads; a file not yet attached to a resolution
  // or dispute is its uploader's (and admins'); once attached it is as public as the resolution.
  'evidence.upload': { who: ['user'], apiKey: 'trade' },
  'evidence.read_private': { who: ['owner', 'admin'], apiKey: 'read' },
} as const satisfies Record<string, Policy>

export type Action = keyof typeof policies

/** Facts about the resource acted on, as loaded by the caller. */
export interface ResourceFacts {
  readonly ownerId?: string | null
  readonly resolverId?: string | null
}

export type DenialReason =
  /** No credentials: 401. */
  | 'unauthenticated'
  /** An API key tried something only a signed-in session may do: 403. */
  | 'session_required'
  /** An API key without the scope the action needs: 403. */
  | 'missing_scope'
  /** Signed in, but neither owner, resolver nor admin as the action requires: 403. */
  | 'not_permitted'

export type Decision =
  | { readonly allowed: true }
  | {
      readonly allowed: false
      readonly reason: DenialReason
      readonly status: 401 | 403
      readonly detail: string
    }

const ALLOWED: Decision = { allowed: true }

function deny(reason: DenialReason, detail: string): Decision {
  return { allowed: false, reason, status: reason === 'unauthenticated' ? 401 : 403, detail }
}

function relates(principal: Principal, relation: Relation, facts: ResourceFacts): boolean {
  switch (relation) {
    // Stryker disable next-line StringLiteral: policies that name 'anyone' are allowed before relates() is called
    case 'anyone':
    case 'user':
      return true
    case 'admin':
      return principal.role === 'admin'
    case 'owner':
      // Stryker disable next-line ConditionalExpression: userId is a string, so a null or undefined ownerId never equals it
      return facts.ownerId != null && facts.ownerId === principal.userId
    case 'resolver':
      // Stryker disable next-line ConditionalExpression: userId is a string, so a null or undefined resolverId never equals it
      return facts.resolverId != null && facts.resolverId === principal.userId
  }
}

export function authorize(principal: Principal | null, action: Action, facts: ResourceFacts = {}): Decision {
  const policy: Policy = policies[action]
  if (policy.who.includes('anyone')) return ALLOWED
  if (!principal) return deny('unauthenticated', 'Authentication is required')
  if (principal.via === 'api_key') {
    if (policy.apiKey === 'session') {
      return deny('session_required', `API keys cannot ${describe(action)}; sign in instead`)
    }
    if (!hasScope(principal, policy.apiKey)) {
      return deny('missing_scope', `This API key lacks the '${policy.apiKey}' scope`)
    }
  }
  if (policy.who.some((relation) => relates(principal, relation, facts))) return ALLOWED
  const needed = policy.who.join(' or ')
  return deny('not_permitted', `Only the ${needed} may ${describe(action)}`)
}

function describe(action: Action): string {
  const [resource, verb] = action.split('.') as [string, string]
  return `${verb.replace(/_/g, ' ')} ${resource.replace(/_/g, ' ')}`
}
