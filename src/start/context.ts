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
import { createMemoryStore } from '../infra/cache/memory.js'
import { createReadCache } from '../infra/cache/read-cache.js'
import type { Logger } from '../infra/logger.js'
import { createMetrics, type Metrics } from '../infra/metrics.js'
import type { JobQueue } from '../infra/queue.js'
import { secretBoxFromConfig } from '../infra/secrets.js'
import { propagatingTracer, type Tracer } from '../infra/tracing.js'
import { createIdentity } from '../services/identity/index.js'
import { authFailures } from '../services/identity/metrics.js'
import { CACHES, listenForVersions } from '../services/markets/versions.js'

export interface ContextParts {
  config: Config
  db: Database
  log: Logger
  clock: Clock
  queue: JobQueue
  /** A registry of the caller's; a new one when absent (each test its own). */
  metrics?: Metrics
  /** The process's tracer (start/server.ts); none = ids propagated, nothing exported. */
  tracer?: Tracer
}

export async function createAppContext(parts: ContextParts): Promise<ApiContext> {
  const secrets = secretBoxFromConfig(parts.config, parts.log)
  const metrics = parts.metrics ?? createMetrics()
  const identity = await createIdentity({
    ...parts,
    secrets,
    onListenerLost: (error) =>
      parts.log.warn({ err: error }, 'auth invalidations missed: principal cache off until reconnected'),
    onAuthFailure: authFailures(metrics),
  })
  const store = await createStore(parts.config, parts.log)
  const tracer = parts.tracer ?? propagatingTracer
  const bus = await createBus(parts.config, parts.log)
  const { config } = parts
  // Without Redis the versions live in this process, so the cache is right only if every
  // writer (API and worker) is this process.
  const enabled = config.READ_CACHE && (Boolean(config.REDIS_URL) || config.PROCESS_ROLE === 'all')
  const readCache = createReadCache({
    // A connection of its own, with a short timeout: a slow Redis costs a read tens of ms, then
    // the database answers (the rate limiter's store keeps its longer one).
    store: enabled
      ? await createStore(config, parts.log, {
          commandTimeoutMs: config.READ_CACHE_TIMEOUT_MS,
          autoPipelining: true,
        })
      : createMemoryStore(),
    metrics,
    log: parts.log,
    enabled,
    maxBytes: config.READ_CACHE_MAX_MB * 1024 * 1024,
    caches: Object.values(CACHES),
  })
  if (enabled && config.PROCESS_ROLE !== 'worker') listenForVersions({ ...parts, readCache })
  return { ...parts, auth: identity.authenticator, identity, secrets, store, bus, metrics, tracer, readCache }
}
