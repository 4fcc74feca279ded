/**
 * What a process counts about itself, wired at start-up: the build it runs, its database pool
 * and query times, the job queue, Redis, the anchoring backlog, and every family the services
 * and the HTTP layer count into, declared here at start so a scrape lists them all before their
 * first event (dashboards and alerts find every name in a fresh process).
 *
 * The database layer knows nothing of Prometheus: it is handed `queryObserver(metrics)`.
 */
import { packageVersion } from '../config/index.js'
import type { AppContext } from '../context.js'
import type { Database, QueryObserver } from '../db/database.js'
import { migrationStatus, schemaCheck } from '../db/migrate.js'
import { httpMetricFamilies } from '../http/plugins/metrics.js'
import { rateLimitRefusals } from '../http/plugins/rate-limit.js'
import { llmCallObserver } from '../infra/llm.js'
import { LATENCY_BUCKETS, type Metrics, type Readiness } from '../infra/metrics.js'
import { webhookAttempts } from '../infra/webhooks.js'
import { registerAnchoringMetrics } from '../services/anchoring/metrics.js'
import { authFailures } from '../services/identity/metrics.js'
import { registerQueueMetrics } from '../services/queue-metrics.js'
import { tradeMetrics } from '../services/trading/metrics.js'

/**
 * Query names are the `sql()` names in the code, a few hundred at most; past this many distinct
 * names, a new one counts as `other` rather than growing the registry without end.
 */
const MAX_QUERY_NAMES = 1000

/** Times every query into dm_db_query_duration_seconds; undefined when metrics are off. */
export function queryObserver(metrics: Metrics): QueryObserver | undefined {
  if (!metrics.enabled) return undefined
  const duration = metrics.histogram({
    name: 'dm_db_query_duration_seconds',
    help: 'Database round trips by query (the sql() name; Begin/Commit/Rollback; unnamed: SQL of libraries) and outcome',
    labelNames: ['query', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
  })
  type Child = { observe(value: number): void }
  // The error child is made at a query's first error, not beside its ok one: most queries never
  // fail, and every series is 16 lines of every scrape (the scrape is most of what metrics cost,
  // bench/README.md).
  const byName = new Map<string, { ok: Child; error?: Child }>()
  const children = (name: string) => {
    let found = byName.get(name)
    if (!found) {
      if (byName.size >= MAX_QUERY_NAMES) return children('other')
      found = { ok: duration.labels(name, 'ok') }
      byName.set(name, found)
    }
    return found
  }
  return (name, seconds, ok) => {
    const found = children(name)
    if (ok) found.ok.observe(seconds)
    else {
      found.error ??= duration.labels(name, 'error')
      found.error.observe(seconds)
    }
  }
}

export function registerProcessMetrics(ctx: AppContext, metrics: Metrics = ctx.metrics): void {
  const { config, db, store } = ctx
  metrics
    .gauge({
      name: 'dm_build_info',
      help: 'The build this process runs (always 1): version, Node.js version, role',
      labelNames: ['version', 'node_version', 'role'] as const,
    })
    .set({ version: packageVersion, node_version: process.version, role: config.PROCESS_ROLE }, 1)

  metrics.gauge({
    name: 'dm_db_pool_connections',
    help: "This process's database pool: connections open (total), idle, and checkouts waiting for one",
    labelNames: ['state'] as const,
    collect() {
      this.set({ state: 'total' }, db.pool.totalCount)
      this.set({ state: 'idle' }, db.pool.idleCount)
      this.set({ state: 'waiting' }, db.pool.waitingCount)
    },
  })
  metrics
    .gauge({ name: 'dm_db_pool_max', help: 'Configured size of the database pool (DATABASE_POOL_MAX)' })
    .set(db.pool.options.max ?? config.DATABASE_POOL_MAX)

  // The in-process store cannot be down; only Redis gets a gauge.
  if (store.kind === 'redis') {
    metrics.gauge({
      name: 'dm_redis_up',
      help: '1 when Redis answered a PING at this scrape, 0 when not',
      async collect() {
        this.set(
          await store.ping().then(
            () => 1,
            () => 0,
          ),
        )
      },
    })
  }

  registerQueueMetrics(ctx, metrics)
  registerAnchoringMetrics(ctx, metrics)
  // Families counted elsewhere, declared now so they are listed from the first scrape.
  tradeMetrics(metrics)
  authFailures(metrics)
  webhookAttempts(metrics)
  llmCallObserver(metrics)
  queryObserver(metrics)
  httpMetricFamilies(metrics)
  rateLimitRefusals(metrics)
}

/**
 * The admin server's /readyz, as the API's /readyz judges it: the database answers and every
 * migration of this build is applied (a worker of a new image must not start its jobs on an
 * old schema). The anchoring backlog is not a condition here either.
 */
export async function adminReadiness(db: Database): Promise<Readiness> {
  const migrations = schemaCheck(await migrationStatus(db.pool))
  return { ok: migrations.ok, checks: { database: { ok: true }, migrations } }
}
