/**
 * Starts a process in its role: `api` serves HTTP, `worker` runs jobs, `all` does both.
 * Returns a handle whose `stop()` shuts down in the order that loses nothing: stop accepting,
 * let in-flight requests and jobs finish, close the pool, stop the embedded server.
 */
import { type Config, packageVersion } from '../config/index.js'
import { createDatabase } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { systemClock } from '../domain/clock.js'
import { buildApp } from '../http/app.js'
import type { ApiContext } from '../http/context.js'
import type { App } from '../http/types.js'
import { createLogger, type Logger, redactUrl, resolveLogFormat } from '../infra/logger.js'
import { createMetrics, disabledMetrics, startMetricsServer } from '../infra/metrics.js'
import { type JobQueue, startJobQueue } from '../infra/queue.js'
import { createStarknetChain, starknetOptionsFromConfig } from '../infra/starknet/index.js'
import { createBroadcastSender } from '../infra/supabase-broadcast.js'
import { createTracer } from '../infra/tracing.js'
import { startAnchorer } from '../jobs/anchoring.js'
import { startBroadcaster } from '../jobs/broadcast.js'
import { jobDefinitions } from '../jobs/index.js'
import { startLedgerAuditor } from '../jobs/ledger-audit.js'
import { createAppContext } from './context.js'
import { resolveDatabase } from './database.js'
import { adminReadiness, queryObserver, registerProcessMetrics } from './metrics.js'

export interface RunningService {
  ctx: ApiContext
  app?: App
  queue?: JobQueue
  /** The address the API listens on, when this process serves HTTP. */
  address?: string
  stop(): Promise<void>
}

export async function startService(
  config: Config,
  log: Logger = createLogger(config.LOG_LEVEL, { format: resolveLogFormat(config.LOG_FORMAT) }),
): Promise<RunningService> {
  const target = await resolveDatabase(config, log)
  const cleanups: Array<() => Promise<void>> = []
  const embedded = target.embedded
  if (embedded) cleanups.push(() => embedded.stop())
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => log.error({ err: error }, 'shutdown step failed'))
    }
  }

  try {
    log.info({ database: redactUrl(target.url), role: config.PROCESS_ROLE }, 'starting')
    if (config.MIGRATE_ON_START) {
      const result = await migrate(target.url, { log: (message, fields) => log.info(fields, message) })
      log.info({ applied: result.applied.length }, 'migrations current')
    }

    // Without an admin port nobody can scrape this process: it counts nothing (no hook, no
    // timer per query), which is also the "off" side of the overhead benchmark.
    const metrics = config.METRICS_PORT === undefined ? disabledMetrics() : createMetrics()
    const db = createDatabase({
      connectionString: target.url,
      max: config.DATABASE_POOL_MAX,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      onError: (error) => log.warn({ err: error }, 'idle database connection failed'),
      onQuery: queryObserver(metrics),
    })
    cleanups.push(() => db.close())
    // Shut down last (cleanups run in reverse): the spans of the requests and jobs drained
    // before it are flushed to the collector.
    const tracer = await createTracer({
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      serviceVersion: packageVersion,
      role: config.PROCESS_ROLE,
    })
    cleanups.push(() => tracer.shutdown())
    if (tracer.exporting) log.info('exporting traces over OTLP')
    const runsWorker = config.PROCESS_ROLE !== 'api'
    const queue = await startJobQueue({
      connectionString: target.url,
      log,
      supervise: runsWorker,
      pollIntervalSeconds: config.QUEUE_POLL_INTERVAL_SECONDS,
      concurrency: config.QUEUE_CONCURRENCY,
    })
    cleanups.push(() => queue.stop(config.SHUTDOWN_GRACE_MS))
    const ctx: ApiContext = await createAppContext({
      config,
      db,
      log,
      clock: systemClock,
      queue,
      metrics,
      tracer,
    })
    cleanups.push(() => ctx.store.close())
    cleanups.push(() => ctx.bus.close())
    cleanups.push(() => ctx.identity.close())
    cleanups.push(() => ctx.readCache.close())
    cleanups.push(async () => ctx.reads?.close())
    if (runsWorker) await queue.work(jobDefinitions(ctx))
    else await queue.register(jobDefinitions(ctx))
    if (runsWorker) {
      // Opened here, at start: a sealed key the key ring cannot open stops the start, rather than
      // every anchoring pass failing later.
      const chainOptions = starknetOptionsFromConfig(config, ctx.secrets, log)
      const anchorer = startAnchorer(ctx, chainOptions ? () => createStarknetChain(chainOptions) : null)
      cleanups.push(() => anchorer.stop())
      if (config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY) {
        const send = createBroadcastSender({
          url: config.SUPABASE_URL,
          serviceKey: config.SUPABASE_SERVICE_ROLE_KEY,
          timeoutMs: config.REALTIME_BROADCAST_TIMEOUT_MS,
        })
        const broadcaster = startBroadcaster(ctx, send, { intervalMs: config.REALTIME_BROADCAST_POLL_MS })
        cleanups.push(() => broadcaster.stop())
      }
      if (config.LEDGER_AUDIT_INTERVAL_SECONDS > 0) {
        const auditor = startLedgerAuditor(ctx)
        cleanups.push(() => auditor.stop())
      }
    }

    if (config.METRICS_PORT !== undefined) {
      registerProcessMetrics(ctx)
      const admin = await startMetricsServer(ctx.metrics, {
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
        log,
        ready: () => adminReadiness(ctx.db),
      })
      cleanups.push(() => admin.close())
      log.info({ metrics: `${admin.address}/metrics` }, 'serving metrics')
    }

    let app: App | undefined
    let address: string | undefined
    if (config.PROCESS_ROLE !== 'worker') {
      const api = await buildApp(ctx)
      app = api
      address = await api.listen({ host: config.HOST, port: config.PORT })
      // Closing Fastify first: it stops accepting, answers 503 to new requests on kept-alive
      // connections and waits for the in-flight ones.
      cleanups.push(() => api.close())
      log.info({ address, docs: `${config.publicUrl}/docs` }, 'listening')
    }

    return {
      ctx,
      app,
      queue,
      address,
      async stop() {
        log.info('shutting down')
        await runCleanups()
        log.info('stopped')
      },
    }
  } catch (error) {
    await runCleanups()
    throw error
  }
}
