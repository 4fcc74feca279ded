/**
 * Turns a bearer credential into a principal: an API key (recognised by its prefix) or an
 * access token (ours in local mode, Supabase's in Supabase mode). Everything that can be wrong
 * with a credential ends as a 401 AppError with a reason; a key-set outage as a 503.
 *
 * A credential's first request reads the user's role (and, for our own tokens, that the
 * session is still signed in) from the database; the principal is then cached (auth-cache.ts)
 * until the token expires, the session ends or 60 s pass, and dropped on every process as soon
 * as the database notifies a revocation, suspension, sign-out or role change of its user. A
 * user's first authenticated request creates their profile (Supabase mode: they signed up
 * elsewhere).
 */

import { type Database, sql } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import type { Clock } from '../../domain/clock.js'
import { type Principal, type Role, SCOPES, type Scope } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import { withMoneyTransaction } from '../money/transaction.js'
import { findApiKeyOwner, looksLikeApiKey } from './api-keys.js'
import type { AuthCache } from './auth-cache.js'
import { ensureProfile } from './profiles.js'
import { type AccessClaims, TokenError, type TokenVerifier } from './tokens.js'

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES)

/** Why a credential was refused, for metrics: a short fixed list, never the credential or the user. */
export const AUTH_FAILURE_REASONS = [
  'malformed_header',
  'token_malformed',
  'token_expired',
  'token_invalid',
  'keys_unavailable',
  'role_not_accepted',
  'no_session',
  'unknown_user',
  'suspended',
  'session_ended',
  'api_key_invalid',
  'api_key_revoked',
] as const
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number]

const TOKEN_FAILURE_REASON: Record<TokenError['failure'], AuthFailureReason> = {
  malformed: 'token_malformed',
  expired: 'token_expired',
  invalid: 'token_invalid',
  unavailable: 'keys_unavailable',
}

interface UserState {
  email: string | null
  raw_user_meta_data: Record<string, unknown> | null
  active: boolean
  has_profile: boolean
  is_admin: boolean
  session_alive: boolean
  session_not_after: Date | null
}

const FindUserState = sql<UserState>(
  'FindUserState',
  `select u.email, u.raw_user_meta_data,
          (u.deleted_at is null and (u.banned_until is null or u.banned_until <= $3)) as active,
          exists (select 1 from public.profiles p where p.user_id = u.id) as has_profile,
          exists (select 1 from public.user_roles r where r.user_id = u.id and r.role = 'admin') as is_admin,
          ($2::uuid is null or exists (select 1 from auth.sessions s where s.id = $2 and s.user_id = u.id
                                        and (s.not_after is null or s.not_after > $3))) as session_alive,
          (select s.not_after from auth.sessions s where s.id = $2 and s.user_id = u.id) as session_not_after
     from auth.users u
    where u.id = $1`,
)

export interface AuthenticatorOptions {
  db: Database
  clock: Clock
  verifier: TokenVerifier
  /** Local mode: our tokens name a session in auth.sessions, which must still exist. */
  checkSessions: boolean
  /** Supabase mode: `app_metadata.role = 'admin'` in the token also makes an admin. */
  trustAppMetadataRole: boolean
  /** A bearer equal to this (the local anon key) is anonymous, as Supabase's anon key is. */
  anonKey?: string | undefined
  /** Credits granted with a profile created here (a user's first request in Supabase mode). */
  signupCredits?: bigint
  /** Principals already authenticated; without it every request asks the database. */
  cache?: AuthCache | undefined
  /** Told why each refused credential was refused (metrics). */
  onFailure?: ((reason: AuthFailureReason) => void) | undefined
}

interface Authenticated {
  principal: Principal
  /** Unix ms after which the principal must not be served from the cache. */
  validUntil?: number
}

export function tokenErrorToAppError(error: TokenError): AppError {
  if (error.failure === 'unavailable') {
    return new AppError({
      code: ErrorCode.AuthUnavailable,
      status: 503,
      title: 'Authentication unavailable',
      detail: 'The signing keys cannot be fetched; retry shortly',
      headers: { 'retry-after': '5' },
      cause: error,
    })
  }
  return errors.unauthorized(error.message)
}

/**
 * Turns a bearer credential into a principal, or throws a 401 AppError (503 when the key set
 * cannot be fetched). `null` for a credential that names no user (Supabase's anon key).
 */
export interface Authenticator {
  authenticate(bearer: string): Promise<Principal | null>
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { db, clock } = options
  const refuse = (reason: AuthFailureReason, detail: string) => {
    options.onFailure?.(reason)
    return errors.unauthorized(detail)
  }

  async function fromApiKey(key: string): Promise<Authenticated> {
    const owner = await findApiKeyOwner(db, key, clock.now())
    if (!owner) throw refuse('api_key_invalid', 'The API key is not valid')
    if (owner.revoked) throw refuse('api_key_revoked', 'The API key has been revoked')
    if (!owner.user_active) throw refuse('suspended', "The API key's owner is suspended")
    return {
      principal: {
        userId: owner.user_id,
        role: owner.is_admin ? 'admin' : 'user',
        via: 'api_key',
        scopes: new Set(owner.scopes),
        apiKeyId: owner.key_id,
        ...(owner.email ? { email: owner.email } : {}),
      },
    }
  }

  async function fromToken(token: string): Promise<Authenticated | null> {
    let claims: AccessClaims
    try {
      claims = await options.verifier.verify(token)
    } catch (error) {
      if (error instanceof TokenError) {
        options.onFailure?.(TOKEN_FAILURE_REASON[error.failure])
        throw tokenErrorToAppError(error)
      }
      throw error
    }
    // Supabase's anon key is a valid token with role anon: a caller without a user.
    if (claims.role === 'anon') return null
    if (claims.role !== 'authenticated')
      throw refuse('role_not_accepted', `Tokens with role '${claims.role}' are not accepted`)
    const now = clock.now()
    const sessionId = options.checkSessions ? (claims.session_id ?? null) : null
    if (options.checkSessions && !sessionId) throw refuse('no_session', 'The token names no session')
    const state = await db.maybeOne(FindUserState, [claims.sub, sessionId, now])
    if (!state) throw refuse('unknown_user', 'The token belongs to no known user')
    if (!state.active) throw refuse('suspended', 'The account is suspended')
    if (!state.session_alive) throw refuse('session_ended', 'The session has ended (signed out)')
    if (!state.has_profile) await createProfile(claims, state, now)
    const metadataRole = options.trustAppMetadataRole ? claims.app_metadata?.role : undefined
    const role: Role = state.is_admin || metadataRole === 'admin' ? 'admin' : 'user'
    const expiries = [
      claims.exp as number,
      ...(state.session_not_after ? [state.session_not_after.getTime() / 1000] : []),
    ]
    return {
      principal: {
        userId: claims.sub,
        role,
        via: 'session',
        scopes: ALL_SCOPES,
        ...(claims.session_id ? { sessionId: claims.session_id } : {}),
        ...(state.email ? { email: state.email } : {}),
      },
      validUntil: Math.min(...expiries) * 1000,
    }
  }

  async function createProfile(claims: AccessClaims, state: UserState, now: Date) {
    try {
      await withMoneyTransaction(db, (m) =>
        ensureProfile(
          m,
          {
            id: claims.sub,
            email: state.email ?? claims.email,
            metadata: state.raw_user_meta_data ?? claims.user_metadata,
          },
          now,
          options.signupCredits ?? 0n,
        ),
      )
    } catch (error) {
      // The user was deleted between the two statements.
      if (error instanceof DatabaseError && error.failure === 'reference') {
        throw refuse('unknown_user', 'The token belongs to no known user')
      }
      throw error
    }
  }

  return {
    async authenticate(bearer) {
      if (options.anonKey && bearer === options.anonKey) return null
      const cache = options.cache
      const cached = await cache?.lookup(bearer, () => clock.now().getTime())
      if (cached) return cached
      // Read before the database is asked: a revocation landing while we ask drops nothing
      // we hold yet, and must keep this answer out of the cache.
      const generation = cache?.generation ?? 0
      const found = looksLikeApiKey(bearer) ? await fromApiKey(bearer) : await fromToken(bearer)
      if (!found) return null
      cache?.set(bearer, found.principal, generation, clock.now().getTime(), found.validUntil)
      return found.principal
    },
  }
}
