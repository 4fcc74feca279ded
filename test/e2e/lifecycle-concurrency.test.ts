/**
 * Moving a market (close, resolve, void, decide, settle) while traders hammer it. Every transaction
 * that moves a market takes its locks in the one order written in services/money/transaction.ts, so
 * none may deadlock another: the database runs without deadlock retries here (a deadlock would
 * surface as a 503 `busy`), and PostgreSQL's own deadlock counter for the database must stay at
 * zero. Found by an outside bank test: 4 of 10 closes failed `busy` (deadlock detected) while
 * 6 loops traded, because close held the market row FOR UPDATE while trades, holding their
 * branch row, needed a key-share lock on the same market row for their foreign keys.
 *
 * Also checked here: no trade is stamped after its market's `closed_at` (the time of either is
 * taken under the locks, not before waiting for them).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, sql } from '../../src/db/database.js'
import { systemClock } from '../../src/domain/clock.js'
import { isAppError } from '../../src/errors/codes.js'
import type { ApiContext } from '../../src/http/context.js'
import { createLogger } from '../../src/infra/logger.js'
import { startJobQueue } from '../../src/infra/queue.js'
import { createDecisionMarket } from '../../src/services/decisions/create.js'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { createMarket } from '../../src/services/markets/create.js'
import { closeMarketEarly, resolveMarket, voidMarket } from '../../src/services/markets/lifecycle.js'
import { settleMarket } from '../../src/services/markets/settlement.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createAppContext } from '../../src/start/context.js'
import { testConfig } from '../helpers/app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { ledgerViolations, newUser, principalOf } from '../helpers/money.js'

const ROUNDS = Number(process.env.LIFECYCLE_ROUNDS ?? 12)
const TRADERS = 6

let database: TestDatabase
let ctx: ApiContext
let raw: Database

beforeAll(async () => {
  database = await createTestDatabase()
  const config = testConfig({ DATABASE_URL: database.url, DISPUTE_WINDOW_S: '0', TRADE_FEE_BPS: '100' })
  const log = createLogger(config.LOG_LEVEL)
  raw = createDatabase({ connectionString: database.url, max: 12, statementTimeoutMs: 30_000 })
  // One attempt per transaction: a deadlock is not retried away, it fails the request.
  const db: Database = {
    ...raw,
    withTransaction: (fn, options) => raw.withTransaction(fn, { ...options, attempts: 1 }),
  }
  const queue = await startJobQueue({ connectionString: database.url, log, supervise: false })
  ctx = await createAppContext({ config, db, log, clock: systemClock, queue })
})

let closed = false
async function closePool() {
  if (closed) return
  closed = true
  await ctx?.queue.stop(0)
  await raw?.close()
}

afterAll(async () => {
  await ctx?.store.close()
  await ctx?.identity.close()
  await ctx?.readCache.close()
  await closePool()
  await database?.drop()
})

const LateTrades = sql<{ id: string; created_at: Date; closed_at: Date }>(
  'TestTradesAfterClose',
  `select t.id, t.created_at, m.closed_at from public.trades t join public.markets m on m.id = t.market_id
    where m.closed_at is not null and t.created_at > m.closed_at`,
)

/** Deadlocks PostgreSQL counted in this database, read after every backend has flushed its stats. */
async function deadlocks(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    const res = await client.query(
      'select deadlocks::int as n from pg_stat_database where datname = current_database()',
    )
    return res.rows[0].n
  } finally {
    await client.end()
  }
}

describe('close, resolve and void while trades run', () => {
  it(`${ROUNDS} rounds of ${TRADERS} trading loops against a lifecycle step: no deadlock, no 503`, async () => {
    const creator = await newUser(ctx.db, '100000')
    const admin = principalOf(await newUser(ctx.db, '0'), 'admin')
    const traders = await Promise.all(Array.from({ length: TRADERS }, () => newUser(ctx.db, '100000')))
    const failures: string[] = []
    const refusals = new Map<string, number>()
    let trades = 0
    let steps = 0

    for (let round = 0; round < ROUNDS; round++) {
      const kind = round % 4
      const base = {
        question: `Lifecycle race ${round}?`,
        kind: 'binary' as const,
        subsidy: '500',
        closeAt: new Date(Date.now() + 2 * 3_600_000),
        // Several branches: a step locks them all, each trade locks one.
        branches: ['a', 'b', 'c'],
      }
      const market =
        kind === 3
          ? await createDecisionMarket(ctx, creator, {
              ...base,
              decideAt: new Date(Date.now() + 3_600_000),
              defaultBranch: 0,
              rule: { allow_early_decision: true, min_traders: 1 },
            })
          : await createMarket(ctx, creator, base)
      let open = true
      const loops = traders.map(async (trader, i) => {
        for (let n = 0; open; n++) {
          try {
            await placeTrade(ctx, trader, market.id, {
              branch: (i + n) % 3,
              outcome: n % 2,
              side: n % 3 === 2 ? 'sell' : 'buy',
              ...(n % 3 === 2 ? { shares: 'all' } : { amount: '2' }),
            })
            trades++
          } catch (error) {
            const code = isAppError(error) ? error.code : String(error)
            refusals.set(code, (refusals.get(code) ?? 0) + 1)
            if (code === 'market_closed') return
            if (!isAppError(error) || error.status >= 500) failures.push(`trade: ${code} ${error}`)
          }
        }
      })
      // The step starts once the loops are trading (more trades this round than loops), not
      // after a fixed sleep: on a loaded machine 60 ms was sometimes not one trade each.
      const tradesBefore = trades
      await new Promise((resolve) => setTimeout(resolve, 60))
      for (let waited = 0; trades - tradesBefore <= TRADERS && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      try {
        if (kind === 0) {
          await closeMarketEarly(ctx, principalOf(creator), market.id)
          await resolveMarket(ctx, principalOf(creator), market.id, {
            outcome: 'YES',
            evidence: { note: 'r' },
          })
        } else if (kind === 1) {
          await resolveMarket(ctx, principalOf(creator), market.id, {
            outcome: 'NO',
            evidence: { note: 'r' },
          })
        } else if (kind === 2) {
          await voidMarket(ctx, admin, market.id, 'race')
        } else {
          // Decide early: two branches voided and refunded in the decision's transaction while
          // the loops trade on all three; the chosen one trades on until it is resolved.
          await decideMarket(ctx, market.id, { kind: 'early', principal: principalOf(creator) })
          await new Promise((resolve) => setTimeout(resolve, 30))
          await resolveMarket(ctx, principalOf(creator), market.id, {
            outcome: 'YES',
            evidence: { note: 'r' },
          })
        }
        steps++
        // Settlement (payouts or refunds) runs while the loops still hit the closed market.
        await settleMarket(ctx, market.id)
      } catch (error) {
        failures.push(`step ${round}: ${isAppError(error) ? error.code : ''} ${error}`)
      }
      open = false
      await Promise.all(loops)
    }

    expect(failures).toEqual([])
    expect(steps).toBe(ROUNDS)
    expect(trades).toBeGreaterThan(ROUNDS * TRADERS)
    expect(await ctx.db.many(LateTrades)).toEqual([])
    expect(await ledgerViolations(ctx.db)).toEqual([])
    // Backends flush their statistics when they end: close the pool first.
    await closePool()
    expect(await deadlocks()).toBe(0)
  }, 120_000)
})
