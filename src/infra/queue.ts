/**
 * The job queue: pg-boss in PostgreSQL, so a job is committed (or not) with the change that
 * causes it — `send(…, { tx })` runs the insert inside the caller's transaction.
 */
import pg from 'pg'
import PgBoss from 'pg-boss'
import type { Queryable } from '../db/database.js'
import type { Logger } from './logger.js'
import { carryTrace, readCarrier, type TraceContext } from './trace-context.js'

export interface JobMeta {
  id: string
  name: string
  /** The trace of whatever sent the job (SendOptions.trace), so its spans continue that trace. */
  trace?: TraceContext
}

export interface JobDefinition<Data extends object = object> {
  name: string
  /** Runs in the worker role. Must be idempotent: a job can run again after a crash. */
  handle(data: Data, meta: JobMeta): Promise<void>
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
  /**
   * The sender's trace (a request's span): carried in the job's data as `traceparent` and
   * `tracestate`, since the job runs later and in another process.
   */
  trace?: TraceContext | undefined
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

/** The advisory lock key of queue registration ('dmqueue' in ASCII; the migrations use their own). */
const QUEUE_REGISTER_LOCK_KEY = 0x646d7175657565n

export async function startJobQueue(options: {
  connectionString: string
  log: Logger
  supervise: boolean
  pollIntervalSeconds?: number
  /** Jobs of one queue that run at once in this process (each queue has its own). */
  concurrency?: number
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
  const pollMs = (options.pollIntervalSeconds ?? 2) * 1000
  const concurrency = options.concurrency ?? 20
  const loops: Promise<void>[] = []
  const running = new Set<Promise<void>>()
  const wakers = new Set<() => void>()

  async function runJob(job: JobDefinition, item: PgBoss.Job<object>) {
    const jobLog = log.child({ job: job.name, jobId: item.id })
    try {
      jobLog.debug('job started')
      const trace = readCarrier(item.data)
      await job.handle(item.data, { id: item.id, name: item.name, ...(trace ? { trace } : {}) })
      await boss.complete(job.name, item.id)
      jobLog.debug('job done')
    } catch (error) {
      jobLog.warn({ err: error }, 'job failed')
      const failure =
        error instanceof Error ? { message: error.message, name: error.name } : { error: String(error) }
      // The queue retries it (retryLimit) or marks it failed; if even that fails, pg-boss's
      // maintenance expires the active job and retries it.
      await boss.fail(job.name, item.id, failure).catch((err) => log.error({ err }, 'could not fail a job'))
    }
  }

  /**
   * pg-boss 10's own `work` fetches one job (batchSize 1), awaits it, then sleeps out the poll
   * interval: measured, 16 markets with the same decide_at were decided one poll apart (the last
   * 16 s late at a 2 s poll), and webhook deliveries queued the same way; a batch awaited as a
   * whole would let one hanging receiver hold up the rest. So each queue gets this loop instead:
   * up to `concurrency` jobs run at once, each completed or failed on its own; a poll fetches as
   * many due jobs as there is room for, and while it finds a full batch (a backlog) it fetches
   * again as soon as a slot frees rather than at the next poll. Due jobs therefore all start
   * within one poll interval, up to `concurrency` of them at once and the rest as slots free.
   */
  async function workQueue(job: JobDefinition) {
    // In flight on this queue: each queue has its own slots, so hanging webhook receivers never
    // hold up decisions.
    const inFlight = new Set<Promise<void>>()
    let backlog = false
    let wake: (() => void) | undefined
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          wakers.delete(done)
          wake = undefined
          resolve()
        }
        const timer = setTimeout(done, ms)
        wake = done
        wakers.add(done)
      })
    while (!stopping) {
      const room = concurrency - inFlight.size
      if (room > 0) {
        try {
          const items = await boss.fetch<object>(job.name, { batchSize: room })
          backlog = items.length === room
          for (const item of items) {
            const run: Promise<void> = runJob(job, item).finally(() => {
              running.delete(run)
              inFlight.delete(run)
              if (backlog) wake?.()
            })
            running.add(run)
            inFlight.add(run)
          }
        } catch (error) {
          backlog = false
          if (!stopping) log.error({ err: error, job: job.name }, 'could not fetch jobs')
        }
      }
      if (stopping) break
      if (backlog && inFlight.size < concurrency) continue
      await sleep(pollMs)
    }
  }

  // Replicas started together on a fresh database register the same queues at the same moment,
  // and pg-boss's create_queue deadlocks with itself (it inserts the queue row, then adds a
  // foreign key to that table): 3 of 4 registrations failed, and their processes exited. One
  // process registers at a time, under a session advisory lock on a connection of its own.
  async function registeringAlone(run: () => Promise<void>) {
    const client = new pg.Client({
      connectionString: options.connectionString,
      application_name: 'decision-markets-queue-register',
    })
    await client.connect()
    try {
      await client.query('select pg_advisory_lock($1)', [QUEUE_REGISTER_LOCK_KEY.toString()])
      // Creating a queue adds a partition to pg-boss's job table, which can still deadlock with
      // another process's job traffic on that table (seen at start beside a working worker);
      // the victim's statement was rolled back, and registering is idempotent: run it again.
      for (let attempt = 1; ; attempt++) {
        try {
          await run()
          return
        } catch (error) {
          if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error
          log.warn({ err: error, attempt }, 'queue registration deadlocked; retrying')
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100))
        }
      }
    } finally {
      await client.end().catch(() => {}) // ending the session releases the lock
    }
  }

  /**
   * A queue sent to before any process registered it (a job kind this build added) is created
   * under the same lock: creating it beside another process's registration deadlocked as two
   * registrations do (seen with four processes started at once, test/e2e/load-balancer.test.ts).
   */
  async function ensureQueue(name: string) {
    if (created.has(name)) return
    if (!(await boss.getQueue(name)))
      await registeringAlone(async () => {
        if (!(await boss.getQueue(name))) await boss.createQueue(name)
      })
    created.add(name)
  }

  const queue: JobQueue = {
    register: (jobs) =>
      registeringAlone(async () => {
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
      }),
    async send(name, data, sendOptions = {}) {
      await ensureQueue(name)
      const carried = sendOptions.trace ? { ...data, ...carryTrace(sendOptions.trace) } : data
      return boss.send(name, carried, {
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
        loops.push(workQueue(job))
        log.info({ job: job.name, concurrency }, 'working queue')
      }
    },
    async stop(graceMs) {
      stopping = true
      for (const wake of wakers) wake()
      await Promise.all(loops)
      // Jobs in flight get the grace period; one cut short is retried (handlers are idempotent).
      const drained = Promise.allSettled([...running])
      await Promise.race([
        drained,
        new Promise((resolve) => setTimeout(resolve, Math.max(graceMs, 1)).unref()),
      ])
      await boss.stop({ graceful: true, timeout: Math.max(graceMs, 1), wait: true })
    },
  }
  return queue
}
