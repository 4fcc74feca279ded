/**
 * What the API process shares on top of the AppContext: identity, which turns bearer credentials
 * into principals and, in local mode, serves /auth/v1. Services never need it (they are handed a
 * principal), so it stays out of the AppContext they take.
 */
import type { AppContext } from '../context.js'
import type { EvidenceStore } from '../infra/evidence-store/index.js'
import type { Authenticator } from '../services/identity/authenticator.js'
import type { Identity } from '../services/identity/index.js'

export interface ApiContext extends AppContext {
  /** Turns bearer credentials into principals. */
  readonly auth: Authenticator
  /** Local (GoTrue-compatible) or Supabase auth; `identity.local` serves /auth/v1. */
  readonly identity: Identity
  /** Where evidence files go (local, S3, Supabase Storage): only the API uploads and serves them. */
  readonly evidence: EvidenceStore
}
