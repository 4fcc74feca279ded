/**
 * Submitting batches to a chain: the real adapter (starknet.js 10.8.0) against the LOCAL
 * STAND-IN Starknet node of test/fakes/starknet-node.ts, over a real socket. The stand-in checks
 * every transaction's hash, signature and nonce and holds the contract's rules (owner only,
 * consecutive batch ids), so what is shown here is that the submitter anchors batches in order,
 * never twice, marks them final only when the chain says so, and rides out the chain being down,
 * forgetful, or losing answers; not that Starknet itself behaves so.
 */
import { Account, RpcProvider } from 'starknet'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { createMetrics } from '../../src/infra/metrics.js'
import { type AnchorChain, createStarknetChain } from '../../src/infra/starknet/index.js'
import { startAnchorer } from '../../src/jobs/anchoring.js'
import { closeDueBatches } from '../../src/services/anchoring/batches.js'
import { registerAnchoringMetrics } from '../../src/services/anchoring/metrics.js'
import { anchoringStatus } from '../../src/services/anchoring/queries.js'
import { type SubmitOutcome, submitPendingBatches } from '../../src/services/anchoring/submit.js'
import { createMarket } from '../../src/services/markets/create.js'
import { placeTrade } from '../../src/services/trading/place.js'
import {
  type LocalNodeAccount,
  type LocalStarknetNode,
  startLocalStarknetNode,
} from '../fakes/starknet-node.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { ledgerViolations, newUser, TestClock } from '../helpers/money.js'

const clock = new TestClock()
const OPTIONS = { resubmitAfterMs: 30_000, backoffMs: 1_000, maxBackoffMs: 60_000 }
let t: TestApp
let node: LocalStarknetNode
let owner: LocalNodeAccount
let contract: string
let chain: AnchorChain

beforeAll(async () => {
  t = await createTestApp({ clock })
})
afterAll(() => t?.close())

beforeEach(async () => {
  // A fresh database per test would be slow; a fresh contract per test is enough: the batches
  // of earlier tests are anchored on theirs, so each test starts from a clean slate by deleting
  // nothing and checking only its own batches (from `first`).
  node = await startLocalStarknetNode()
  owner = node.createAccount()
  contract = node.deployAnchorContract(owner.address)
  chain = await connect()
})
afterEach(async () => {
  await chain?.close()
  await node?.close()
})

function connect() {
  return createStarknetChain({
    rpcUrl: node.url,
    accountAddress: owner.address,
    privateKey: owner.privateKey,
    contractAddress: contract,
    maxFeeFri: 10n ** 18n,
    timeoutMs: 1_500,
  })
}

const Batches = sql<{
  id: bigint
  root: string
  leaf_count: number
  status: string
  transaction_hash: string | null
  finality: string | null
  last_error: string | null
}>(
  'TestAnchorChainBatches',
  'select id, root, leaf_count, status, transaction_hash, finality, last_error from public.anchor_batches order by id',
)

const submit = () => submitPendingBatches(t.ctx, chain, OPTIONS)

async function trade(n: number) {
  const creator = await newUser(t.ctx.db, '1000', clock.now())
  const market = await createMarket(t.ctx, creator, {
    question: `Anchored on a chain ${Math.random()}`,
    kind: 'binary',
    subsidy: '50',
    closeAt: new Date(clock.now().getTime() + 86_400_000),
  })
  for (let i = 0; i < n; i++) {
    const trader = await newUser(t.ctx.db, '100', clock.now())
    await placeTrade(t.ctx, trader, market.id, { outcome: 'YES', side: 'buy', amount: '3' })
  }
}

async function closeBatches(maxLeaves = 6) {
  clock.advance(61_000)
  return closeDueBatches(t.ctx, { maxLeaves, intervalMs: 60_000 })
}

/** Runs the submitter, mining between passes, until it has nothing left or `passes` run out. */
async function drain(passes = 40): Promise<SubmitOutcome> {
  let outcome: SubmitOutcome = { kind: 'idle' }
  for (let i = 0; i < passes; i++) {
    outcome = await submit()
    if (outcome.kind === 'idle' || outcome.kind === 'conflict') return outcome
    node.mine()
    clock.advance(OPTIONS.resubmitAfterMs + OPTIONS.maxBackoffMs)
  }
  return outcome
}

/** The whole contract's batches equal the database's, 1..n, each once. */
async function expectChainEqualsDatabase() {
  const batches = await t.ctx.db.many(Batches)
  const onChain = node.anchored(contract).batches
  expect(onChain.map((b) => b.batchId)).toEqual(batches.map((b) => b.id))
  for (const [i, b] of batches.entries()) {
    expect(onChain[i]?.root).toBe(BigInt(b.root))
    expect(onChain[i]?.leafCount).toBe(BigInt(b.leaf_count))
    expect(b.status).toBe('anchored')
  }
  return batches
}

// Each test deploys a new contract, so the database's batches are re-anchored on it from 1; the
// batches' status is reset for that (the one column change the guard trigger allows).
async function forgetChainStatus() {
  await t.ctx.db.pool.query(
    `update public.anchor_batches set status = 'local', transaction_hash = null, finality = null,
       block_number = null, submitted_at = null, anchored_at = null, next_attempt_at = null, attempts = 0, last_error = null`,
  )
}

describe('submitting batches', () => {
  beforeEach(forgetChainStatus)

  it('anchors every batch in order, once, final only when the chain accepted it', async () => {
    await trade(4)
    expect((await closeBatches()).length).toBeGreaterThanOrEqual(2)
    const first = await submit()
    expect(first).toMatchObject({ kind: 'waiting', batch: 1n })
    // Sent, received, not yet in a block: not final.
    let rows = await t.ctx.db.many(Batches)
    expect(rows[0]).toMatchObject({ status: 'submitted', finality: null })
    expect(await submit()).toMatchObject({ kind: 'waiting', batch: 1n })
    expect(node.anchored(contract).batches).toHaveLength(0)

    expect(await drain()).toEqual({ kind: 'idle' })
    rows = await expectChainEqualsDatabase()
    expect(rows.every((r) => r.finality === 'ACCEPTED_ON_L2' && r.transaction_hash)).toBe(true)
    const status = await anchoringStatus(t.ctx.db, clock.now())
    expect(status).toMatchObject({ pending_batches: 0, unbatched_postings: '0', lag_seconds: 0 })
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('keeps trading and batching while the chain is down, then drains the backlog in order', async () => {
    await node.faults.set({ down: 'refuse' })
    await trade(3)
    await closeBatches()
    const down = await submit()
    expect(down).toMatchObject({ kind: 'waiting', batch: 1n })
    // Trading is unaffected, the backlog grows and is shown.
    await trade(3)
    await closeBatches()
    const backlog = await anchoringStatus(t.ctx.db, clock.now())
    expect(backlog.pending_batches).toBeGreaterThanOrEqual(2)
    expect(backlog.last_anchored_batch).toBeNull()
    expect((await t.ctx.db.many(Batches))[0]?.last_error).toMatch(/./)
    // …and scraped: the gauges read the same backlog.
    const metrics = createMetrics()
    registerAnchoringMetrics(t.ctx, metrics)
    const scraped = await metrics.registry.metrics()
    expect(scraped).toMatch(new RegExp(`^dm_anchoring_pending_batches ${backlog.pending_batches}$`, 'm'))
    expect(scraped).toMatch(/^dm_anchoring_lag_seconds [1-9]\d*$/m)
    expect(scraped).toMatch(/^dm_anchoring_last_anchored_batch 0$/m)

    await node.faults.clear()
    expect(await drain()).toEqual({ kind: 'idle' })
    await expectChainEqualsDatabase()
  })

  it('treats a transaction the node forgets or drops as not sent, and sends it again', async () => {
    await trade(2)
    await closeBatches(100)
    expect(await submit()).toMatchObject({ kind: 'waiting' })
    await node.faults.set({ dropReceived: true })
    node.mine() // the block drops it: the hash becomes unknown
    await node.faults.clear()
    const forgotten = await submit()
    expect(forgotten).toMatchObject({ kind: 'waiting', why: expect.stringMatching(/unknown/) })
    expect((await t.ctx.db.many(Batches))[0]).toMatchObject({ status: 'local', transaction_hash: null })
    expect(await drain()).toEqual({ kind: 'idle' })
    await expectChainEqualsDatabase()
  })

  it('never anchors twice when an answer is lost after the node took the transaction', async () => {
    await trade(2)
    await closeBatches(100)
    await node.faults.set({ loseAnswer: true, methods: ['starknet_addInvokeTransaction'] })
    const lost = await submit()
    expect(lost).toMatchObject({ kind: 'waiting', why: expect.stringMatching(/sending/) })
    await node.faults.clear()
    // Past the backoff but within the grace period: it does not send again.
    clock.advance(5_000)
    expect(await submit()).toMatchObject({ kind: 'waiting', why: expect.stringMatching(/in flight/) })
    node.mine() // the lost transaction lands
    expect(await drain()).toEqual({ kind: 'idle' })
    await expectChainEqualsDatabase()
    // One anchor_root transaction per batch reached the node.
    const sent = node.requests.filter((r) => r.method === 'starknet_addInvokeTransaction').length
    expect(sent).toBe((await t.ctx.db.many(Batches)).length)
  })

  it('a reverted transaction is not a success: the batch is final only if the chain holds its root', async () => {
    await trade(2)
    await closeBatches(100)
    const rows = await t.ctx.db.many(Batches)
    // Someone with the owner's key anchors batch 1 with our root, just before our transaction
    // (which then takes the next nonce after error 52): ours reverts with BATCH_NOT_NEXT, and the
    // chain's state, not the revert, decides.
    const provider = await RpcProvider.create({ nodeUrl: node.url })
    const other = new Account({ provider, address: owner.address, signer: owner.privateKey })
    await other.execute(
      {
        contractAddress: contract,
        entrypoint: 'anchor_root',
        calldata: [1n, BigInt(rows[0]?.root as string), rows[0]?.leaf_count as number],
      },
      { resourceBounds: bounds },
    )
    expect(await submit()).toMatchObject({ kind: 'waiting', batch: 1n })
    const ours = (await t.ctx.db.many(Batches))[0]?.transaction_hash as string
    node.mine()
    expect(await chain.status(ours)).toMatchObject({
      state: 'reverted',
      reason: expect.stringMatching(/BATCH_NOT_NEXT/),
    })
    node.mine()
    expect(await drain()).toEqual({ kind: 'idle' })
    await expectChainEqualsDatabase()
  })

  it('stops at a batch the chain holds another root for, and says so', async () => {
    await trade(2)
    await closeBatches(100)
    const provider = await RpcProvider.create({ nodeUrl: node.url })
    const other = new Account({ provider, address: owner.address, signer: owner.privateKey })
    await other.execute(
      { contractAddress: contract, entrypoint: 'anchor_root', calldata: [1n, 0xbadn, 1n] },
      { resourceBounds: bounds },
    )
    node.mine()
    chain = await (async () => {
      await chain.close()
      return connect() // a new writer: the nonce moved under the old one
    })()
    const outcome = await submit()
    expect(outcome).toMatchObject({ kind: 'conflict', batch: 1n })
    expect((await t.ctx.db.many(Batches))[0]).toMatchObject({
      status: 'conflict',
      last_error: expect.stringMatching(/0xbad/),
    })
    expect(await submit()).toMatchObject({ kind: 'conflict' })
    expect((await anchoringStatus(t.ctx.db, clock.now())).conflicts).toBe(1)
  })
})

describe('the worker loop', () => {
  beforeEach(forgetChainStatus)

  it('submits between the batches it closes, so a standing backlog does not keep them all off the chain', async () => {
    await trade(6)
    clock.advance(61_000)
    // A clock that moves a millisecond at every reading, to see the order things happened in.
    let tickAt = clock.now().getTime()
    const ticking = { now: () => new Date(++tickAt) }
    const anchorer = startAnchorer(
      { ...t.ctx, clock: ticking, config: { ...t.ctx.config, ANCHOR_BATCH_MAX_LEAVES: 5 } },
      connect,
      {
        autoStart: false,
      },
    )
    try {
      await anchorer.tick()
      // The batches this tick closed, and the first one it sent (the oldest not on this chain).
      const closed = await t.ctx.db.pool.query<{ created_at: Date }>(
        'select created_at from public.anchor_batches where created_at > $1 order by id',
        [clock.now()],
      )
      expect(closed.rows.length).toBeGreaterThanOrEqual(3)
      const sent = await t.ctx.db.pool.query<{ submitted_at: Date | null }>(
        `select submitted_at from public.anchor_batches order by id limit 1`,
      )
      expect(sent.rows[0]?.submitted_at).not.toBeNull()
      expect(sent.rows[0]?.submitted_at?.getTime()).toBeLessThan(
        closed.rows[1]?.created_at.getTime() as number,
      )
    } finally {
      await anchorer.stop()
    }
  })
})

const bounds = {
  l1_gas: { max_amount: 0n, max_price_per_unit: 40_000_000_000_000n },
  l1_data_gas: { max_amount: 1_000n, max_price_per_unit: 200_000n },
  l2_gas: { max_amount: 3_000_000n, max_price_per_unit: 4_000_000_000n },
}
