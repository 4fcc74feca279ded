/**
 * The local, GoTrue-compatible auth (served at /auth/v1 when no Supabase project is
 * configured): sign-up with auto-confirm, password sign-in, rotating refresh tokens, the user,
 * sign-out, and the JWKS. Users, sessions and refresh tokens live in auth.* as Supabase lays
 * them out; the answers have GoTrue's shapes and error codes, so supabase-js works unchanged.
 *
 * Refresh tokens rotate on every use. A token that was already rotated and is presented again
 * means two parties hold it (a stolen copy): the whole session is revoked, and both the thief's
 * and the owner's copies stop working (OAuth 2.0 Security BCP, §4.14.2).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Static } from '@sinclair/typebox'
import type { Config } from '../../config/index.js'
import type {
  GoTrueSession as GoTrueSessionSchema,
  GoTrueUser as GoTrueUserSchema,
} from '../../contracts/auth.js'
import { type Database, sql, type Transaction } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import type { Clock } from '../../domain/clock.js'
import { weakPasswordReasons } from '../../domain/identity/password-policy.js'
import { ErrorCode, errors } from '../../errors/codes.js'
import { withMoneyTransaction } from '../money/transaction.js'
import { type RequestMeta, recordAudit } from './audit.js'
import type { PasswordHasher } from './passwords.js'
import { ensureProfile } from './profiles.js'
import type { LocalKeys } from './signing-keys.js'
import { type AccessClaims, issueAccessToken, TokenError, type TokenVerifier } from './tokens.js'

/** GoTrue's instance id for single-tenant installs. */
const INSTANCE_ID = '00000000-0000-0000-0000-000000000000'
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export interface UserRow {
  id: string
  aud: string | null
  role: string | null
  email: string | null
  email_confirmed_at: Date | null
  phone: string | null
  confirmed_at: Date | null
  last_sign_in_at: Date | null
  raw_app_meta_data: Record<string, unknown> | null
  raw_user_meta_data: Record<string, unknown> | null
  created_at: Date | null
  updated_at: Date | null
  is_anonymous: boolean
  active: boolean
  deleted: boolean
}

const USER_COLUMNS = `id, aud, role, email, email_confirmed_at, phone, confirmed_at, last_sign_in_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous,
  (deleted_at is null and (banned_until is null or banned_until <= now())) as active,
  (deleted_at is not null) as deleted`

const InsertUser = sql<UserRow>(
  'InsertUser',
  `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at,
                          is_sso_user, is_anonymous)
   values ($1, $2, 'authenticated', 'authenticated', $3, $4, $5, $6, $7, $5, $5, $5, false, false)
   returning ${USER_COLUMNS}`,
)

const FindUserById = sql<UserRow>('FindUserById', `select ${USER_COLUMNS} from auth.users where id = $1`)

const FindUserForSignIn = sql<UserRow & { encrypted_password: string | null }>(
  'FindUserForSignIn',
  `select ${USER_COLUMNS}, encrypted_password from auth.users
    where email = $1 and is_sso_user = false`,
)

const MarkSignedIn = sql<UserRow>(
  'MarkSignedIn',
  `update auth.users set last_sign_in_at = $2, updated_at = $2 where id = $1 returning ${USER_COLUMNS}`,
)

const InsertSession = sql(
  'InsertSession',
  `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
   values ($1, $2, $3, $3, 'aal1', $4, $5)`,
)

const InsertRefreshToken = sql(
  'InsertRefreshToken',
  `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
   values ($1, $2, $3, false, $4, $4, $5, $6)`,
)

// FOR UPDATE: two refreshes with the same token serialise here, so exactly one rotates it and
// the other sees it revoked (and treats it as reuse).
const LockRefreshToken = sql<{ id: bigint; revoked: boolean; session_id: string | null; user_id: string }>(
  'LockRefreshToken',
  `select id, revoked, session_id, user_id from auth.refresh_tokens where token = $1 for update`,
)

const RevokeRefreshToken = sql(
  'RevokeRefreshToken',
  `update auth.refresh_tokens set revoked = true, updated_at = $2 where id = $1`,
)

const TouchSession = sql<{ created_at: Date }>(
  'TouchSession',
  `update auth.sessions set refreshed_at = $2 at time zone 'utc', updated_at = $2 where id = $1
   returning created_at`,
)

const FindSession = sql<{ id: string; created_at: Date }>(
  'FindSession',
  `select id, created_at from auth.sessions where id = $1 and user_id = $2`,
)

const DeleteSession = sql('DeleteSession', `delete from auth.sessions where id = $1`)
const DeleteUserSessions = sql('DeleteUserSessions', `delete from auth.sessions where user_id = $1`)
const DeleteOtherSessions = sql(
  'DeleteOtherSessions',
  `delete from auth.sessions where user_id = $1 and id <> $2`,
)

/** A user as /auth/v1 returns it (the route schema, src/contracts/auth.ts). */
export type GoTrueUser = Static<typeof GoTrueUserSchema>

/** A session as /auth/v1 returns it. */
export type GoTrueSession = Static<typeof GoTrueSessionSchema>

export type SignOutScope = 'global' | 'local' | 'others'

export interface LocalAuth {
  signUp(
    input: { email?: unknown; password?: unknown; data?: unknown },
    meta: RequestMeta,
  ): Promise<GoTrueSession>
  signInWithPassword(
    input: { email?: unknown; password?: unknown },
    meta: RequestMeta,
  ): Promise<GoTrueSession>
  refresh(input: { refresh_token?: unknown }, meta: RequestMeta): Promise<GoTrueSession>
  getUser(accessToken: string | undefined): Promise<GoTrueUser>
  signOut(accessToken: string | undefined, scope: SignOutScope, meta: RequestMeta): Promise<void>
  jwks(): { keys: Array<Record<string, unknown>> }
}

export interface LocalAuthDeps {
  config: Config
  db: Database
  clock: Clock
  keys: LocalKeys
  verifier: TokenVerifier
  passwords: PasswordHasher
}

const iso = (date: Date | null) => (date ? date.toISOString() : null)

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function toGoTrueUser(row: UserRow): GoTrueUser {
  const email = row.email ?? ''
  const created = iso(row.created_at) ?? new Date(0).toISOString()
  const updated = iso(row.updated_at) ?? created
  const identityData = { email, email_verified: true, phone_verified: false, sub: row.id }
  return {
    id: row.id,
    aud: row.aud ?? 'authenticated',
    role: row.role ?? 'authenticated',
    email,
    email_confirmed_at: iso(row.email_confirmed_at),
    phone: row.phone ?? '',
    confirmed_at: iso(row.confirmed_at),
    last_sign_in_at: iso(row.last_sign_in_at),
    app_metadata: row.raw_app_meta_data ?? {},
    user_metadata: row.raw_user_meta_data ?? {},
    identities: [
      {
        identity_id: row.id,
        id: row.id,
        user_id: row.id,
        identity_data: identityData,
        provider: 'email',
        last_sign_in_at: iso(row.last_sign_in_at),
        created_at: created,
        updated_at: updated,
        email,
      },
    ],
    created_at: created,
    updated_at: updated,
    is_anonymous: row.is_anonymous,
  }
}

const invalidCredentials = () => errors.gotrue(ErrorCode.InvalidCredentials, 400, 'Invalid login credentials')
const badJwt = (detail: string) =>
  errors.gotrue(ErrorCode.BadJwt, 403, `invalid JWT: unable to parse or verify signature, ${detail}`)
const noAuthorization = () =>
  errors.gotrue(ErrorCode.NoAuthorization, 401, 'This endpoint requires a valid Bearer token')

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function createLocalAuth(deps: LocalAuthDeps): LocalAuth {
  const { config, db, clock, keys, passwords } = deps
  const issuer = `${config.publicUrl}/auth/v1`

  async function startSession(tx: Transaction, userId: string, meta: RequestMeta, now: Date) {
    const sessionId = randomUUID()
    const refreshToken = randomBytes(32).toString('base64url')
    await tx.execute(InsertSession, [
      sessionId,
      userId,
      now,
      meta.userAgent?.slice(0, 512) ?? null,
      meta.ip ?? null,
    ])
    await tx.execute(InsertRefreshToken, [
      INSTANCE_ID,
      hashRefreshToken(refreshToken),
      userId,
      now,
      null,
      sessionId,
    ])
    return { sessionId, refreshToken, sessionCreatedAt: now }
  }

  async function sessionFor(
    user: UserRow,
    started: { sessionId: string; refreshToken: string; sessionCreatedAt: Date },
    now: Date,
  ): Promise<GoTrueSession> {
    const access = await issueAccessToken(
      keys,
      {
        userId: user.id,
        email: user.email,
        phone: user.phone,
        appMetadata: user.raw_app_meta_data ?? {},
        userMetadata: user.raw_user_meta_data ?? {},
        sessionId: started.sessionId,
        isAnonymous: user.is_anonymous,
        authenticatedAt: Math.floor(started.sessionCreatedAt.getTime() / 1000),
      },
      { issuer, audience: config.AUTH_JWT_AUDIENCE, ttlSeconds: config.AUTH_ACCESS_TOKEN_TTL_S, now },
    )
    return {
      access_token: access.token,
      token_type: 'bearer',
      expires_in: access.expiresIn,
      expires_at: access.expiresAt,
      refresh_token: started.refreshToken,
      user: toGoTrueUser(user),
    }
  }

  /** The claims of a valid access token whose session still exists, or GoTrue's error. */
  async function authenticated(
    accessToken: string | undefined,
  ): Promise<{ claims: AccessClaims; sessionId: string }> {
    if (!accessToken) throw noAuthorization()
    let claims: AccessClaims
    try {
      claims = await deps.verifier.verify(accessToken)
    } catch (error) {
      if (error instanceof TokenError) throw badJwt(error.message)
      throw error
    }
    if (claims.role !== 'authenticated' || !claims.session_id) throw badJwt('the token is not a user session')
    return { claims, sessionId: claims.session_id }
  }

  return {
    async signUp(input, meta) {
      const email = stringField(input.email)?.trim().toLowerCase()
      const password = stringField(input.password)
      if (!email || email.length > 255 || !EMAIL.test(email)) {
        throw errors.gotrue(
          ErrorCode.ValidationFailed,
          400,
          'Unable to validate email address: invalid format',
        )
      }
      if (!password) throw errors.gotrue(ErrorCode.ValidationFailed, 422, 'Signup requires a valid password')
      const reasons = weakPasswordReasons(password, config.AUTH_PASSWORD_MIN_LENGTH)
      if (reasons.length > 0) {
        const message = reasons.includes('length')
          ? `Password should be at least ${config.AUTH_PASSWORD_MIN_LENGTH} characters.`
          : 'Password should contain more than one distinct character.'
        throw errors.gotrue(ErrorCode.WeakPassword, 422, message, { weak_password: { reasons, message } })
      }
      const data =
        input.data && typeof input.data === 'object' && !Array.isArray(input.data)
          ? (input.data as Record<string, unknown>)
          : {}
      const hashed = await passwords.hash(password)
      const now = clock.now()
      const id = randomUUID()
      try {
        const { user, started } = await withMoneyTransaction(db, async (m) => {
          const { tx } = m
          const user = await tx.one(InsertUser, [
            INSTANCE_ID,
            id,
            email,
            hashed,
            now,
            JSON.stringify({ provider: 'email', providers: ['email'] }),
            // As GoTrue does: the identity's data joins what the client sent.
            JSON.stringify({ ...data, email, email_verified: true, phone_verified: false, sub: id }),
          ])
          await ensureProfile(m, { id, email, metadata: data }, now, config.SIGNUP_GRANT_CREDITS)
          const started = await startSession(tx, id, meta, now)
          await recordAudit(
            tx,
            {
              action: 'auth.signed_up',
              actor: { kind: 'session', userId: id },
              subjectType: 'user',
              subjectId: id,
              meta,
            },
            now,
          )
          return { user, started }
        })
        return await sessionFor(user, started, now)
      } catch (error) {
        if (
          error instanceof DatabaseError &&
          error.failure === 'conflict' &&
          error.constraint === 'users_email_partial_key'
        ) {
          throw errors.gotrue(ErrorCode.UserAlreadyExists, 422, 'User already registered')
        }
        throw error
      }
    },

    async signInWithPassword(input, meta) {
      const email = stringField(input.email)?.trim().toLowerCase()
      const password = stringField(input.password)
      if (!email || !password) {
        throw errors.gotrue(ErrorCode.ValidationFailed, 400, 'An email address and a password are required')
      }
      const found = await db.maybeOne(FindUserForSignIn, [email])
      let ok = false
      if (found?.encrypted_password) ok = await passwords.verify(found.encrypted_password, password)
      else await passwords.verifyNothing(password)
      const now = clock.now()
      if (!found || !ok || !found.active) {
        // A suspended account's right password is a failed sign-in too, and on the record.
        const reason = !found ? 'unknown_email' : !ok ? 'wrong_password' : 'banned'
        await recordAudit(
          db,
          {
            action: 'auth.sign_in_failed',
            actor: { kind: 'anonymous' },
            subjectType: found ? 'user' : undefined,
            subjectId: found?.id,
            details: { email, reason },
            meta,
          },
          now,
        )
        if (reason === 'banned') throw errors.gotrue(ErrorCode.UserBanned, 400, 'User is banned')
        throw invalidCredentials()
      }
      const { user, started } = await db.withTransaction(async (tx) => {
        const user = await tx.one(MarkSignedIn, [found.id, now])
        const started = await startSession(tx, found.id, meta, now)
        await recordAudit(
          tx,
          {
            action: 'auth.signed_in',
            actor: { kind: 'session', userId: found.id },
            subjectType: 'session',
            subjectId: started.sessionId,
            meta,
          },
          now,
        )
        return { user, started }
      })
      return sessionFor(user, started, now)
    },

    async refresh(input, meta) {
      const presented = stringField(input.refresh_token)
      if (!presented) throw errors.gotrue(ErrorCode.ValidationFailed, 400, 'refresh_token is required')
      const now = clock.now()
      const outcome = await db.withTransaction(async (tx) => {
        const token = await tx.maybeOne(LockRefreshToken, [hashRefreshToken(presented)])
        if (!token?.session_id) return { kind: 'not_found' as const }
        if (token.revoked) {
          await tx.execute(DeleteSession, [token.session_id])
          await recordAudit(
            tx,
            {
              action: 'auth.refresh_token_reused',
              actor: { kind: 'anonymous' },
              subjectType: 'session',
              subjectId: token.session_id,
              details: { user_id: token.user_id, session_revoked: true },
              meta,
            },
            now,
          )
          return { kind: 'reused' as const }
        }
        const user = await tx.maybeOne(FindUserById, [token.user_id])
        if (!user?.active) return { kind: 'not_found' as const }
        await tx.execute(RevokeRefreshToken, [token.id, now])
        const refreshToken = randomBytes(32).toString('base64url')
        await tx.execute(InsertRefreshToken, [
          INSTANCE_ID,
          hashRefreshToken(refreshToken),
          token.user_id,
          now,
          hashRefreshToken(presented),
          token.session_id,
        ])
        const session = await tx.one(TouchSession, [token.session_id, now])
        return {
          kind: 'ok' as const,
          user,
          started: { sessionId: token.session_id, refreshToken, sessionCreatedAt: session.created_at },
        }
      })
      // Thrown after the commit, so the revocation of a reused token's session stands.
      if (outcome.kind === 'not_found') {
        throw errors.gotrue(
          ErrorCode.RefreshTokenNotFound,
          400,
          'Invalid Refresh Token: Refresh Token Not Found',
        )
      }
      if (outcome.kind === 'reused') {
        throw errors.gotrue(ErrorCode.RefreshTokenAlreadyUsed, 400, 'Invalid Refresh Token: Already Used')
      }
      return sessionFor(outcome.user, outcome.started, now)
    },

    async getUser(accessToken) {
      const { claims, sessionId } = await authenticated(accessToken)
      const session = await db.maybeOne(FindSession, [sessionId, claims.sub])
      if (!session) {
        throw errors.gotrue(
          ErrorCode.SessionNotFound,
          403,
          'Session from session_id claim in JWT does not exist',
        )
      }
      const user = await db.maybeOne(FindUserById, [claims.sub])
      if (!user || user.deleted) {
        throw errors.gotrue(ErrorCode.UserNotFound, 403, 'User from sub claim in JWT does not exist')
      }
      // As GoTrue: an access token issued before the suspension no longer shows the user, so
      // clients stop treating a suspended account as signed in.
      if (!user.active) throw errors.gotrue(ErrorCode.UserBanned, 403, 'User is banned')
      return toGoTrueUser(user)
    },

    async signOut(accessToken, scope, meta) {
      const { claims, sessionId } = await authenticated(accessToken)
      const now = clock.now()
      await db.withTransaction(async (tx) => {
        if (scope === 'global') await tx.execute(DeleteUserSessions, [claims.sub])
        else if (scope === 'others') await tx.execute(DeleteOtherSessions, [claims.sub, sessionId])
        else await tx.execute(DeleteSession, [sessionId])
        await recordAudit(
          tx,
          {
            action: 'auth.signed_out',
            actor: { kind: 'session', userId: claims.sub },
            subjectType: 'session',
            subjectId: sessionId,
            details: { scope },
            meta,
          },
          now,
        )
      })
    },

    jwks: () => keys.jwks,
  }
}
