/**
 * What every part of a running process shares: configuration, database, logger and clock.
 * Built once at start-up (src/start) and handed down; nothing reads globals.
 */
import type { Config } from './config/index.js'
import type { Database } from './db/database.js'
import type { Authenticator } from './http/plugins/authenticate.js'
import type { Logger } from './infra/logger.js'
import type { JobQueue } from './infra/queue.js'

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
}
