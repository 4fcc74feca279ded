/**
 * The job queue: pg-boss in PostgreSQL, so a job is committed (or not) with the change that
 * causes it — `send(…, { tx })` runs the insert inside the caller's transaction.
 */
import PgBoss from 'pg-boss'
import type { Queryable } from '../db/database.js'
import type { Logger } from './logger.js'

export interface JobDefinition<Data extends object = object> {
  name: string
  /** Runs in the worker role. Must be idempotent: a job can run again after a crash. */
  handle(data: Data, meta: { id: string; name: string }): Promise<void>
  retryLimit?: number
  retryDelaySeconds?: number
  /**
   * A cron expression (UTC): the job is also sent on this schedule, with empty data. pg-boss keeps
   * the schedule in the database and sends each tick once, whichever worker's clock sees it first.
   */
  schedule?: string
}

export interface SendOptions {
  /** Insert the job in this transaction, so it exists if and only if the transaction commits. */
  tx?: Queryable
  startAfter?: Date
  /**
   * A label for the job (e.g. `close:<market>`). On pg-boss 10's standard queues it does not
   * deduplicate by itself (that needs singletonSeconds or a singleton queue policy): every
   * handler is idempotent instead, so a duplicate job finds its work done.
   */
  singletonKey?: string
  /** Retries after a failed run (the handler threw), with this delay, doubling if backoff. */
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
}

export interface JobQueue {
  send(name: string, data: object, options?: SendOptions): Promise<string | null>
  /**
   * Creates (or updates) each job's queue with its retry settings, so a job inherits them
   * whichever process sends it, and makes the stored schedules those of the definitions. Every
   * role does this at start.
   */
  register(jobs: JobDefinition[]): Promise<void>
  /** Starts handling jobs (worker role); registers them first. */
  work(jobs: JobDefinition[]): Promise<void>
  stop(graceMs: number): Promise<void>
}

export async function startJobQueue(options: {
  connectionString: string
  log: Logger
  supervise: boolean
  pollIntervalSeconds?: number
}) {
  const log = options.log.child({ component: 'queue' })
  const boss = new PgBoss({
    connectionString: options.connectionString,
    application_name: 'decision-markets-queue',
    max: 4,
    // Maintenance (expiring, archiving) runs where jobs are worked, not in every API process.
    supervise: options.supervise,
    schedule: options.supervise,
  })
  let stopping = false
  // Once stopping, the database may go away under pg-boss's last idle connections (the embedded
  // server stops right after): that is the shutdown working, not an error to alarm anyone.
  boss.on('error', (error) =>
    stopping
      ? log.debug({ err: error }, 'queue error while stopping')
      : log.error({ err: error }, 'queue error'),
  )
  await boss.start()
  const created = new Set<string>()

  async function ensureQueue(name: string) {
    if (created.has(name)) return
    if (!(await boss.getQueue(name))) await boss.createQueue(name)
    created.add(name)
  }

  const queue: JobQueue = {
    async register(jobs) {
      for (const job of jobs) {
        const retry = {
          ...(job.retryLimit !== undefined ? { retryLimit: job.retryLimit } : {}),
          ...(job.retryDelaySeconds !== undefined
            ? { retryDelay: job.retryDelaySeconds, retryBackoff: true }
            : {}),
        }
        if (await boss.getQueue(job.name)) await boss.updateQueue(job.name, { name: job.name, ...retry })
        else await boss.createQueue(job.name, { name: job.name, ...retry })
        created.add(job.name)
        if (job.schedule !== undefined) await boss.schedule(job.name, job.schedule, {}, { tz: 'UTC' })
        else await boss.unschedule(job.name)
      }
    },
    async send(name, data, sendOptions = {}) {
      await ensureQueue(name)
      return boss.send(name, data, {
        ...(sendOptions.tx ? { db: sendOptions.tx } : {}),
        ...(sendOptions.startAfter ? { startAfter: sendOptions.startAfter } : {}),
        ...(sendOptions.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
        ...(sendOptions.retryLimit !== undefined ? { retryLimit: sendOptions.retryLimit } : {}),
        ...(sendOptions.retryDelaySeconds !== undefined ? { retryDelay: sendOptions.retryDelaySeconds } : {}),
        ...(sendOptions.retryBackoff !== undefined ? { retryBackoff: sendOptions.retryBackoff } : {}),
      })
    },
    async work(jobs) {
      await queue.register(jobs)
      for (const job of jobs) {
        const pollingIntervalSeconds = options.pollIntervalSeconds ?? 2
        await boss.work<object>(job.name, { pollingIntervalSeconds }, async ([item]) => {
          if (!item) return
          const jobLog = log.child({ job: job.name, jobId: item.id })
          jobLog.debug('job started')
          await job.handle(item.data, { id: item.id, name: item.name })
          jobLog.debug('job done')
        })
        log.info({ job: job.name }, 'working queue')
      }
    },
    async stop(graceMs) {
      stopping = true
      await boss.stop({ graceful: true, timeout: Math.max(graceMs, 1), wait: true })
    },
  }
  return queue
}
