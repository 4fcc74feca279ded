/**
 * The ledger auditor's cost (services/ledger-audit): a full catch-up over a grown ledger of
 * BENCH_AUDIT_POSTINGS (10⁶) postings, and the one-minute increments that follow it at
 * realistic trade rates, so we know it is cheap enough to run every minute.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ledger-audit.ts
 *
 * The ledger is grown in SQL by bench/seed.ts (BENCH_AUDIT_USERS users, BENCH_AUDIT_MARKETS
 * markets, and enough buys for the postings asked for); the increments are real trades, written
 * by the trade path (`executeOrders`, 100 orders per money transaction as group commit does) on
 * random seeded markets by random seeded users: BENCH_AUDIT_RATES trades/s (default 100 and 500,
 * the open-loop rate at about half the measured peak, bench/README.md) times 60 s. Every audit
 * must find nothing: the seeded ledger satisfies every invariant, and so does the trade path.
 */
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../src/config/index.js'
import type { AppContext } from '../src/context.js'
import { createDatabase, sql } from '../src/db/database.js'
import { migrate } from '../src/db/migrate.js'
import { systemClock } from '../src/domain/clock.js'
import { createLogger } from '../src/infra/logger.js'
import { type AuditRun, runLedgerAudit } from '../src/services/ledger-audit/audit.js'
import { withMoneyTransaction } from '../src/services/money/transaction.js'
import { tradingMarket } from '../src/services/trading/orders.js'
import { executeOrders, type TradeOrder } from '../src/services/trading/write.js'
import { rng } from '../test/helpers/random.js'
import { adminQuery, provisionDatabase } from './database.js'
import { seedGrownData } from './seed.js'

const POSTINGS = Number(process.env.BENCH_AUDIT_POSTINGS ?? 1_000_000)
const USERS = Number(process.env.BENCH_AUDIT_USERS ?? 10_000)
const MARKETS = Number(process.env.BENCH_AUDIT_MARKETS ?? 100)
const RATES = (process.env.BENCH_AUDIT_RATES ?? '100,500').split(',').map(Number)
const BATCH = Number(process.env.BENCH_AUDIT_BATCH ?? 50_000)
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn')

const SeededUsers = sql<{ user_id: string }>(
  'BenchAuditUsers',
  `select user_id from public.ledger_accounts where kind = 'user_cash' order by user_id`,
)
const SeededMarkets = sql<{ id: string }>('BenchAuditMarkets', 'select id from public.markets order by id')
const LastSeq = sql<{ last_seq: bigint }>('BenchAuditLastSeq', 'select last_seq from public.ledger_sequence')

function benchEnv(url: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: url,
    ENCRYPTION_KEYS: 'bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    REDIS_URL: '',
    LEDGER_AUDIT_BATCH_POSTINGS: String(BATCH),
  }
}

async function audit(ctx: AppContext): Promise<AuditRun> {
  // No time budget: a catch-up measured whole.
  const run = await runLedgerAudit(ctx, { maxPostings: BATCH, timeBudgetMs: Number.POSITIVE_INFINITY })
  if (!run) throw new Error('the auditor lock was taken')
  if (run.findings.length > 0) {
    throw new Error(
      `the audit found ${run.findings.length} violations: ${JSON.stringify(run.findings[0], (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    )
  }
  return run
}

/** `count` real trades in transactions of 100 orders, as group commit writes them. */
async function trade(
  ctx: AppContext,
  users: string[],
  markets: Awaited<ReturnType<typeof tradingMarket>>[],
  count: number,
) {
  const random = rng(count)
  let accepted = 0
  for (let done = 0; done < count; done += 100) {
    const orders: TradeOrder[] = []
    for (let i = 0; i < Math.min(100, count - done); i++) {
      const market = markets[Math.floor(random() * markets.length)] as (typeof markets)[number]
      orders.push({
        market,
        branchId: market.branches[0]?.id as string,
        userId: users[Math.floor(random() * users.length)] as string,
        outcome: random() < 0.5 ? 0 : 1,
        terms: { side: 'buy', amount: BigInt(1 + Math.floor(random() * 5)) * 1_000_000n },
      })
    }
    const outcomes = await withMoneyTransaction(ctx.db, (m) => executeOrders(m, ctx, orders))
    accepted += outcomes.filter((o) => o.ok).length
  }
  return accepted
}

async function main() {
  const database = await provisionDatabase(log)
  console.log(`Ledger audit on ${database.label}`)
  const db = createDatabase({ connectionString: database.url, max: 2, statementTimeoutMs: 300_000 })
  try {
    await migrate(database.url)
    const trades = Math.ceil((POSTINGS - 2 * USERS - 2 * MARKETS) / 3)
    process.stdout.write(`  seeding ${USERS} users, ${MARKETS} markets, ${trades} trades (bench/seed.ts) …\n`)
    const config = loadConfig(benchEnv(database.url))
    const seed = await seedGrownData(database.url, {
      users: USERS,
      markets: MARKETS,
      trades,
      grant: 1_000_000n * 1_000_000n,
      subsidy: 1000n * 1_000_000n,
      feeBps: config.TRADE_FEE_BPS,
    })
    await adminQuery(database.url, 'vacuum analyze')
    const ctx = { config, db, log, clock: systemClock } as unknown as AppContext
    const seeded = (await db.one(LastSeq)).last_seq
    process.stdout.write(`  seeded ${seeded} postings in ${seed.seconds.toFixed(1)} s\n`)

    process.stdout.write(`  full catch-up, ranges of ${BATCH} postings …\n`)
    const full = await audit(ctx)
    const rows: Array<Record<string, string>> = [
      {
        measurement: `full catch-up of ${full.postings} postings`,
        ranges: String(full.ranges),
        time: `${(full.durationMs / 1000).toFixed(2)} s`,
        'postings/s': ((full.postings / full.durationMs) * 1000).toFixed(0),
      },
    ]
    const idle = await audit(ctx)
    rows.push({
      measurement: 'a run with nothing new',
      ranges: '0',
      time: `${idle.durationMs.toFixed(1)} ms`,
      'postings/s': '',
    })

    const users = (await db.many(SeededUsers)).map((r) => r.user_id)
    const markets = await Promise.all((await db.many(SeededMarkets)).map((r) => tradingMarket(ctx, r.id)))
    for (const rate of RATES) {
      const count = rate * 60
      process.stdout.write(`  one minute at ${rate} trades/s: ${count} trades …\n`)
      const t0 = performance.now()
      const accepted = await trade(ctx, users, markets, count)
      const tradeSeconds = (performance.now() - t0) / 1000
      const run = await audit(ctx)
      rows.push({
        measurement: `one minute at ${rate} trades/s (${accepted} trades, written in ${tradeSeconds.toFixed(1)} s): ${run.postings} postings`,
        ranges: String(run.ranges),
        time: `${(run.durationMs / 1000).toFixed(3)} s`,
        'postings/s': ((run.postings / run.durationMs) * 1000).toFixed(0),
      })
    }
    console.table(rows)
  } finally {
    await db.close()
    await database.cleanup()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
