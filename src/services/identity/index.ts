/**
 * Identity, assembled for a process: in local mode the GoTrue-compatible auth (signing key
 * loaded or created, tokens verified with it); in Supabase mode (SUPABASE_URL) a verifier of the
 * project's tokens and no local endpoints. Either way one Authenticator for the API.
 */
import type { Config } from '../../config/index.js'
import type { Database } from '../../db/database.js'
import type { Clock } from '../../domain/clock.js'
import type { SecretBox } from '../../infra/secrets.js'
import { type Authenticator, createAuthenticator } from './authenticator.js'
import { createLocalAuth, type LocalAuth } from './local-auth.js'
import { createPasswordHasher } from './passwords.js'
import { loadLocalKeys } from './signing-keys.js'
import { localVerifier, supabaseVerifier } from './tokens.js'

export interface Identity {
  readonly mode: 'local' | 'supabase'
  readonly authenticator: Authenticator
  /** The /auth/v1 operations; only in local mode. */
  readonly local?: LocalAuth
}

export async function createIdentity(parts: {
  config: Config
  db: Database
  clock: Clock
  secrets: SecretBox
}): Promise<Identity> {
  const { config, db, clock } = parts
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
    return {
      mode: 'supabase',
      authenticator: createAuthenticator({
        db,
        clock,
        verifier,
        checkSessions: false,
        trustAppMetadataRole: true,
        signupCredits: config.SIGNUP_GRANT_CREDITS,
      }),
    }
  }
  const keys = await loadLocalKeys(db, parts.secrets)
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
    }),
    local: createLocalAuth({ config, db, clock, keys, verifier, passwords: createPasswordHasher(config) }),
  }
}
