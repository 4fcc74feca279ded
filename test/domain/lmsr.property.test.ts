import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type BranchState,
  costToBuy,
  liquidity,
  lmsrCost,
  maxLiability,
  prices,
  proceedsOfSell,
  sharesForAmount,
  worstCaseLoss,
} from '../../src/domain/market-maker/index.js'
import { minBig } from '../../src/domain/money.js'

// PROPERTY_RUNS raises the number of cases for a soak run; the default keeps the suite fast.
const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) }

interface StateOpts {
  /** Largest subsidy in micro-credits. */
  maxSubsidy: bigint
  /** Largest |q_i / b|. */
  maxZ: number
}

/** A branch with n = 2..32 outcomes, a random subsidy and q_i = z_i · b for random z_i. */
function stateArb({ maxSubsidy, maxZ }: StateOpts): fc.Arbitrary<BranchState> {
  return fc
    .record({
      subsidy: fc.bigInt({ min: 1n, max: maxSubsidy }),
      zs: fc.array(fc.double({ min: -maxZ, max: maxZ, noNaN: true }), { minLength: 2, maxLength: 32 }),
    })
    .map(({ subsidy, zs }) => {
      const b = liquidity({ q: zs.map(() => 0n), subsidy })
      return { subsidy, q: zs.map((z) => BigInt(Math.round(z * b))) }
    })
}

/** A state together with a valid outcome index. */
function withOutcome(states: fc.Arbitrary<BranchState>): fc.Arbitrary<{ state: BranchState; k: number }> {
  return states.chain((state) =>
    fc.record({ state: fc.constant(state), k: fc.nat({ max: state.q.length - 1 }) }),
  )
}

/**
 * Share counts on every scale: dust, whole shares, and multiples of b, never more than
 * `maxMultipleOfB` · b (so that the relative part of the safety margin, ~1e-12 of the
 * shares moved, stays predictable in a given test).
 */
function sharesArb(state: BranchState, maxMultipleOfB = 20): fc.Arbitrary<bigint> {
  const b = liquidity(state)
  const cap = BigInt(Math.max(1, Math.floor(maxMultipleOfB * b)))
  return fc
    .oneof(
      fc.bigInt({ min: 1n, max: 1000n }),
      fc.bigInt({ min: 1n, max: 10n ** 12n }),
      fc
        .double({ min: 0, max: maxMultipleOfB, noNaN: true })
        .map((f) => BigInt(Math.max(1, Math.round(f * b)))),
    )
    .map((s) => (s > cap ? cap : s))
}

const moderate = stateArb({ maxSubsidy: 1_000_000_000n, maxZ: 50 })
const wide = stateArb({ maxSubsidy: 10n ** 15n, maxZ: 1000 })

describe('LMSR properties', () => {
  it('prices are probabilities that sum to 1, even in extreme states', () => {
    fc.assert(
      fc.property(wide, (state) => {
        const p = prices(state)
        expect(p).toHaveLength(state.q.length)
        for (const pi of p) {
          expect(Number.isFinite(pi)).toBe(true)
          expect(pi).toBeGreaterThanOrEqual(0)
          expect(pi).toBeLessThanOrEqual(1)
        }
        expect(Math.abs(p.reduce((a, x) => a + x, 0) - 1)).toBeLessThan(1e-12)
      }),
      RUNS,
    )
  })

  it('integer costs lie just above the exact cost: by the margin plus rounding, never below', () => {
    // Independent check against the naive float difference C(q') − C(q) in moderate states,
    // where that difference is itself accurate to far below a micro-credit.
    fc.assert(
      fc.property(
        withOutcome(stateArb({ maxSubsidy: 100_000_000n, maxZ: 20 })).chain((s) =>
          fc.record({ s: fc.constant(s), shares: sharesArb(s.state, 5) }),
        ),
        ({ s: { state, k }, shares }) => {
          const b = liquidity(state)
          const q = state.q.map(Number)
          const q2 = q.map((qi, i) => (i === k ? qi + Number(shares) : qi))
          const exact = lmsrCost(q2, b) - lmsrCost(q, b)
          const tol = 1e-9 * (Math.abs(lmsrCost(q2, b)) + 1)
          // The relative part of the margin: 1e-12 · (b · (1 + |lse| + max|z| + x) + value), with
          // |lse| and max|z| ≤ 21 for this generator.
          const rel = 1e-12 * (b * (45 + Number(shares) / b) + Math.abs(exact))
          const c = Number(costToBuy(state, k, shares))
          expect(c).toBeGreaterThanOrEqual(exact + 1 - tol)
          expect(c).toBeLessThan(exact + Math.max(1, rel) + 1 + tol)
          const q3 = q.map((qi, i) => (i === k ? qi - Number(shares) : qi))
          const exactProceeds = lmsrCost(q, b) - lmsrCost(q3, b)
          const p = Number(proceedsOfSell(state, k, shares))
          expect(p).toBeLessThanOrEqual(Math.max(0, exactProceeds - 1 + tol))
          expect(p).toBeGreaterThan(exactProceeds - Math.max(1, rel) - 1 - tol)
        },
      ),
      RUNS,
    )
  })

  // Buying in k steps pays, per step, the exact cost plus the one-unit margin (in moderate
  // branches — b ≤ ~1,400 credits, |q/b| ≤ 50, trades ≤ 20b — the margin is its one-unit
  // floor) plus less than one unit of rounding up. Against the one-step trade that is at most
  // one margin unit and one rounding unit per step, less the single trade's own margin unit:
  // Σ − whole ≤ 2k − 1 (3 for x then y; float noise can make a cost that is an exact integer
  // in real arithmetic round up by that extra unit, so 2 is not a hard bound). And because
  // every extra step pays a whole margin unit, Σ − whole ≥ k − 2 ≥ 0: splitting never pays.
  it('buying x then y (or in k steps) never costs less than at once, and at most one unit more per step', () => {
    const gen = withOutcome(moderate).chain((s) =>
      fc.record({ s: fc.constant(s), pieces: fc.array(sharesArb(s.state), { minLength: 2, maxLength: 6 }) }),
    )
    fc.assert(
      fc.property(gen, ({ s: { state, k }, pieces }) => {
        let current = state
        let paid = 0n
        for (const x of pieces) {
          paid += costToBuy(current, k, x)
          current = { ...current, q: current.q.map((qi, i) => (i === k ? qi + x : qi)) }
        }
        const whole = costToBuy(
          state,
          k,
          pieces.reduce((a, x) => a + x, 0n),
        )
        const steps = BigInt(pieces.length)
        expect(paid).toBeGreaterThanOrEqual(whole + steps - 2n)
        expect(paid - whole).toBeLessThanOrEqual(2n * steps - 1n)
      }),
      RUNS,
    )
  })

  it('splitting never beats one trade in extreme states either (buys and sells)', () => {
    let sellsCompared = 0
    const gen = withOutcome(fc.oneof(moderate, wide)).chain((s) =>
      fc.record({
        s: fc.constant(s),
        x: sharesArb(s.state, 2000),
        y: sharesArb(s.state, 2000),
        sx: sharesArb(s.state, 3),
        sy: sharesArb(s.state, 3),
      }),
    )
    fc.assert(
      fc.property(gen, ({ s: { state, k }, x, y, sx, sy }) => {
        const up = { ...state, q: state.q.map((qi, i) => (i === k ? qi + x : qi)) }
        expect(costToBuy(state, k, x) + costToBuy(up, k, y)).toBeGreaterThanOrEqual(
          costToBuy(state, k, x + y),
        )
        // Sells: proceeds are clamped at 0, and a part whose exact proceeds are below its own
        // margin loses that margin's additivity, so the comparison holds when both parts pay.
        // (Either way every part stays below its exact proceeds; see the escrow property.)
        const down = { ...state, q: state.q.map((qi, i) => (i === k ? qi - sx : qi)) }
        const px = proceedsOfSell(state, k, sx)
        const py = proceedsOfSell(down, k, sy)
        if (px > 0n && py > 0n) {
          sellsCompared++
          expect(px + py).toBeLessThanOrEqual(proceedsOfSell(state, k, sx + sy))
        }
      }),
      RUNS,
    )
    // The conditional branch must actually be exercised.
    expect(sellsCompared).toBeGreaterThan(RUNS.numRuns / 10)
  })

  it('a buy-then-sell round trip never profits the trader', () => {
    const gen = withOutcome(wide).chain((s) => fc.record({ s: fc.constant(s), x: sharesArb(s.state, 2000) }))
    fc.assert(
      fc.property(gen, ({ s: { state, k }, x }) => {
        const paid = costToBuy(state, k, x)
        const after = { ...state, q: state.q.map((qi, i) => (i === k ? qi + x : qi)) }
        const got = proceedsOfSell(after, k, x)
        // Both sides carry a one-unit margin, so the trader loses at least two units, or one
        // when the proceeds are clamped at zero.
        expect(got).toBeLessThanOrEqual(paid - (got > 0n ? 2n : 1n))
        // And the other way round: buying back what was sold costs more than the sale paid.
        const sold = { ...state, q: state.q.map((qi, i) => (i === k ? qi - x : qi)) }
        const sale = proceedsOfSell(state, k, x)
        expect(costToBuy(sold, k, x)).toBeGreaterThanOrEqual(sale + (sale > 0n ? 2n : 1n))
      }),
      RUNS,
    )
  })

  it('extreme states stay finite: every cost and proceeds is a bounded integer', () => {
    const gen = withOutcome(stateArb({ maxSubsidy: 10n ** 15n, maxZ: 1000 })).chain((s) =>
      fc.record({ s: fc.constant(s), x: sharesArb(s.state, 3000) }),
    )
    fc.assert(
      fc.property(gen, ({ s: { state, k }, x }) => {
        const b = liquidity(state)
        const c = costToBuy(state, k, x)
        const p = proceedsOfSell(state, k, x)
        // A share never costs more than a credit (plus the margin) nor pays more than one.
        // Margin bound: 1e-12 · (b · (1 + |lse| + max|z| + x/b) + cost) + 1, |lse| ≤ 1000 + ln 32.
        const margin = BigInt(Math.ceil(1e-12 * (b * 2010 + 2 * Number(x)))) + 2n
        expect(c).toBeGreaterThan(0n)
        expect(c).toBeLessThanOrEqual(x + margin)
        expect(p).toBeGreaterThanOrEqual(0n)
        expect(p).toBeLessThanOrEqual(x)
      }),
      RUNS,
    )
  })

  it('sharesForAmount never costs more than the amount, and one more micro-share would', () => {
    const gen = withOutcome(wide).chain((s) =>
      fc.record({
        s: fc.constant(s),
        amount: fc.oneof(
          fc.bigInt({ min: 0n, max: 100n }),
          fc.bigInt({ min: 0n, max: 10n ** 9n }),
          fc.bigInt({ min: 0n, max: 10n ** 16n }),
        ),
      }),
    )
    fc.assert(
      fc.property(gen, ({ s: { state, k }, amount }) => {
        const s = sharesForAmount(state, k, amount)
        expect(s).toBeGreaterThanOrEqual(0n)
        expect(costToBuy(state, k, s)).toBeLessThanOrEqual(amount)
        expect(costToBuy(state, k, s + 1n)).toBeGreaterThan(amount)
      }),
      RUNS,
    )
  })

  it('the escrow always covers the maximum liability after any sequence of trades; the maker never loses more than b·ln n', () => {
    const op = fc.record({
      outcome: fc.nat({ max: 31 }),
      sell: fc.boolean(),
      // Fraction of b (buys) or of the outstanding position (sells); dust too.
      size: fc.oneof(fc.double({ min: 0, max: 30, noNaN: true }), fc.constant(-1)),
      dust: fc.bigInt({ min: 1n, max: 50n }),
    })
    const gen = fc.record({
      n: fc.integer({ min: 2, max: 32 }),
      subsidy: fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 10n ** 13n })),
      ops: fc.array(op, { minLength: 1, maxLength: 60 }),
    })
    fc.assert(
      fc.property(gen, ({ n, subsidy, ops }) => {
        let state: BranchState = { q: Array<bigint>(n).fill(0n), subsidy }
        const b = liquidity(state)
        let escrow = subsidy
        for (const o of ops) {
          const k = o.outcome % n
          const qk = state.q[k] as bigint
          let shares: bigint
          if (o.sell) {
            if (qk === 0n) continue
            shares = o.size < 0 ? minBig(o.dust, qk) : BigInt(Math.floor(Math.min(o.size, 1) * Number(qk)))
            if (shares <= 0n || shares > qk) shares = qk
            escrow -= proceedsOfSell(state, k, shares)
            state = { ...state, q: state.q.map((qi, i) => (i === k ? qi - shares : qi)) }
          } else {
            shares = o.size < 0 ? o.dust : BigInt(Math.max(1, Math.round(o.size * b)))
            escrow += costToBuy(state, k, shares)
            state = { ...state, q: state.q.map((qi, i) => (i === k ? qi + shares : qi)) }
          }
          expect(escrow).toBeGreaterThanOrEqual(maxLiability(state.q))
          // What the maker would lose if the worst outcome won now: pay its shares out of what
          // traders paid in (escrow − subsidy). Never more than the worst case it was funded for.
          expect(maxLiability(state.q) - (escrow - subsidy)).toBeLessThanOrEqual(worstCaseLoss(state))
        }
      }),
      RUNS,
    )
  })
})
