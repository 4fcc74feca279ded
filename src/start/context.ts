/**
 * Builds the context of a process (the AppContext, and identity for the API): the one place where services are wired together, used by the
 * process start-up and by the tests alike.
 */
import type { Config } from '../config/index.js'
import { createDatabase, type Database } from '../db/database.js'
import { createReadRouting, type ReadRouting } from '../db/read-replica.js'
import type { Clock } from '../domain/clock.js'
import type { ApiContext } from '../http/context.js'
import { createBus } from '../infra/bus.js'
import { createStore } from '../infra/cache/index.js'
import { createMemoryStore } from '../infra/cache/memory.js'
import { createReadCache } from '../infra/cache/read-cache.js'
import { createEvidenceStore } from '../infra/evidence-store/index.js'
import type { Logger } from '../infra/logger.js'
import { createMetrics, type Metrics } from '../infra/metrics.js'
import type { JobQueue } from '../infra/queue.js'
import { secretBoxFromConfig } from '../infra/secrets.js'
import { propagatingTracer, type Tracer } from '../infra/tracing.js'
import { createIdentity } from '../services/identity/index.js'
import { authFailures } from '../services/identity/metrics.js'
import { CACHES, listenForVersions } from '../services/markets/versions.js'
import { queryObserver } from './metrics.js'

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
  const reads = await createReads(parts, metrics)
  return {
    ...parts,
    auth: identity.authenticator,
    identity,
    secrets,
    store,
    bus,
    metrics,
    tracer,
    readCache,
    reads,
    evidence: await createEvidenceStore(config),
  }
}

/**
 * The replica of DATABASE_READ_URL, for the API's public reads (workers read and write the
 * primary only). Checked once before the first request, so a healthy replica serves from the
 * start and one that is down is never tried until a check finds it.
 */
async function createReads(parts: ContextParts, metrics: Metrics): Promise<ReadRouting> {
  const { config, log } = parts
  const url = config.PROCESS_ROLE === 'worker' ? undefined : config.DATABASE_READ_URL
  const replica =
    url === undefined
      ? undefined
      : createDatabase({
          connectionString: url,
          max: config.DATABASE_POOL_MAX,
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
          applicationName: 'decision-markets public reads',
          onError: (error) => log.warn({ err: error }, 'idle replica connection failed'),
          onQuery: queryObserver(metrics),
        })
  const routed = metrics.counter({
    name: 'dm_db_public_reads_total',
    help: 'Public reads by the database they were sent to (replica within DATABASE_READ_MAX_LAG_MS, else primary)',
    labelNames: ['target'],
  })
  const fallbacks = metrics.counter({
    name: 'dm_db_replica_fallbacks_total',
    help: 'Public reads that failed on the replica (down, recovery conflict) and ran again on the primary',
  })
  let usable: boolean | undefined
  const routing = createReadRouting({
    primary: parts.db,
    ...(replica ? { replica } : {}),
    maxLagMs: config.DATABASE_READ_MAX_LAG_MS,
    onRoute: (target) => routed.inc({ target }),
    onFallback: () => fallbacks.inc(),
    onCheck(state, error) {
      // Logged on a change only: a check runs a few times per lag bound.
      if (state.usable === usable) return
      usable = state.usable
      if (state.usable) log.info({ lagMs: state.lagMs }, 'replica within its lag bound: public reads on it')
      else
        log.warn(
          { err: error, lagMs: state.lagMs },
          'replica behind or unreachable: public reads on the primary',
        )
    },
  })
  if (replica) {
    for (const target of ['replica', 'primary']) routed.inc({ target }, 0)
    metrics.gauge({
      name: 'dm_db_replica_lag_seconds',
      help: 'How far behind the primary the replica is known to be at most (NaN: never seen caught up)',
      collect() {
        const { lagMs } = routing.state()
        this.set(lagMs === undefined ? Number.NaN : lagMs / 1000)
      },
    })
    await routing.check()
  }
  return routing
}
