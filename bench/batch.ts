/**
 * What one group-committed batch costs the database, statement by statement: `runBatch`
 * (services/trading/batcher.ts) of BENCH_BATCH_SIZE (32) buys spread over BENCH_BATCH_MARKETS
 * (1) markets, BENCH_BATCH_ROUNDS (100) times, one batch at a time, no HTTP. Not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/batch.ts
 *
 * Creates a database of its own on that server and drops it at the end. Prints the time per
 * batch and per named statement (from the client: round trip included); BEGIN, COMMIT and the
 * batch's JavaScript are the difference.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import type { AppContext } from '../src/context.js'
import { createDatabase, type Database, type Query, type Transaction } from '../src/db/database.js'
import { migrate } from '../src/db/migrate.js'
import { systemClock } from '../src/domain/clock.js'
import { createMarket } from '../src/services/markets/create.js'
import { runBatch } from '../src/services/trading/batcher.js'
import { tradingMarket } from '../src/services/trading/orders.js'
import { testConfig } from '../test/helpers/app.js'
import { newUser } from '../test/helpers/money.js'

const SERVER = process.env.BENCH_DATABASE_URL
const SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 32)
const MARKETS = Number(process.env.BENCH_BATCH_MARKETS ?? 1)
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 100)

/** The same transactions, with every named statement's time from the client added up. */
function timed(db: Database, times: Map<string, number>): Database {
  const wrap = (tx: Transaction): Transaction => {
    const time =
      <A extends unknown[], R>(run: (query: Query<unknown>, ...rest: A) => Promise<R>) =>
      async (query: Query<unknown>, ...rest: A): Promise<R> => {
        const t0 = performance.now()
        try {
          return await run(query, ...rest)
        } finally {
          times.set(query.name, (times.get(query.name) ?? 0) + performance.now() - t0)
        }
      }
    return {
      ...tx,
      many: time(tx.many) as Transaction['many'],
      one: time(tx.one) as Transaction['one'],
      maybeOne: time(tx.maybeOne) as Transaction['maybeOne'],
      execute: time(tx.execute),
    }
  }
  return { ...db, withTransaction: (fn, options) => db.withTransaction((tx) => fn(wrap(tx)), options) }
}

async function main() {
  if (!SERVER) throw new Error('BENCH_DATABASE_URL must name a server where a database may be created')
  const name = `dm_batch_${process.pid}`
  const admin = new pg.Client({ connectionString: SERVER })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(SERVER)
  url.pathname = `/${name}`
  const db = createDatabase({ connectionString: url.toString(), max: 2, statementTimeoutMs: 0 })
  try {
    await migrate(url.toString())
    const times = new Map<string, number>()
    const ctx = {
      config: testConfig({ DATABASE_URL: url.toString() }),
      db: timed(db, times),
      clock: systemClock,
      queue: { send: async () => null },
    } as unknown as AppContext
    const creator = await newUser(db, '100000')
    const users = await Promise.all(Array.from({ length: SIZE }, () => newUser(db, '100000')))
    const markets: Awaited<ReturnType<typeof tradingMarket>>[] = []
    for (let i = 0; i < MARKETS; i++) {
      const market = await createMarket(ctx, creator, {
        question: `Batch ${i}?`,
        kind: 'binary',
        subsidy: '1000',
        closeAt: new Date(Date.now() + 86_400_000),
      })
      markets.push(await tradingMarket(ctx, market.id))
    }
    times.clear()
    const t0 = performance.now()
    for (let round = 0; round < ROUNDS; round++) {
      const orders = users.map((userId, i) => {
        const market = markets[(i + round) % markets.length] as (typeof markets)[number]
        return {
          market,
          branchId: market.branches[0]?.id as string,
          userId,
          outcome: i % 2,
          terms: { side: 'buy' as const, amount: 2_000_000n },
        }
      })
      const answers = await runBatch(ctx, orders)
      const refused = answers.find((a) => !a.ok)
      if (refused && !refused.ok) throw refused.error
    }
    const total = performance.now() - t0
    process.stdout.write(
      `${SIZE} buys per batch on ${MARKETS} market(s), ${ROUNDS} batches: ` +
        `${(total / ROUNDS).toFixed(2)} ms per batch, ${Math.round((SIZE * ROUNDS) / (total / 1000))} trades/s one batch at a time\n`,
    )
    for (const [statement, ms] of times) {
      process.stdout.write(`  ${statement.padEnd(28)} ${(ms / ROUNDS).toFixed(2)} ms per batch\n`)
    }
  } finally {
    await db.close()
    await admin.query(`drop database ${name} with (force)`)
    await admin.end()
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
