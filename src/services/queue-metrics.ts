/**
 * The job queue as Prometheus gauges: jobs waiting (`created`), waiting to be retried (`retry`)
 * and running (`active`) per queue, and the age of each queue's oldest job that is due and not
 * started. Read from pg-boss's tables at scrape, in one query that both gauges share, in any
 * process that serves metrics: the queue is the database's, not one worker's. Every queue pg-boss
 * knows is listed, idle ones at 0, so a series exists before its first job.
 */
import type { AppContext } from '../context.js'
import { sql } from '../db/database.js'
import type { Metrics } from '../infra/metrics.js'

interface QueueRow {
  queue: string
  created: number
  retry: number
  active: number
  lag_seconds: number
}

// The left join reads only jobs not yet finished (state ≤ active, pg-boss's job_state enum is
// ordered created < retry < active < completed …), which its partial index job_i5 covers for
// the waiting ones; finished jobs, the bulk of the table, are not touched.
const ReadQueues = sql<QueueRow>(
  'ReadQueueDepths',
  `select q.name as queue,
          (count(*) filter (where j.state = 'created'))::int as created,
          (count(*) filter (where j.state = 'retry'))::int as retry,
          (count(*) filter (where j.state = 'active'))::int as active,
          coalesce(extract(epoch from $1::timestamptz - min(j.start_after)
                     filter (where j.state < 'active' and j.start_after <= $1)), 0)::float8 as lag_seconds
     from pgboss.queue q
     left join pgboss.job j on j.name = q.name and j.state <= 'active'
    group by q.name
    order by q.name`,
)

const STATES = ['created', 'retry', 'active'] as const

export function registerQueueMetrics(ctx: Pick<AppContext, 'db' | 'clock' | 'log'>, metrics: Metrics): void {
  let pending: Promise<QueueRow[]> | undefined
  // One read serves both gauges of one scrape: a scrape starts every collect in the same tick,
  // so the second finds the first's read still in flight; once it settles, the next scrape reads
  // again.
  const read = () => {
    if (!pending) {
      const rows = ctx.db.many(ReadQueues, [ctx.clock.now()])
      pending = rows
      rows.then(
        () => {
          pending = undefined
        },
        () => {
          pending = undefined
        },
      )
    }
    return pending
  }
  const failed = (error: unknown, metric: string) =>
    ctx.log.warn({ err: error, metric }, 'metric could not be read')

  metrics.gauge({
    name: 'dm_queue_jobs',
    help: 'pg-boss jobs per queue not finished, by state (created: waiting, retry: waiting to be retried, active: running)',
    labelNames: ['queue', 'state'] as const,
    async collect() {
      try {
        const rows = await read()
        this.reset()
        for (const row of rows) for (const state of STATES) this.set({ queue: row.queue, state }, row[state])
      } catch (error) {
        this.reset()
        failed(error, 'dm_queue_jobs')
      }
    },
  })
  metrics.gauge({
    name: 'dm_queue_lag_seconds',
    help: 'Per queue, age of the oldest job that is due (start_after passed) and not started; 0 when none',
    labelNames: ['queue'] as const,
    async collect() {
      try {
        const rows = await read()
        this.reset()
        for (const row of rows) this.set({ queue: row.queue }, Math.max(0, row.lag_seconds))
      } catch (error) {
        this.reset()
        failed(error, 'dm_queue_lag_seconds')
      }
    },
  })
}
