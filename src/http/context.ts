/**
 * What the API process shares on top of the AppContext: identity, which turns bearer credentials
 * into principals and, in local mode, serves /auth/v1. Services never need it (they are handed a
 * principal), so it stays out of the AppContext they take.
 */
import type { AppContext } from '../context.js'
import type { Authenticator } from '../services/identity/authenticator.js'
import type { Identity } from '../services/identity/index.js'

export interface ApiContext extends AppContext {
  /** Turns bearer credentials into principals. */
  readonly auth: Authenticator
  /** Local (GoTrue-compatible) or Supabase auth; `identity.local` serves /auth/v1. */
  readonly identity: Identity
}
