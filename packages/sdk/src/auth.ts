/**
 * Credentials: an API key (`Authorization: Bearer <key>`, scoped when created at
 * POST /v1/me/api-keys), or a session from /auth/v1 (an access token of about an hour and a
 * single-use refresh token). A session is refreshed shortly before its access token expires and
 * once more when the API answers 401 anyway (a revoked or rotated key); concurrent requests
 * share one refresh, since the refresh token is rotated on use and a second use would fail.
 */
import type { components } from './generated/openapi.js'
import { problemFrom } from './problem.js'

export type Session = components['schemas']['GoTrueSession']

/** Refresh when less than this is left of the access token's life. */
const REFRESH_MARGIN_SECONDS = 30

export type Credentials = { apiKey: string } | { session: Session }

export interface SessionHolder {
  /** The bearer token to send now: the API key, or a fresh enough access token. */
  token(): Promise<string | undefined>
  /** After a 401 with a session: a new session, or false when there is nothing to refresh. */
  refreshAfterRejection(rejected: string): Promise<boolean>
  /** The current session (its refresh token changes at every refresh: persist it from here). */
  readonly session: Session | undefined
}

/**
 * Where sessions come from: the API's own /auth/v1 by default (local auth). A deployment on
 * Supabase serves auth from the project instead: its URL, and its anon key as `apikey`.
 */
export interface AuthServer {
  /** The base URL in front of `/auth/v1`; the API's by default. */
  url?: string
  /** Sent to it with every auth request, e.g. `{ apikey: '<anon key>' }` for Supabase. */
  headers?: Record<string, string>
}

export interface AuthOptions {
  baseUrl: string
  fetch: typeof fetch
  auth?: AuthServer | undefined
  credentials: Credentials | undefined
  /** Told of every new session, to store the rotated refresh token. */
  onSession?: ((session: Session) => void) | undefined
  now?: () => number
}

/** POST /auth/v1/token or /auth/v1/signup: a session, or a ProblemError. */
export async function requestSession(
  options: Pick<AuthOptions, 'baseUrl' | 'fetch' | 'auth'>,
  path: '/auth/v1/signup' | '/auth/v1/token?grant_type=password' | '/auth/v1/token?grant_type=refresh_token',
  body: Record<string, unknown>,
): Promise<Session> {
  const response = await options.fetch(new URL(path, options.auth?.url ?? options.baseUrl), {
    method: 'POST',
    headers: { ...options.auth?.headers, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  })
  const parsed: unknown = await response.json().catch(() => undefined)
  if (!response.ok) throw problemFrom(response, parsed)
  return parsed as Session
}

export function sessionHolder(options: AuthOptions): SessionHolder {
  const now = options.now ?? (() => Date.now())
  const credentials = options.credentials
  let session = credentials && 'session' in credentials ? credentials.session : undefined
  let refreshing: Promise<Session> | undefined

  function refresh(): Promise<Session> {
    const current = session
    if (!current) throw new Error('no session to refresh')
    refreshing ??= requestSession(options, '/auth/v1/token?grant_type=refresh_token', {
      refresh_token: current.refresh_token,
    })
      .then((next) => {
        session = next
        options.onSession?.(next)
        return next
      })
      .finally(() => {
        refreshing = undefined
      })
    return refreshing
  }

  return {
    get session() {
      return session
    },
    async token() {
      if (credentials && 'apiKey' in credentials) return credentials.apiKey
      if (!session) return undefined
      if (session.expires_at - REFRESH_MARGIN_SECONDS <= now() / 1000) return (await refresh()).access_token
      return session.access_token
    },
    async refreshAfterRejection(rejected) {
      if (!session) return false
      // Another request already refreshed past the token that was refused.
      if (session.access_token !== rejected) return true
      await refresh()
      return true
    },
  }
}
