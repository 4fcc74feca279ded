/**
 * The authorisation matrix: every action of src/domain/identity/authorize.ts against every kind
 * of caller, with the status the API answers (200 = allowed). Resources here belong to OWNER.
 * Adding an action to `policies` without a row here fails the completeness test below.
 */
import { describe, expect, it } from 'vitest'
import { type Action, authorize, policies } from '../../src/domain/identity/authorize.js'
import type { Principal, Scope } from '../../src/domain/identity/principal.js'

const OWNER = '00000000-0000-4000-8000-000000000001'
const OTHER = '00000000-0000-4000-8000-000000000002'
const ADMIN = '00000000-0000-4000-8000-000000000003'

const session = (userId: string, role: Principal['role'] = 'user'): Principal => ({
  userId,
  role,
  via: 'session',
  scopes: new Set<Scope>(['read', 'trade', 'agents']),
})
const key = (userId: string, scopes: Scope[], role: Principal['role'] = 'user'): Principal => ({
  userId,
  role,
  via: 'api_key',
  scopes: new Set(scopes),
})

const callers = {
  anonymous: null,
  owner: session(OWNER),
  other: session(OTHER),
  admin: session(ADMIN, 'admin'),
  'owner key read': key(OWNER, ['read']),
  'owner key trade': key(OWNER, ['trade']),
  'owner key all': key(OWNER, ['read', 'trade', 'agents']),
  'admin key all': key(ADMIN, ['read', 'trade', 'agents'], 'admin'),
} as const satisfies Record<string, Principal | null>
type Caller = keyof typeof callers

// Columns in the order of `callers`.
const columns = Object.keys(callers) as Caller[]
const matrix: Record<Action, number[]> = {
  //                anon owner other admin  kR   kT  kAll adminKey
  'profile.read': [200, 200, 200, 200, 200, 200, 200, 200],
  'me.read': [401, 200, 200, 200, 200, 403, 200, 200],
  'me.update': [401, 200, 200, 200, 403, 403, 403, 403],
  'api_key.create': [401, 200, 200, 200, 403, 403, 403, 403],
  'api_key.list': [401, 200, 200, 200, 200, 403, 200, 200],
  'api_key.revoke': [401, 200, 403, 403, 403, 403, 403, 403],
  'audit.read': [401, 403, 403, 200, 403, 403, 403, 403],
  'role.grant': [401, 403, 403, 200, 403, 403, 403, 403],
  // Markets and money (issue 4). The resource's owner is the market's creator; no resolver is
  // named here, so only an admin may resolve (test/services/markets.test.ts covers resolvers).
  'market.create': [401, 200, 200, 200, 403, 200, 200, 200],
  'market.trade': [401, 200, 200, 200, 403, 200, 200, 200],
  'market.close': [401, 200, 403, 200, 403, 200, 200, 200],
  'market.resolve': [401, 403, 403, 200, 403, 403, 403, 200],
  'market.dispute': [401, 200, 200, 200, 403, 200, 200, 200],
  'market.void': [401, 403, 403, 200, 403, 403, 403, 403],
  'dispute.settle': [401, 403, 403, 200, 403, 403, 403, 403],
  'grant.create': [401, 403, 403, 200, 403, 403, 403, 403],
  'portfolio.read': [401, 200, 200, 200, 200, 403, 200, 200],
  // Agents (issue 5). The resource's owner is the agent's operator; keys need the agents scope.
  'agent.read': [200, 200, 200, 200, 200, 200, 200, 200],
  'agent.create': [401, 200, 200, 200, 403, 403, 200, 200],
  'agent.update': [401, 200, 403, 200, 403, 403, 200, 200],
  'agent.delete': [401, 200, 403, 200, 403, 403, 200, 200],
  'agent.decide': [401, 200, 403, 403, 403, 403, 200, 403],
  'agent.report_outcome': [401, 200, 403, 200, 403, 403, 200, 200],
  'agent.read_private': [401, 200, 403, 200, 403, 403, 200, 200],
  'market.decide_early': [401, 200, 403, 200, 403, 403, 200, 200],
  'proposal.create': [401, 200, 200, 200, 403, 200, 200, 200],
  'proposal.review': [401, 200, 403, 200, 403, 403, 200, 200],
  // Anchoring (issue 11): the owner of a posting is the user its account or entry is about.
  'anchor.read': [200, 200, 200, 200, 200, 200, 200, 200],
  'ledger.proof': [401, 200, 403, 200, 200, 403, 200, 200],
  'ledger_audit.read': [401, 403, 403, 200, 403, 403, 403, 403],
  // Evidence files (issue 14): the owner of a file is its uploader.
  'evidence.upload': [401, 200, 200, 200, 403, 200, 200, 200],
  'evidence.read_private': [401, 200, 403, 200, 200, 403, 200, 200],
}

const rows = (Object.entries(matrix) as [Action, number[]][]).flatMap(([action, statuses]) =>
  columns.map((caller, i) => ({ action, caller, expected: statuses[i] as number })),
)

describe('authorisation matrix', () => {
  it('covers every action', () => {
    expect(Object.keys(matrix).sort()).toEqual(Object.keys(policies).sort())
    for (const statuses of Object.values(matrix)) expect(statuses).toHaveLength(columns.length)
  })

  it.each(rows)('$caller → $action: $expected', ({ action, caller, expected }) => {
    const decision = authorize(callers[caller], action, { ownerId: OWNER })
    expect(decision.allowed ? 200 : decision.status).toBe(expected)
  })
})

describe('denials say why', () => {
  it('anonymous: unauthenticated (401)', () => {
    expect(authorize(null, 'me.read')).toMatchObject({
      allowed: false,
      reason: 'unauthenticated',
      status: 401,
    })
  })

  it('a key without the scope: missing_scope, naming it', () => {
    const decision = authorize(key(OWNER, ['trade']), 'me.read')
    expect(decision).toMatchObject({ reason: 'missing_scope', status: 403 })
    expect(decision.allowed || decision.detail).toContain("'read'")
  })

  it('a key for what only sessions may do: session_required, whatever its scopes and role', () => {
    expect(authorize(key(ADMIN, ['read', 'trade', 'agents'], 'admin'), 'audit.read')).toMatchObject({
      reason: 'session_required',
    })
  })

  it('another user: not_permitted', () => {
    expect(authorize(session(OTHER), 'api_key.revoke', { ownerId: OWNER })).toMatchObject({
      reason: 'not_permitted',
      status: 403,
    })
  })

  it('ownership needs a known owner: missing facts never allow', () => {
    expect(authorize(session(OWNER), 'api_key.revoke', {}).allowed).toBe(false)
    expect(authorize(session(OWNER), 'api_key.revoke', { ownerId: null }).allowed).toBe(false)
  })
})
