/**
 * Access tokens: the claims Supabase Auth puts in them, issued here in local mode (ES256 with
 * the local signing key) and verified in both modes. Verification always fixes the accepted
 * algorithms, issuer and audience from configuration; the token's own header only picks which
 * configured key to try.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose'
import type { Clock } from '../../domain/clock.js'
import { type LocalKeys, SIGNING_ALG } from './signing-keys.js'

/** The claims of a Supabase access token that this service reads. */
export interface AccessClaims extends JWTPayload {
  sub: string
  role: string
  email?: string
  phone?: string
  app_metadata?: Record<string, unknown>
  user_metadata?: Record<string, unknown>
  session_id?: string
  aal?: string
  amr?: Array<{ method: string; timestamp: number }>
  is_anonymous?: boolean
}

export type TokenFailure =
  /** Not a JWT at all. */
  | 'malformed'
  | 'expired'
  /** Bad signature, algorithm not accepted, wrong issuer or audience, missing claims. */
  | 'invalid'
  /** The key set could not be fetched (Supabase unreachable): not the caller's fault. */
  | 'unavailable'

export class TokenError extends Error {
  constructor(
    readonly failure: TokenFailure,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options)
    this.name = 'TokenError'
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<AccessClaims>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function translate(error: unknown): TokenError {
  if (error instanceof TokenError) return error
  if (error instanceof joseErrors.JWTExpired)
    return new TokenError('expired', 'The token has expired', { cause: error })
  if (error instanceof joseErrors.JWKSTimeout) {
    return new TokenError('unavailable', 'The signing keys could not be fetched in time', { cause: error })
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new TokenError('invalid', `The token's ${error.claim} claim is not accepted`, { cause: error })
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new TokenError('invalid', 'The token is signed with an algorithm that is not accepted', {
      cause: error,
    })
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new TokenError('invalid', 'The token signature is invalid', { cause: error })
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return new TokenError('invalid', 'The token is not signed by a known key', { cause: error })
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
    return new TokenError('malformed', 'The token is malformed', { cause: error })
  }
  if (error instanceof joseErrors.JOSEError) {
    return new TokenError('invalid', 'The token cannot be verified', { cause: error })
  }
  // Fetching a remote key set failed (connection refused, DNS, a non-200 answer).
  return new TokenError('unavailable', 'The signing keys could not be fetched', { cause: error })
}

function checkClaims(payload: JWTPayload): AccessClaims {
  if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
    throw new TokenError('invalid', 'The token has no user id (sub)')
  }
  if (typeof payload.role !== 'string') throw new TokenError('invalid', 'The token has no role claim')
  if (
    payload.session_id !== undefined &&
    (typeof payload.session_id !== 'string' || !UUID.test(payload.session_id))
  ) {
    throw new TokenError('invalid', 'The token has a malformed session_id')
  }
  return payload as AccessClaims
}

interface VerifyOptions {
  issuer: string
  audience: string
  clock: Clock
}

function verifyWith(
  token: string,
  key: JWTVerifyGetKey | Uint8Array,
  algorithms: string[],
  options: VerifyOptions,
): Promise<AccessClaims> {
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    currentDate: options.clock.now(),
    requiredClaims: ['sub', 'exp', 'iat'],
  }
  const run =
    key instanceof Uint8Array ? jwtVerify(token, key, verifyOptions) : jwtVerify(token, key, verifyOptions)
  return run.then(
    ({ payload }) => checkClaims(payload),
    (error) => Promise.reject(translate(error)),
  )
}

/** Local mode: our own ES256 keys. */
export function localVerifier(keys: LocalKeys, options: VerifyOptions): TokenVerifier {
  const keySet = createLocalJWKSet(keys.jwks)
  return { verify: (token) => verifyWith(token, keySet, [SIGNING_ALG], options) }
}

export interface SupabaseVerifierOptions extends VerifyOptions {
  supabaseUrl: string
  /** Asymmetric algorithms accepted with the project's JWKS. */
  algorithms: string[]
  /** The legacy HS256 secret; only with it are HS256 tokens accepted. */
  jwtSecret?: string | undefined
}

/** Failures of fetching the key set, as jose reports them: none says anything about a token. */
const FETCH_FAILURES = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'])
function isFetchFailure(error: unknown): boolean {
  return !(error instanceof joseErrors.JOSEError) || FETCH_FAILURES.has(error.code)
}

/** While the JWKS endpoint fails, the last key set serves this long before it is asked again. */
const STALE_RETRY_MS = 30_000

/**
 * Supabase mode: the project's JWKS (fetched on first use, cached ten minutes, refetched at
 * most every 30 s when an unknown `kid` shows up, so a forged kid cannot make us hammer
 * Supabase), and the legacy HS256 secret when configured.
 *
 * A JWKS endpoint that fails (a 500, a timeout, garbage) says nothing about the token: with a
 * key set fetched before, verification goes on with it (keys rotate over days, an outage lasts
 * minutes), asking again every 30 s; with none, the answer is `unavailable` (a 503 with
 * Retry-After). It was a 401 for every valid token once, and clients signed their users out.
 */
export function supabaseVerifier(options: SupabaseVerifierOptions): TokenVerifier {
  const remote = createRemoteJWKSet(
    new URL(`${options.supabaseUrl.replace(/\/$/, '')}/auth/v1/.well-known/jwks.json`),
    {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
      [customFetch]: async (url, init) => {
        const response = await fetch(url, init)
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => undefined)
          throw new TokenError('unavailable', `The signing keys could not be fetched (${response.status})`)
        }
        return response
      },
    },
  )
  // The last key set, while the endpoint fails; reset by the next successful fetch.
  let stale: { getKey: JWTVerifyGetKey; retryAt: number } | undefined
  const fromStale = async (...args: Parameters<JWTVerifyGetKey>) => {
    try {
      return await (stale as { getKey: JWTVerifyGetKey }).getKey(...args)
    } catch (error) {
      // A key rotated in during the outage cannot be told from a forged kid: not the caller's fault.
      if (error instanceof joseErrors.JWKSNoMatchingKey) {
        throw new TokenError('unavailable', 'The signing keys could not be refreshed', { cause: error })
      }
      throw error
    }
  }
  const jwks: JWTVerifyGetKey = async (header, token) => {
    if (stale && Date.now() < stale.retryAt) return fromStale(header, token)
    try {
      const key = await remote(header, token)
      stale = undefined
      return key
    } catch (error) {
      if (!isFetchFailure(error)) throw error
      // jose keeps the last key set it fetched when a reload fails.
      const last = remote.jwks()
      if (!last) {
        throw error instanceof TokenError
          ? error
          : new TokenError('unavailable', 'The signing keys could not be fetched', { cause: error })
      }
      stale ??= { getKey: createLocalJWKSet(last), retryAt: 0 }
      stale.retryAt = Date.now() + STALE_RETRY_MS
      return fromStale(header, token)
    }
  }
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined
  return {
    async verify(token) {
      let alg: unknown
      try {
        alg = decodeProtectedHeader(token).alg
      } catch (error) {
        throw translate(error)
      }
      // The header only selects the configured verifier; each verifier accepts only its own
      // configured algorithms, so `alg: none` or an HS256 token "signed" with a public key
      // fails whichever path it takes.
      if (alg === 'HS256' && secret) return verifyWith(token, secret, ['HS256'], options)
      return verifyWith(token, jwks, options.algorithms, options)
    },
  }
}

export interface IssuedToken {
  token: string
  expiresIn: number
  /** Unix seconds. */
  expiresAt: number
}

export interface TokenSubject {
  userId: string
  email: string | null
  phone: string | null
  appMetadata: Record<string, unknown>
  userMetadata: Record<string, unknown>
  sessionId: string
  isAnonymous: boolean
  /** Unix seconds of the sign-in that started the session (the `amr` timestamp). */
  authenticatedAt: number
}

export async function issueAccessToken(
  keys: LocalKeys,
  subject: TokenSubject,
  options: { issuer: string; audience: string; ttlSeconds: number; now: Date },
): Promise<IssuedToken> {
  const iat = Math.floor(options.now.getTime() / 1000)
  const exp = iat + options.ttlSeconds
  const token = await new SignJWT({
    email: subject.email ?? '',
    phone: subject.phone ?? '',
    app_metadata: subject.appMetadata,
    user_metadata: subject.userMetadata,
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: subject.authenticatedAt }],
    session_id: subject.sessionId,
    is_anonymous: subject.isAnonymous,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setSubject(subject.userId)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keys.current.privateKey)
  return { token, expiresIn: options.ttlSeconds, expiresAt: exp }
}
