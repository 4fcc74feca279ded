/**
 * Deadlines through the real queue: the worker (pg-boss) closes a market at close_at and pays
 * it out when the dispute window ends, from jobs enqueued in the transactions that set those
 * deadlines. No handler is called by hand here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db/database.js'
import { parseAmount } from '../../src/domain/money.js'
import { jobDefinitions } from '../../src/jobs/index.js'
import { createDecisionMarket } from '../../src/services/decisions/create.js'
import { createMarket } from '../../src/services/markets/create.js'
import { resolveMarket } from '../../src/services/markets/lifecycle.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { cashOf, ledgerViolations, newUser, principalOf } from '../helpers/money.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp({ env: { DISPUTE_WINDOW_S: '1' } })
  await t.ctx.queue.work(jobDefinitions(t.ctx))
})
afterAll(() => t?.close())

const Status = sql<{ status: string }>('JobTestStatus', 'select status from public.markets where id = $1')

async function waitForStatus(marketId: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const row = await t.ctx.db.one(Status, [marketId])
    if (row.status === status) return
    if (Date.now() > deadline) throw new Error(`market ${marketId} is ${row.status}, not ${status}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe('market deadlines run by the worker', () => {
  it('closes at close_at, then finalises after the dispute window', async () => {
    const creator = await newUser(t.ctx.db)
    const trader = await newUser(t.ctx.db)
    const market = await createMarket(t.ctx, creator, {
      question: 'Will the worker close me?',
      kind: 'binary',
      subsidy: '20',
      closeAt: new Date(Date.now() + 1500),
    })
    const bought = await placeTrade(t.ctx, trader, market.id, { outcome: 'YES', side: 'buy', amount: '5' })
    await waitForStatus(market.id, 'closed')

    const before = await cashOf(t.ctx.db, trader)
    await resolveMarket(t.ctx, principalOf(creator), market.id, { outcome: 'YES', evidence: { note: 'yes' } })
    await waitForStatus(market.id, 'finalized')
    expect(await cashOf(t.ctx.db, trader)).toBe(before + parseAmount(bought.response.trade.shares))
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  }, 60_000)

  it('50 markets with the same decide_at are all decided within one poll interval', async () => {
    const creator = await newUser(t.ctx.db, '5000')
    const count = 50
    // Far enough ahead for the 50 creations to finish on a loaded machine.
    const decideAt = new Date(Date.now() + 12_000)
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const market = await createDecisionMarket(t.ctx, creator, {
        question: `Deadline ${i}`,
        kind: 'binary',
        subsidy: '10',
        closeAt: new Date(decideAt.getTime() + 3_600_000),
        decideAt,
        branches: ['Keep', 'Change'],
        defaultBranch: 0,
      })
      ids.push(market.id)
    }
    expect(Date.now()).toBeLessThan(decideAt.getTime())
    const Decided = sql<{ decided_at: Date }>(
      'JobTestDecidedAt',
      `select decided_at from public.market_decisions where market_id = any($1)`,
    )
    const deadline = decideAt.getTime() + 60_000
    let rows: Array<{ decided_at: Date }> = []
    while (Date.now() < deadline) {
      rows = await t.ctx.db.many(Decided, [ids])
      if (rows.length === count) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(rows).toHaveLength(count)
    const lateMs = rows.map((r) => r.decided_at.getTime() - decideAt.getTime())
    // One job per poll interval would take 50 polls (100 s at the default 2 s). Fetched
    // together, they start within a poll or two; the bound of 10 polls is far from both, so a
    // loaded machine (the 50 transactions take seconds there) cannot fail it, and the one-per-poll
    // defect cannot pass it.
    const poll = t.ctx.config.QUEUE_POLL_INTERVAL_SECONDS * 1000
    expect(Math.min(...lateMs)).toBeGreaterThanOrEqual(0)
    expect(
      Math.max(...lateMs),
      `decided ${lateMs.sort((a, b) => a - b).join(', ')} ms after decide_at`,
    ).toBeLessThan(10 * poll)
    expect(await ledgerViolations(t.ctx.db)).toEqual([])
  }, 120_000)
})
