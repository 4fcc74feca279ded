/**
 * Idempotency-Keys expire: a key answers retries for IDEMPOTENCY_KEY_TTL_HOURS, and the daily
 * purge job (scheduled in the queue by every role at start) deletes the older ones, in batches,
 * once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { jobDefinitions } from '../../src/jobs/index.js'
import { PURGE_IDEMPOTENCY_KEYS_JOB } from '../../src/services/jobs.js'
import { createMarket } from '../../src/services/markets/create.js'
import { PURGE_IDEMPOTENCY_KEYS_CRON, purgeIdempotencyKeys } from '../../src/services/markets/idempotency.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { ledgerViolations, newUser, TestClock } from '../helpers/money.js'

const HOUR = 3_600_000
const clock = new TestClock()
let t: TestApp

beforeAll(async () => {
  t = await createTestApp({ clock, env: { IDEMPOTENCY_KEY_TTL_HOURS: '24' } })
})
afterAll(() => t?.close())

const Keys = sql<{ key: string }>(
  'TestStoredKeys',
  'select key from public.idempotency_keys where user_id = $1 order by key',
)

describe('expiry of Idempotency-Keys', () => {
  it('keeps keys for the configured hours and deletes older ones, in batches, once', async () => {
    const creator = await newUser(t.ctx.db)
    const trader = await newUser(t.ctx.db)
    const market = await createMarket(t.ctx, creator, {
      question: 'Do keys expire?',
      kind: 'binary',
      subsidy: '50',
      closeAt: new Date(clock.now().getTime() + 30 * 24 * HOUR),
    })
    const buy = { outcome: 0, side: 'buy' as const, amount: '1' }
    for (const key of ['old-1', 'old-2', 'old-3', 'old-4', 'old-5']) {
      await placeTrade(t.ctx, trader, market.id, buy, key)
    }
    clock.advance(2 * HOUR)
    await placeTrade(t.ctx, trader, market.id, buy, 'recent')

    // 23 hours after the old ones: all still answer retries.
    clock.advance(21 * HOUR)
    expect(await purgeIdempotencyKeys(t.ctx)).toBe(0)
    expect((await placeTrade(t.ctx, trader, market.id, buy, 'old-1')).replayed).toBe(true)

    // Past 24 hours for the old ones, not for the recent one: batches of 2 take three statements.
    clock.advance(2 * HOUR)
    expect(await purgeIdempotencyKeys(t.ctx, { batchSize: 2 })).toBe(5)
    expect((await t.ctx.db.many(Keys, [trader])).map((k) => k.key)).toEqual(['recent'])
    expect((await placeTrade(t.ctx, trader, market.id, buy, 'recent')).replayed).toBe(true)
    expect(await purgeIdempotencyKeys(t.ctx)).toBe(0)

    // The recent one goes once it is more than a day old.
    clock.advance(HOUR + 1)
    expect(await purgeIdempotencyKeys(t.ctx)).toBe(1)
    expect(await t.ctx.db.many(Keys, [trader])).toEqual([])
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('runs daily from the queue: the schedule is stored at start and the job purges', async () => {
    const jobs = jobDefinitions(t.ctx)
    await t.ctx.queue.register(jobs)
    const schedule = await t.ctx.db.many(
      sql<{ name: string; cron: string; timezone: string }>(
        'TestPurgeSchedule',
        'select name, cron, timezone from pgboss.schedule order by name',
      ),
    )
    expect(schedule).toEqual([
      { name: PURGE_IDEMPOTENCY_KEYS_JOB, cron: PURGE_IDEMPOTENCY_KEYS_CRON, timezone: 'UTC' },
    ])
    // Registering again (a second process starting) keeps one schedule.
    await t.ctx.queue.register(jobs)
    expect(
      await t.ctx.db.many(sql('TestPurgeScheduleAgain', 'select name from pgboss.schedule')),
    ).toHaveLength(1)

    const trader = await newUser(t.ctx.db)
    const creator = await newUser(t.ctx.db)
    const market = await createMarket(t.ctx, creator, {
      question: 'Does the job purge?',
      kind: 'binary',
      subsidy: '50',
      closeAt: new Date(clock.now().getTime() + 30 * 24 * HOUR),
    })
    await placeTrade(t.ctx, trader, market.id, { outcome: 1, side: 'buy', amount: '1' }, 'from-the-job')
    clock.advance(25 * HOUR)
    const job = jobs.find((j) => j.name === PURGE_IDEMPOTENCY_KEYS_JOB)
    await job?.handle({}, { id: 'test', name: PURGE_IDEMPOTENCY_KEYS_JOB })
    expect(await t.ctx.db.many(Keys, [trader])).toEqual([])
  })
})
