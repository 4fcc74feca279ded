/**
 * Builds the context of a process (the AppContext, and identity for the API): the one place where services are wired together, used by the
 * process start-up and by the tests alike.
 */
import type { Config } from '../config/index.js'
import type { Database } from '../db/database.js'
import type { Clock } from '../domain/clock.js'
import type { ApiContext } from '../http/context.js'
import { createBus } from '../infra/bus.js'
import { createStore } from '../infra/cache/index.js'
import type { Logger } from '../infra/logger.js'
import { createMetrics, type Metrics } from '../infra/metrics.js'
import type { JobQueue } from '../infra/queue.js'
import { secretBoxFromConfig } from '../infra/secrets.js'
import { createIdentity } from '../services/identity/index.js'

export interface ContextParts {
  config: Config
  db: Database
  log: Logger
  clock: Clock
  queue: JobQueue
  /** A registry of the caller's; a new one when absent (each test its own). */
  metrics?: Metrics
}

export async function createAppContext(parts: ContextParts): Promise<ApiContext> {
  const secrets = secretBoxFromConfig(parts.config, parts.log)
  const identity = await createIdentity({
    ...parts,
    secrets,
    onListenerLost: (error) =>
      parts.log.warn({ err: error }, 'auth invalidations missed: principal cache off until reconnected'),
  })
  const store = await createStore(parts.config, parts.log)
  const bus = await createBus(parts.config, parts.log)
  const metrics = parts.metrics ?? createMetrics()
  return { ...parts, auth: identity.authenticator, identity, secrets, store, bus, metrics }
}
