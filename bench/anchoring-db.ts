import { performance } from 'node:perf_hooks'
import { loadConfig } from '../src/config/index.js'
import type { AppContext } from '../src/context.js'
import { createDatabase, sql } from '../src/db/database.js'
import { migrate } from '../src/db/migrate.js'
import { buildTree, leafOf } from '../src/domain/anchoring/index.js'
import { systemClock } from '../src/domain/clock.js'
import { type Principal, SCOPES } from '../src/domain/identity/principal.js'
import { createLogger } from '../src/infra/logger.js'
import { closeDueBatches } from '../src/services/anchoring/batches.js'
import { type PostingRow, postingInput } from '../src/services/anchoring/leaves.js'
import { postingProof } from '../src/services/anchoring/proofs.js'
import { packTree } from '../src/services/anchoring/tree-store.js'
import { rng } from '../test/helpers/random.js'
import { adminQuery, provisionDatabase } from './database.js'
import { seedGrownData } from './seed.js'

const LEAVES = Number(process.env.BENCH_ANCHOR_LEAVES ?? 10_000)
const PROOFS = Number(process.env.BENCH_ANCHOR_PROOFS ?? 300)
const IDLE_TICKS = Number(process.env.BENCH_ANCHOR_IDLE_TICKS ?? 200)
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn')
/**
 * Older than any seeded posting (bench/seed.ts dates its history up to 30 days back): no partial
 * batch becomes due unless a measurement asks for it.
 */
const NEVER_DUE_MS = 365 * 86_400_000

// The closer's own read (batches.ts, AnchorReadPostings), repeated here to time it alone.
const ReadPostings = sql<PostingRow>(
  'BenchAnchorReadPostings',
  `select p.seq, p.entry_id, p.account_id, p.amount, public.anchor_micros(p.created_at) as created_at_us
     from public.ledger_postings p
    where p.seq between $1 and $2
    order by p.seq`,
)

const InsertBatch = sql(
  'BenchAnchorInsertBatch',
  `insert into public.anchor_batches
     (id, first_posting, last_posting, first_record, last_record, leaf_count, root, tree, status, created_at)
   values (1, 1, $1, 1, 0, $2, $3, $4, 'local', now())`,
)

const LastPosting = sql<{ last_seq: bigint }>(
  'BenchAnchorLastPosting',
  'select last_seq from public.ledger_sequence',
)

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await run()
  return { ms: performance.now() - t0, value }
}

/** Enough trades that grants, subsidies and trades together give at least LEAVES postings. */
async function seedPostings(url: string): Promise<{ seconds: number; postings: bigint }> {
  const users = 500
  const markets = 50
  // Each trade posts three times (cash, escrow, fee), each sign-up and market at least once.
  const trades = Math.ceil(LEAVES / 3)
  const seed = await seedGrownData(url, {
    users,
    markets,
    trades,
    grant: 1000n * 1_000_000n,
    subsidy: 100n * 1_000_000n,
    feeBps: loadConfig(benchEnv(url)).TRADE_FEE_BPS,
  })
  const db = createDatabase({ connectionString: url, max: 1, statementTimeoutMs: 60_000 })
  try {
    const { last_seq } = await db.one(LastPosting)
    return { seconds: seed.seconds, postings: last_seq }
  } finally {
    await db.close()
  }
}

function benchEnv(url: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: url,
    ENCRYPTION_KEYS: 'bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    REDIS_URL: '',
    ANCHOR_BATCH_MAX_LEAVES: String(LEAVES),
  }
}

interface Steps {
  readMs: number
  leavesMs: number
  treeMs: number
  packMs: number
  insertMs: number
}

/** Thrown to roll the timed insert back. */
class RolledBack extends Error {}

/** The closer's work on postings 1..LEAVES, step by step, its insert rolled back. */
async function closeStepByStep(ctx: AppContext): Promise<Steps> {
  const read = await timed(() => ctx.db.many(ReadPostings, [1n, BigInt(LEAVES)]))
  if (read.value.length !== LEAVES) throw new Error(`read ${read.value.length} postings, not ${LEAVES}`)
  const leaves = await timed(() => read.value.map((row) => leafOf(postingInput(row)).hash))
  const tree = await timed(() => buildTree(leaves.value))
  const packed = await timed(() => packTree(tree.value.levels))
  let insertMs = Number.NaN
  await ctx.db
    .withTransaction(async (tx) => {
      const insert = await timed(() =>
        tx.execute(InsertBatch, [BigInt(LEAVES), LEAVES, `0x${tree.value.root.toString(16)}`, packed.value]),
      )
      insertMs = insert.ms
      throw new RolledBack()
    })
    .catch((error) => {
      if (!(error instanceof RolledBack)) throw error
    })
  return { readMs: read.ms, leavesMs: leaves.ms, treeMs: tree.ms, packMs: packed.ms, insertMs }
}

async function idleTicks(ctx: AppContext): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < IDLE_TICKS; i++) {
    const tick = await timed(() => closeDueBatches(ctx, { maxLeaves: LEAVES, intervalMs: NEVER_DUE_MS }))
    if (tick.value.length > 0) throw new Error('an idle tick closed a batch')
    times.push(tick.ms)
  }
  return times.sort((a, b) => a - b)
}

async function main() {
  const started = performance.now()
  const database = await provisionDatabase(log)
  console.log(`Anchoring against the database, on ${database.label}`)
  const db = createDatabase({ connectionString: database.url, max: 2, statementTimeoutMs: 120_000 })
  try {
    await migrate(database.url)
    process.stdout.write(`  seeding at least ${LEAVES} postings (bench/seed.ts) …\n`)
    const seed = await seedPostings(database.url)
    if (seed.postings < BigInt(LEAVES)) throw new Error(`seeded ${seed.postings} postings, not ${LEAVES}`)
    process.stdout.write(`  seeded ${seed.postings} postings in ${seed.seconds.toFixed(1)} s\n`)
    await adminQuery(database.url, 'vacuum analyze public.ledger_postings')
    const ctx = {
      config: loadConfig(benchEnv(database.url)),
      db,
      log,
      clock: systemClock,
    } as unknown as AppContext

    process.stdout.write(`  closing a ${LEAVES}-posting batch step by step (rolled back) …\n`)
    const steps = await closeStepByStep(ctx)
    process.stdout.write(`  closing it with closeDueBatches …\n`)
    const close = await timed(() =>
      closeDueBatches(ctx, { maxLeaves: LEAVES, intervalMs: NEVER_DUE_MS, maxBatches: 1 }),
    )
    const batch = close.value[0]
    if (close.value.length !== 1 || !batch || batch.leafCount !== LEAVES) {
      throw new Error(`expected one batch of ${LEAVES} leaves, closed ${close.value.length}`)
    }

    process.stdout.write(`  ${PROOFS} proofs of random postings of the batch …\n`)
    const admin: Principal = {
      userId: '00000000-0000-4000-8000-000000000000',
      role: 'admin',
      via: 'session',
      scopes: new Set(SCOPES),
    }
    const random = rng(0xa7c4)
    const proofs: number[] = []
    for (let i = 0; i < PROOFS; i++) {
      const seq = 1n + BigInt(Math.floor(random() * LEAVES))
      const served = await timed(() => postingProof(ctx, admin, seq))
      if (BigInt(served.value.proof.root) !== batch.root)
        throw new Error(`the proof of posting ${seq} names another root`)
      proofs.push(served.ms)
    }
    proofs.sort((a, b) => a - b)

    const backlog = seed.postings - batch.lastPosting
    process.stdout.write(`  ${IDLE_TICKS} idle ticks with ${backlog} postings not due …\n`)
    const idleBacklog = await idleTicks(ctx)
    await closeDueBatches(ctx, { maxLeaves: LEAVES, intervalMs: 0 })
    process.stdout.write(`  ${IDLE_TICKS} idle ticks with every posting batched …\n`)
    const idleEmpty = await idleTicks(ctx)

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
    const m = (ms: number) => `${ms.toFixed(2)} ms`
    console.table([
      { measurement: `read ${LEAVES} postings (the closer's select)`, time: s(steps.readMs) },
      {
        measurement: `hash ${LEAVES} leaves`,
        time: `${s(steps.leavesMs)} (${((LEAVES / steps.leavesMs) * 1000).toFixed(0)} leaves/s)`,
      },
      { measurement: `tree of ${LEAVES} leaves`, time: s(steps.treeMs) },
      { measurement: 'pack the tree', time: m(steps.packMs) },
      { measurement: 'insert the batch row (rolled back)', time: m(steps.insertMs) },
      { measurement: `closeDueBatches, one ${LEAVES}-posting batch`, time: s(close.ms) },
      {
        measurement: `postingProof (${PROOFS} random postings)`,
        time: `p50 ${m(percentile(proofs, 50))}, p99 ${m(percentile(proofs, 99))}, max ${m(proofs.at(-1) ?? Number.NaN)}`,
      },
      {
        measurement: `idle closer, ${backlog} postings not due (${IDLE_TICKS} ticks)`,
        time: `p50 ${m(percentile(idleBacklog, 50))}, p99 ${m(percentile(idleBacklog, 99))}`,
      },
      {
        measurement: `idle closer, nothing pending (${IDLE_TICKS} ticks)`,
        time: `p50 ${m(percentile(idleEmpty, 50))}, p99 ${m(percentile(idleEmpty, 99))}`,
      },
    ])
    console.log(`(total ${((performance.now() - started) / 1000).toFixed(0)} s)`)
  } finally {
    await db.close()
    await database.cleanup()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
