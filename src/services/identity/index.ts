/**
 * Identity, assembled for a process: in local mode the GoTrue-compatible auth (signing key
 * loaded or created, tokens verified with it); in Supabase mode (SUPABASE_URL) a verifier of the
 * project's tokens and no local endpoints. Either way one Authenticator for the API, with its
 * cache of principals and the connection that LISTENs for the invalidations of that cache.
 */
import type { Config } from '../../config/index.js'
import type { Database } from '../../db/database.js'
import { type Listener, startListener } from '../../db/listener.js'
import type { Clock } from '../../domain/clock.js'
import type { SecretBox } from '../../infra/secrets.js'
import { type AuthCache, type AuthCacheOptions, createAuthCache } from './auth-cache.js'
import { type Authenticator, type AuthFailureReason, createAuthenticator } from './authenticator.js'
import { createLocalAuth, type LocalAuth } from './local-auth.js'
import { createPasswordHasher } from './passwords.js'
import { loadLocalKeys } from './signing-keys.js'
import { localVerifier, supabaseVerifier } from './tokens.js'

export interface Identity {
  readonly mode: 'local' | 'supabase'
  readonly authenticator: Authenticator
  /** The /auth/v1 operations; only in local mode. */
  readonly local?: LocalAuth
  /** The authenticated principals (absent when turned off). */
  readonly cache?: AuthCache
  /**
   * Told when something about a user's credentials changed on any process (the same `dm_auth`
   * notifications that empty the cache): a sign-out, a revoked API key, a suspension. `undefined`:
   * anyone may have changed (an unreadable notification, or the listener reconnected after
   * notifications could have been missed). Long-lived connections (the realtime feed's) check
   * their credential again on it, since they authenticated once, at their start.
   */
  onUserChanged(listener: (userId: string | undefined) => void): void
  /** Stops listening for invalidations. */
  close(): Promise<void>
}

/** The channel the database's triggers notify (supabase/migrations/*_auth_invalidation.sql). */
export const AUTH_CHANNEL = 'dm_auth'

/**
 * The cache, kept right by a LISTEN on AUTH_CHANNEL: off (and emptied) whenever that
 * connection is down, since a revocation notified meanwhile would be missed.
 */
async function startAuthCache(
  db: Database,
  options: AuthCacheOptions,
  changed: (userId: string | undefined) => void,
  onLost?: (error: Error) => void,
): Promise<{ cache: AuthCache; listener: Listener }> {
  const cache = createAuthCache({ ...options, barrier: options.barrier ?? (() => listener.sync()) })
  cache.enabled = false
  const listener: Listener = startListener({
    connectionString: db.pool.options.connectionString as string,
    channel: AUTH_CHANNEL,
    onNotification(payload) {
      // Other processes' probes (db/listener.ts) concern no one.
      if (payload.startsWith('probe:')) return
      let userId: unknown
      try {
        userId = (JSON.parse(payload) as { user_id?: unknown }).user_id
      } catch {
        userId = undefined
      }
      if (typeof userId === 'string') cache.dropUser(userId)
      // Something we cannot read may concern anyone.
      else cache.clear()
      changed(typeof userId === 'string' ? userId : undefined)
    },
    onListening() {
      cache.clear()
      cache.enabled = true
      // (Re)connected: whatever was notified while it was down was missed.
      changed(undefined)
    },
    onLost(error) {
      cache.enabled = false
      cache.clear()
      onLost?.(error)
    },
  })
  // A database that refuses the listener at start leaves the cache off until it reconnects.
  await listener.ready.catch(() => undefined)
  return { cache, listener }
}

export async function createIdentity(parts: {
  config: Config
  db: Database
  clock: Clock
  secrets: SecretBox
  /** Options of the principal cache; false turns it off (every request asks the database). */
  authCache?: AuthCacheOptions | false
  onListenerLost?: (error: Error) => void
  /** Told why each refused credential was refused (metrics). */
  onAuthFailure?: (reason: AuthFailureReason) => void
}): Promise<Identity> {
  const { config, db, clock } = parts
  const listeners = new Set<(userId: string | undefined) => void>()
  const changed = (userId: string | undefined) => {
    for (const listener of listeners) listener(userId)
  }
  const onUserChanged = (listener: (userId: string | undefined) => void) => void listeners.add(listener)
  const startCache = async () => {
    const cached =
      parts.authCache === false
        ? undefined
        : await startAuthCache(db, parts.authCache ?? {}, changed, parts.onListenerLost)
    return cached
      ? { cache: cached.cache, close: () => cached.listener.close(), onUserChanged }
      : { close: async () => undefined, onUserChanged }
  }
  if (config.SUPABASE_URL) {
    const supabaseUrl = config.SUPABASE_URL.replace(/\/$/, '')
    const verifier = supabaseVerifier({
      supabaseUrl,
      issuer: `${supabaseUrl}/auth/v1`,
      audience: config.AUTH_JWT_AUDIENCE,
      algorithms: config.SUPABASE_JWT_ALGORITHMS,
      jwtSecret: config.SUPABASE_JWT_SECRET,
      clock,
    })
    const cacheParts = await startCache()
    return {
      mode: 'supabase',
      authenticator: createAuthenticator({
        db,
        clock,
        verifier,
        checkSessions: false,
        trustAppMetadataRole: true,
        signupCredits: config.SIGNUP_GRANT_CREDITS,
        cache: cacheParts.cache,
        onFailure: parts.onAuthFailure,
      }),
      ...cacheParts,
    }
  }
  const keys = await loadLocalKeys(db, parts.secrets)
  const cacheParts = await startCache()
  const verifier = localVerifier(keys, {
    issuer: `${config.publicUrl}/auth/v1`,
    audience: config.AUTH_JWT_AUDIENCE,
    clock,
  })
  return {
    mode: 'local',
    authenticator: createAuthenticator({
      db,
      clock,
      verifier,
      checkSessions: true,
      trustAppMetadataRole: false,
      anonKey: config.AUTH_ANON_KEY,
      cache: cacheParts.cache,
      onFailure: parts.onAuthFailure,
    }),
    ...cacheParts,
    local: createLocalAuth({ config, db, clock, keys, verifier, passwords: createPasswordHasher(config) }),
  }
}
