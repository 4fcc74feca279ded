/**
 * Every process registers the job queues when it starts (JobQueue.register, in every role), so
 * replicas deployed together on a fresh database register the same queues at the same moment.
 * Each must succeed: a replica that fails here exits before it serves anything.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { createLogger } from '../../src/infra/logger.js'
import { type JobQueue, startJobQueue } from '../../src/infra/queue.js'
import { jobDefinitions } from '../../src/jobs/index.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'

const REPLICAS = 4

let database: TestDatabase
const queues: JobQueue[] = []

beforeAll(async () => {
  // Cloned from the template: pg-boss's schema is there, none of our queues yet.
  database = await createTestDatabase()
  const log = createLogger('silent')
  for (let i = 0; i < REPLICAS; i++) {
    queues.push(await startJobQueue({ connectionString: database.url, log, supervise: false }))
  }
})

afterAll(async () => {
  for (const queue of queues) await queue.stop(0)
  await database?.drop()
})

describe('registering the job queues', () => {
  it(`succeeds in ${REPLICAS} processes at once on a fresh database`, async () => {
    // The handlers are never run here; only the names and retry settings are registered.
    const jobs = jobDefinitions({} as AppContext)
    const outcomes = await Promise.allSettled(queues.map((queue) => queue.register(jobs)))
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []))
    expect(failures, 'register() failed next to the others (pg-boss create_queue deadlocks)').toEqual([])
  })

  it(`a send to a queue nobody registered yet, in ${REPLICAS} processes beside their registrations, creates it once`, async () => {
    const jobs = jobDefinitions({} as AppContext)
    const fresh = `race-${Date.now()}`
    const outcomes = await Promise.allSettled(
      queues.flatMap((queue) => [queue.register(jobs), queue.send(fresh, { n: 1 })]),
    )
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []))
    expect(failures, 'a send beside the registrations failed').toEqual([])
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      const sent = await client.query('select count(*)::int as n from pgboss.job where name = $1', [fresh])
      const made = await client.query('select count(*)::int as n from pgboss.queue where name = $1', [fresh])
      expect([sent.rows[0].n, made.rows[0].n]).toEqual([REPLICAS, 1])
    } finally {
      await client.end()
    }
  })
})
