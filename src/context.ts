/**
 * What every part of a running process shares: configuration, database, logger, clock, job
 * queue, secrets, store, read cache, bus, metrics and tracer. Built once at start-up (src/start) and handed down; nothing reads
 * globals. It names only what lies below the services, so every service can take it without an
 * import running back up; the API adds identity on top of it (src/http/context.ts).
 */
import type { Config } from './config/index.js'
import type { Database } from './db/database.js'
import type { ReadRouting } from './db/read-replica.js'
import type { Clock } from './domain/clock.js'
import type { Bus } from './infra/bus.js'
import type { Store } from './infra/cache/index.js'
import type { ReadCache } from './infra/cache/read-cache.js'
import type { Logger } from './infra/logger.js'
import type { Metrics } from './infra/metrics.js'
import type { JobQueue } from './infra/queue.js'
import type { SecretBox } from './infra/secrets.js'
import type { Tracer } from './infra/tracing.js'

export interface AppContext {
  readonly config: Config
  readonly db: Database
  /**
   * Where public reads go (db/read-replica.ts): a streaming replica within DATABASE_READ_MAX_LAG_MS
   * when DATABASE_READ_URL is set, else `db`. Absent (contexts built by hand) = `db`.
   */
  readonly reads?: ReadRouting
  readonly log: Logger
  readonly clock: Clock
  /** Jobs; `send(…, { tx })` enqueues inside a transaction. */
  readonly queue: JobQueue
  /** AES-256-GCM for secrets at rest (signing key, agent secrets). */
  readonly secrets: SecretBox
  /** Rate-limit counters and cache: Redis with REDIS_URL, else in-process. Closed at shutdown. */
  readonly store: Store
  /** Public market reads kept under their versions (infra/cache/read-cache.ts). Closed at shutdown. */
  readonly readCache: ReadCache
  /** Fan-out of the realtime feed to every process: Redis pub/sub with REDIS_URL, else in-process. */
  readonly bus: Bus
  /** This process's Prometheus registry; served on the admin port when METRICS_PORT is set. */
  readonly metrics: Metrics
  /** Spans, exported over OTLP when configured; otherwise only trace ids passed on. */
  readonly tracer: Tracer
}
