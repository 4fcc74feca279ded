/**
 * Who is calling. Resolved once per request by the authenticate plugin (from an access token
 * or an API key) and passed to services and to the authorisation module; nothing else reads
 * credentials.
 */
export const SCOPES = ['read', 'trade', 'agents'] as const
export type Scope = (typeof SCOPES)[number]

export type Role = 'user' | 'admin'

export interface Principal {
  readonly userId: string
  readonly role: Role
  /** How the caller proved who they are. */
  readonly via: 'session' | 'api_key'
  /** Sessions carry every scope; an API key only those it was created with. */
  readonly scopes: ReadonlySet<Scope>
  readonly sessionId?: string
  readonly apiKeyId?: string
  readonly email?: string
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope)
}
