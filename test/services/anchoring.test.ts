/**
 * Anchoring against a real database, without a chain: every committed posting and every
 * decision and resolution record lands in exactly one batch, in order; batches close at N
 * entries or after T seconds; a batch's stored root is the root of its rows as the anchoring
 * core computes it; and the proof served for any entry verifies with the core's verifier alone,
 * while a tampered one does not. Chain submission is test/services/anchoring-chain.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { buildTree, leafOf, verifyProof } from '../../src/domain/anchoring/index.js'
import { createAgent } from '../../src/services/agents/agents.js'
import { closeDueBatches } from '../../src/services/anchoring/batches.js'
import { postingInput, recordInput } from '../../src/services/anchoring/leaves.js'
import { marketRecordProof, postingProof, recordProof } from '../../src/services/anchoring/proofs.js'
import { anchoringStatus, listBatches } from '../../src/services/anchoring/queries.js'
import { createDecisionMarket } from '../../src/services/decisions/create.js'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { createMarket } from '../../src/services/markets/create.js'
import { disputeResolution, resolveMarket, settleDispute } from '../../src/services/markets/lifecycle.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { ledgerViolations, newUser, principalOf, TestClock } from '../helpers/money.js'

const MINUTE = 60_000
const clock = new TestClock()
let t: TestApp

beforeAll(async () => {
  t = await createTestApp({ clock })
})
afterAll(() => t?.close())

const close = (maxLeaves = 10_000, intervalMs = 60_000) => closeDueBatches(t.ctx, { maxLeaves, intervalMs })

const AllPostings = sql<Parameters<typeof postingInput>[0]>(
  'TestAnchorAllPostings',
  `select seq, entry_id, account_id, amount, public.anchor_micros(created_at) as created_at_us
     from public.ledger_postings where seq between $1 and $2 order by seq`,
)
const AllRecords = sql<Parameters<typeof recordInput>[0]>(
  'TestAnchorAllRecords',
  'select seq, kind, market_id, payload from public.anchor_records where seq between $1 and $2 order by seq',
)
const Batches = sql<{
  id: bigint
  first_posting: bigint
  last_posting: bigint
  first_record: bigint
  last_record: bigint
  leaf_count: number
  root: string
  status: string
}>(
  'TestAnchorBatches',
  `select id, first_posting, last_posting, first_record, last_record, leaf_count, root, status
     from public.anchor_batches order by id`,
)
const MarketRecords = sql<{ created_at: Date; payload: Record<string, unknown> & { prior?: unknown } }>(
  'TestAnchorMarketRecords',
  'select created_at, payload from public.anchor_records where market_id = $1 order by seq',
)
const Counters = sql<{ postings: bigint; records: bigint }>(
  'TestAnchorCounters',
  `select (select last_seq from public.ledger_sequence) as postings,
          (select last_seq from public.anchor_record_sequence) as records`,
)

async function someTrading(users: number) {
  const creator = await newUser(t.ctx.db, '1000', clock.now())
  const market = await createMarket(t.ctx, creator, {
    question: `Anchored market ${Math.random()}`,
    kind: 'binary',
    subsidy: '50',
    closeAt: new Date(clock.now().getTime() + 24 * 60 * MINUTE),
  })
  const traders: string[] = []
  for (let i = 0; i < users; i++) {
    const trader = await newUser(t.ctx.db, '100', clock.now())
    traders.push(trader)
    await placeTrade(t.ctx, trader, market.id, { outcome: i % 2 ? 'NO' : 'YES', side: 'buy', amount: '5' })
  }
  return { creator, market, traders }
}

/** Every batch, recomputed from the rows it claims: contiguous, complete, and the root it stored. */
async function expectBatchesMatchTheirRows() {
  const batches = await t.ctx.db.many(Batches)
  const counters = await t.ctx.db.one(Counters)
  let nextPosting = 1n
  let nextRecord = 1n
  for (const [i, batch] of batches.entries()) {
    expect(batch.id).toBe(BigInt(i + 1))
    expect(batch.first_posting).toBe(nextPosting)
    expect(batch.first_record).toBe(nextRecord)
    const postings = await t.ctx.db.many(AllPostings, [batch.first_posting, batch.last_posting])
    const records = await t.ctx.db.many(AllRecords, [batch.first_record, batch.last_record])
    expect(postings.length + records.length).toBe(batch.leaf_count)
    const leaves = [...postings.map(postingInput), ...records.map(recordInput)].map(
      (input) => leafOf(input).hash,
    )
    expect(`0x${buildTree(leaves).root.toString(16)}`).toBe(batch.root)
    nextPosting = batch.last_posting + 1n
    nextRecord = batch.last_record + 1n
  }
  return { batches, counters, nextPosting, nextRecord }
}

describe('closing batches', () => {
  it('waits for N entries or T seconds, then takes every committed entry, in order, once', async () => {
    await someTrading(3)
    // Fresh entries, fewer than N: not due.
    expect(await close(10_000, 60_000)).toEqual([])
    clock.advance(61_000)
    const first = await close(10_000, 60_000)
    expect(first).toHaveLength(1)
    let state = await expectBatchesMatchTheirRows()
    expect(state.nextPosting - 1n).toBe(state.counters.postings)

    // A backlog larger than N closes several full batches, and the rest waits for its time.
    await someTrading(6)
    const full = await close(7, 60_000)
    expect(full.length).toBeGreaterThanOrEqual(2)
    expect(full.every((b) => b.leafCount === 7)).toBe(true)
    state = await expectBatchesMatchTheirRows()
    const left = state.counters.postings - (state.nextPosting - 1n)
    expect(left).toBeGreaterThan(0n)
    expect(left).toBeLessThan(7n)
    clock.advance(61_000)
    expect(await close(7, 60_000)).toHaveLength(1)
    state = await expectBatchesMatchTheirRows()
    expect(state.nextPosting - 1n).toBe(state.counters.postings)
    expect(await close(7, 60_000)).toEqual([]) // nothing left: no empty batch
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })

  it('lets one closer work at a time: concurrent passes never make overlapping batches', async () => {
    await someTrading(4)
    clock.advance(61_000)
    const passes = await Promise.all([close(3), close(3), close(3), close(3)])
    expect(passes.flat().length).toBeGreaterThan(0)
    await expectBatchesMatchTheirRows()
  })
})

describe('decision and resolution records', () => {
  it('are written with the decision and the resolution, anchored, and proven publicly', async () => {
    const owner = await newUser(t.ctx.db, '1000', clock.now())
    const trader = await newUser(t.ctx.db, '100', clock.now())
    const start = clock.now().getTime()
    const market = await createDecisionMarket(t.ctx, owner, {
      question: 'Which launch grows users most?',
      kind: 'binary',
      subsidy: '20',
      closeAt: new Date(start + 120 * MINUTE),
      decideAt: new Date(start + 60 * MINUTE),
      branches: ['A', 'B'],
      defaultBranch: 0,
      rule: {
        min_traders: 1,
        min_volume: '1',
        threshold_bps: 200,
        twap_interval_seconds: 60,
        twap_max_step_bps: 100,
      },
    })
    clock.advance(MINUTE)
    await placeTrade(t.ctx, trader, market.id, { outcome: 'YES', side: 'buy', amount: '10', branch: 1 })
    clock.set(new Date(start + 61 * MINUTE))
    const decision = await decideMarket(t.ctx, market.id, { kind: 'deadline' })
    expect(decision).not.toBeNull()
    clock.set(new Date(start + 121 * MINUTE))
    await resolveMarket(t.ctx, principalOf(owner), market.id, {
      outcome: 'YES',
      evidence: { url: 'https://example.test/result' },
    })

    // Not in a batch yet: a clear 409, not a 404 or a 500.
    await expect(marketRecordProof(t.ctx, market.id, 'decision')).rejects.toMatchObject({
      status: 409,
      code: 'proof_not_ready',
    })
    clock.advance(61_000)
    await close()
    await expectBatchesMatchTheirRows()

    const served = await marketRecordProof(t.ctx, market.id, 'decision')
    expect(served.proof.kind).toBe('decision')
    expect(served.proof.fields).toMatchObject({
      market_id: market.id,
      chosen_branch_index: String(decision?.chosen_branch),
    })
    const record = served.proof.fields.record as Record<string, unknown>
    expect(record).toMatchObject({ reason: decision?.reason, params: expect.any(Object) })
    expect(record.scores).toHaveLength(2)
    expect(verifyProof(served.proof)).toMatchObject({ ok: true, batchId: BigInt(served.batch.id) })

    const resolution = await marketRecordProof(t.ctx, market.id, 'resolution')
    expect(resolution.proof.fields).toMatchObject({
      outcome: 'YES',
      branch_index: String(decision?.chosen_branch),
    })
    expect(verifyProof(resolution.proof).ok).toBe(true)

    // Tampering with any part the verifier reads makes it fail.
    const tampered = structuredClone(served.proof) as unknown as { fields: { record: { reason: string } } }
    tampered.fields.record.reason = 'default_is_best'
    expect(verifyProof(tampered)).toMatchObject({ ok: false })
    expect(verifyProof({ ...served.proof, index: served.proof.index + 1 })).toMatchObject({ ok: false })
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  })
})

describe('what a record holds, and when', () => {
  it('anchors a corrected resolution with the time it was corrected', async () => {
    const admin = principalOf(await newUser(t.ctx.db, '0', clock.now()), 'admin')
    const creator = await newUser(t.ctx.db, '1000', clock.now())
    const market = await createMarket(t.ctx, creator, {
      question: `Corrected ${Math.random()}`,
      kind: 'binary',
      subsidy: '20',
      closeAt: new Date(clock.now().getTime() + 60 * MINUTE),
    })
    const trader = await newUser(t.ctx.db, '100', clock.now())
    await placeTrade(t.ctx, trader, market.id, { outcome: 'YES', side: 'buy', amount: '5' })
    await resolveMarket(t.ctx, principalOf(creator), market.id, { outcome: 'NO', evidence: { note: 'x' } })
    const resolvedAt = clock.now()
    clock.advance(30 * MINUTE)
    const dispute = await disputeResolution(t.ctx, principalOf(trader), market.id, { reason: 'wrong' })
    clock.advance(30 * MINUTE)
    const correctedAt = clock.now()
    await settleDispute(t.ctx, admin, dispute.id, { decision: 'uphold', outcome: 'YES' })
    const records = await t.ctx.db.many(MarketRecords, [market.id])
    expect(records.map((r) => [r.created_at.toISOString(), r.payload.outcome_label])).toEqual([
      [resolvedAt.toISOString(), 'NO'],
      [correctedAt.toISOString(), 'YES'],
    ])
    expect(records[1]?.payload.resolved_at_us).toBe(String(BigInt(correctedAt.getTime()) * 1000n))
  })

  it("keeps only the code of an agent's LLM failure, whose text only the operator may read", async () => {
    const owner = await newUser(t.ctx.db, '1000', clock.now())
    const { agent } = await createAgent(t.ctx, principalOf(owner), {
      name: 'Anchored agent',
      objective: { kind: 'binary', measurement: 'm' },
      action_source: 'fixed',
      actions: [
        { label: 'A', description: '' },
        { label: 'B', description: '' },
      ],
      llm: { base_url: 'http://127.0.0.1:9/v1', model: 'm', api_key: 'sk-secret' },
      default_action: 'A',
      liquidity_per_decision: '10',
      delivery: { type: 'webhook', url: 'http://127.0.0.1:9/hook' },
    })
    const market = await createMarket(t.ctx, owner, {
      question: `Agent failed ${Math.random()}`,
      kind: 'binary',
      subsidy: '20',
      closeAt: new Date(clock.now().getTime() + 60 * MINUTE),
    })
    await t.ctx.db.pool.query(
      `insert into public.agent_decisions (market_id, agent_id, owner_id, prior_error, created_at)
       values ($1, $2, $3, 'llm_unreachable: llm.operator.internal has no address', now())`,
      [market.id, agent.id, owner],
    )
    await t.ctx.db.pool.query(
      `insert into public.market_decisions (market_id, chosen_branch, best_branch, default_branch, reason, explanation,
         scores, params, distinct_traders, total_volume, decided_at)
       values ($1, 0, 0, 0, 'default_is_best', 'x', '[]', '{}', 0, 0, now())`,
      [market.id],
    )
    const [record] = await t.ctx.db.many(MarketRecords, [market.id])
    expect(record?.payload.prior).toMatchObject({ branch: null, error: 'llm_unreachable' })
    expect(JSON.stringify(record?.payload)).not.toMatch(/operator\.internal/)
  })

  it('numbers records at commit, after the ledger, so every transaction takes the two counters in one order', async () => {
    // A decision locks traders' cash after recording, a dispute settlement the disputer's cash
    // before it changes the resolution: numbered when written, the two deadlocked (found in
    // review). Deferred to commit, the records' counter is always taken after the ledger's.
    const { rows } = await t.ctx.db.pool.query<{
      tgname: string
      tgdeferrable: boolean
      tginitdeferred: boolean
    }>(
      `select tgname, tgdeferrable, tginitdeferred from pg_trigger
        where tgname in ('market_decisions_anchor', 'markets_anchor_resolution') order by tgname`,
    )
    expect(rows).toEqual([
      { tgname: 'market_decisions_anchor', tgdeferrable: true, tginitdeferred: true },
      { tgname: 'markets_anchor_resolution', tgdeferrable: true, tginitdeferred: true },
    ])
  })
})

describe('posting proofs', () => {
  it("verify for every posting of a batch, for the posting's owner and admins only", async () => {
    const { traders } = await someTrading(3)
    clock.advance(61_000)
    await close(5)
    clock.advance(61_000)
    await close(5)
    const { counters } = await expectBatchesMatchTheirRows()
    const admin = principalOf(await newUser(t.ctx.db, '0', clock.now()), 'admin')
    clock.advance(61_000)
    await close(5) // the admin's grant
    const last = counters.postings
    for (let seq = 1n; seq <= last; seq++) {
      const served = await postingProof(t.ctx, admin, seq)
      expect(verifyProof(served.proof), `posting ${seq}`).toMatchObject({ ok: true })
      expect(served.proof.fields.seq).toBe(String(seq))
    }
    // The trader's own posting: theirs to prove; another user gets a 403.
    const mine = await t.ctx.db.one(
      sql<{ seq: bigint }>(
        'TestAnchorMyPosting',
        'select max(seq) as seq from public.ledger_postings where user_id = $1',
      ),
      [traders[0]],
    )
    const own = await postingProof(t.ctx, principalOf(traders[0] as string), mine.seq)
    expect(verifyProof(own.proof).ok).toBe(true)
    await expect(postingProof(t.ctx, principalOf(traders[1] as string), mine.seq)).rejects.toMatchObject({
      status: 403,
    })
    await expect(postingProof(t.ctx, null, mine.seq)).rejects.toMatchObject({ status: 401 })
    await expect(postingProof(t.ctx, admin, 10n ** 15n)).rejects.toMatchObject({ status: 404 })
    await expect(recordProof(t.ctx, 10n ** 15n)).rejects.toMatchObject({ status: 404 })
  })

  it('lists batches newest first with a cursor, and says how far anchoring lags', async () => {
    const page = await listBatches(t.ctx.db, { limit: 2 })
    expect(page.items).toHaveLength(2)
    expect(BigInt(page.items[0]?.id as string)).toBeGreaterThan(BigInt(page.items[1]?.id as string))
    expect(page.items.every((b) => b.status === 'local' && !b.final)).toBe(true)
    const next = await listBatches(t.ctx.db, { limit: 2, cursor: page.next_cursor as string })
    expect(BigInt(next.items[0]?.id as string)).toBeLessThan(BigInt(page.items[1]?.id as string))
    await expect(listBatches(t.ctx.db, { limit: 2, cursor: 'nope' })).rejects.toMatchObject({ status: 400 })
    const status = await anchoringStatus(t.ctx.db, clock.now())
    expect(status.pending_batches).toBeGreaterThan(0)
    expect(status.last_anchored_batch).toBeNull()
    expect(status.lag_seconds).toBeGreaterThan(60)
  })
})

describe('the database guards what a batch anchors', () => {
  it('refuses a batch that does not follow the last one, and any change of what one anchors', async () => {
    await expect(
      t.ctx.db.pool.query(
        `insert into public.anchor_batches (id, first_posting, last_posting, first_record, last_record, leaf_count, root, tree, created_at)
         values (1000, 1, 1, 1, 0, 1, '0x1', '\\x00', now())`,
      ),
    ).rejects.toThrow(/does not follow/)
    await expect(
      t.ctx.db.pool.query(`update public.anchor_batches set root = '0x2' where id = 1`),
    ).rejects.toThrow(/fixed/)
    await expect(t.ctx.db.pool.query('delete from public.anchor_batches where id = 1')).rejects.toThrow(
      /fixed/,
    )
    await expect(t.ctx.db.pool.query('delete from public.anchor_records')).rejects.toThrow(/append-only/)
  })
})
