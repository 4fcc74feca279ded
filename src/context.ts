/**
 * What every part of a running process shares: configuration, database, logger and clock.
 * Built once at start-up (src/start) and handed down; nothing reads globals.
 */
import type { Config } from './config/index.js'
import type { Database } from './db/database.js'
import type { Authenticator } from './http/plugins/authenticate.js'
import type { Store } from './infra/cache/index.js'
import type { Logger } from './infra/logger.js'
import type { JobQueue } from './infra/queue.js'
import type { SecretBox } from './infra/secrets.js'
import type { Identity } from './services/identity/index.js'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export interface AppContext {
  readonly config: Config
  readonly db: Database
  readonly log: Logger
  readonly clock: Clock
  /** Jobs; `send(…, { tx })` enqueues inside a transaction. */
  readonly queue: JobQueue
  /** Turns bearer credentials into principals. */
  readonly auth: Authenticator
  /** Local (GoTrue-compatible) or Supabase auth; `identity.local` serves /auth/v1. */
  readonly identity: Identity
  /** AES-256-GCM for secrets at rest (signing key, agent secrets). */
  readonly secrets: SecretBox
  /** Rate-limit counters and cache: Redis with REDIS_URL, else in-process. Closed at shutdown. */
  readonly store: Store
}
