/**
 * Positions and settlement (src/domain/settlement.ts), property-tested over random trade
 * sequences run through the real trade engine: positions add up to their trades, every refund
 * plan balances, a void returns each trader what they paid net of what they received, and no
 * order or chunking of refunds can overdraw the escrow or a trader.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maxLiability } from '../../src/domain/market-maker/index.js'
import { MICRO } from '../../src/domain/money.js'
import {
  applyFill,
  EMPTY_POSITION,
  FULL_REFUND,
  netPaid,
  type PositionTotals,
  payoutFor,
  planRefund,
  refundRatio,
  type TraderTotals,
} from '../../src/domain/settlement.js'
import { applyTrades, type TradeRequest } from '../../src/domain/trading/index.js'

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) }

const order = fc.record({
  trader: fc.integer({ min: 0, max: 4 }),
  outcome: fc.integer({ min: 0, max: 2 }),
  buy: fc.boolean(),
  size: fc.integer({ min: 1, max: 80_000_000 }),
  all: fc.boolean(),
})

interface Simulation {
  positions: Map<string, PositionTotals>
  cash: bigint[]
  q: readonly bigint[]
  escrow: bigint
  fees: bigint
  start: bigint
}

/** Runs orders through the engine one at a time, keeping positions, cash, escrow and fees. */
type Order = typeof order extends fc.Arbitrary<infer T> ? T : never

function simulate(orders: fc.Arbitrary<Order[]>) {
  return orders.map((list) => {
    const subsidy = 50n * MICRO
    const start = 1_000n * MICRO
    const sim: Simulation = {
      positions: new Map(),
      cash: [start, start, start, start, start],
      q: [0n, 0n, 0n],
      escrow: subsidy,
      fees: 0n,
      start,
    }
    for (const o of list) {
      const key = `${o.trader}:${o.outcome}`
      const position = sim.positions.get(key) ?? EMPTY_POSITION
      const request: TradeRequest = {
        outcome: o.outcome,
        side: o.buy ? 'buy' : 'sell',
        ...(o.buy ? { amount: BigInt(o.size) } : { shares: o.all ? 'all' : BigInt(o.size) }),
        feeBps: 75,
        cash: sim.cash[o.trader] as bigint,
        held: position.shares,
        minAmount: 0n,
        maxAmount: 10n ** 15n,
      }
      const [result] = applyTrades({ q: sim.q, subsidy }, [request]).results
      if (!result?.ok) continue
      sim.positions.set(key, applyFill(position, result))
      sim.cash[o.trader] = (sim.cash[o.trader] as bigint) + result.cashDelta
      sim.q = result.newQ
      sim.escrow += result.escrowDelta
      sim.fees += result.fee
    }
    return sim
  })
}

const sequences = simulate(fc.array(order, { minLength: 1, maxLength: 40 }))

function totalsOf(sim: Simulation, trader: number): TraderTotals {
  let costTotal = 0n
  let proceedsTotal = 0n
  let feesTotal = 0n
  for (const [key, p] of sim.positions) {
    if (!key.startsWith(`${trader}:`)) continue
    costTotal += p.costTotal
    proceedsTotal += p.proceedsTotal
    feesTotal += p.feesTotal
  }
  return { costTotal, proceedsTotal, feesTotal }
}

describe('positions', () => {
  it('hold the sum of their trades, keep a non-negative basis, and match the branch q', () => {
    fc.assert(
      fc.property(sequences, (sim) => {
        const perOutcome = [0n, 0n, 0n]
        for (const [key, p] of sim.positions) {
          expect(p.shares).toBe(p.sharesBought - p.sharesSold)
          expect(p.costBasis).toBeGreaterThanOrEqual(0n)
          if (p.shares === 0n) expect(p.costBasis).toBe(0n)
          const outcome = Number(key.split(':')[1])
          perOutcome[outcome] = (perOutcome[outcome] as bigint) + p.shares
        }
        expect(perOutcome).toEqual([...sim.q])
        expect(sim.escrow).toBeGreaterThanOrEqual(maxLiability(sim.q))
      }),
      RUNS,
    )
  })

  it('cash + realised P&L + basis held = starting cash (nothing appears or vanishes)', () => {
    fc.assert(
      fc.property(sequences, (sim) => {
        for (let trader = 0; trader < 5; trader++) {
          let realized = 0n
          let basis = 0n
          for (const [key, p] of sim.positions) {
            if (!key.startsWith(`${trader}:`)) continue
            realized += p.realizedPnl
            basis += p.costBasis
          }
          // Spent on what is still held (basis) or lost/gained on what was sold (realised).
          expect(sim.cash[trader]).toBe(sim.start + realized - basis)
        }
      }),
      RUNS,
    )
  })
})

describe('resolution payouts', () => {
  it('pay exactly the winning shares and never more than the escrow', () => {
    fc.assert(
      fc.property(sequences, fc.integer({ min: 0, max: 2 }), (sim, winner) => {
        let paid = 0n
        for (const [key, p] of sim.positions) {
          paid += payoutFor({ kind: 'outcome', winner }, Number(key.split(':')[1]), p.shares)
        }
        expect(paid).toBe(sim.q[winner])
        expect(paid).toBeLessThanOrEqual(sim.escrow)
      }),
      RUNS,
    )
  })
})

describe('void refunds', () => {
  it('return each trader exactly what they paid net of what they received, when cash allows', () => {
    fc.assert(
      fc.property(sequences, (sim) => {
        let escrow = sim.escrow
        let fees = sim.fees
        const plans = [0, 1, 2, 3, 4].map((trader) => ({ trader, totals: totalsOf(sim, trader) }))
        // Clawbacks first, then refunds, as the settlement service orders them.
        plans.sort((a, b) => (netPaid(a.totals) < 0n ? 0 : 1) - (netPaid(b.totals) < 0n ? 0 : 1))
        let ratio = FULL_REFUND
        let ratioFixed = false
        for (const { trader, totals } of plans) {
          if (!ratioFixed && netPaid(totals) >= 0n) {
            ratio = refundRatio(
              escrow,
              plans.filter((p) => netPaid(p.totals) >= 0n).map((p) => p.totals),
            )
            ratioFixed = true
          }
          const plan = planRefund(
            totals,
            sim.cash[trader] as bigint,
            netPaid(totals) >= 0n ? ratio : FULL_REFUND,
          )
          expect(plan.toTrader - plan.fromFees + plan.toEscrow).toBe(0n)
          sim.cash[trader] = (sim.cash[trader] as bigint) + plan.toTrader
          escrow += plan.toEscrow
          fees -= plan.fromFees
          expect(sim.cash[trader]).toBeGreaterThanOrEqual(0n)
          expect(escrow).toBeGreaterThanOrEqual(0n)
        }
        // Everyone had their starting cash available (nobody spent elsewhere): back to it exactly.
        for (const cash of sim.cash) expect(cash).toBe(sim.start)
        expect(fees).toBe(0n)
        expect(escrow).toBe(50n * MICRO)
      }),
      RUNS,
    )
  })

  it('never overdraw a trader or the escrow, in any order, when profits were spent elsewhere', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cost: fc.bigInt({ min: 0n, max: 10n ** 9n }),
            proceeds: fc.bigInt({ min: 0n, max: 10n ** 9n }),
            fees: fc.bigInt({ min: 0n, max: 10n ** 7n }),
            cash: fc.bigInt({ min: 0n, max: 10n ** 9n }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        (traders, subsidy) => {
          const totals = traders.map((t) => ({
            costTotal: t.cost,
            proceedsTotal: t.proceeds,
            feesTotal: t.fees,
          }))
          // The escrow holds the subsidy plus what traders left in it (never below zero).
          let escrow = subsidy + totals.reduce((s, t) => s + t.costTotal - t.proceedsTotal, 0n)
          fc.pre(escrow >= 0n)
          const debtors = traders.map((t, i) => ({ ...t, i })).filter((_, i) => netPaid(totals[i]!) < 0n)
          const creditors = traders.map((t, i) => ({ ...t, i })).filter((_, i) => netPaid(totals[i]!) >= 0n)
          for (const d of debtors) {
            const plan = planRefund(totals[d.i]!, d.cash)
            expect(d.cash + plan.toTrader).toBeGreaterThanOrEqual(0n)
            escrow += plan.toEscrow
            expect(escrow).toBeGreaterThanOrEqual(0n)
          }
          const ratio = refundRatio(
            escrow,
            creditors.map((c) => totals[c.i]!),
          )
          for (const c of creditors) {
            const plan = planRefund(totals[c.i]!, c.cash, ratio)
            expect(plan.toTrader).toBeGreaterThanOrEqual(0n)
            expect(plan.toTrader).toBeLessThanOrEqual(netPaid(totals[c.i]!))
            escrow += plan.toEscrow
            expect(escrow).toBeGreaterThanOrEqual(0n)
          }
        },
      ),
      RUNS,
    )
  })
})
