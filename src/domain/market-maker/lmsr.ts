/**
 * Logarithmic market scoring rule (Hanson's LMSR) for one market branch. Pure: no I/O, no
 * clock, no randomness; the same functions serve the API, the workers and the tests.
 *
 * Units. `q[i]` is the number of micro-shares of outcome i outstanding, `subsidy` (L) is in
 * micro-credits, and one micro-share pays one micro-credit, so cost, q and b share one
 * unit and `q[i] / b` is dimensionless.
 *
 *   C(q) = b · ln Σ exp(q_i / b),  b = L / ln n
 *
 * Whatever traders do, the market maker loses at most b·ln n = L (the cost of moving from
 * q = 0 to any state is at least max q_i − b·ln n), which is the subsidy escrowed when the
 * branch opens.
 *
 * Floats and money. The transcendental functions are evaluated in binary64; every result
 * that becomes money is converted to a bigint with a rounding direction that favours the
 * market maker (costs up, proceeds down) AFTER a safety margin that exceeds the float
 * error (see `safetyMargin`). So the integer a trader pays is never below the exact real
 * LMSR cost for the `b` in use, and the integer a trader receives is never above the exact
 * proceeds. Summed over any sequence of trades, that keeps every branch solvent:
 * escrow = L + Σ costs − Σ proceeds ≥ L + C(q) − C(0) ≥ C(q) ≥ max q_i = maxLiability(q)
 * (C(0) = b·ln n ≤ L by the choice of b in `liquidity`; see the property tests).
 */

import { MICRO } from '../money.js'

/** Fewest outcomes a branch may have. */
export const MIN_OUTCOMES = 2
/** Most outcomes a branch may have (categorical markets: 2–32). */
export const MAX_OUTCOMES = 32

/**
 * Relative part of the float safety margin. Binary64 has ε ≈ 2.2e-16; the computations
 * below lose at most a few tens of ε relative to the magnitudes they handle, so 1e-12
 * (≈ 4,500 ε) leaves two orders of magnitude of headroom while costing a trader less than
 * a micro-credit on any branch below ~10^6 credits of subsidy.
 */
export const SAFETY_RELATIVE = 1e-12

/** Smallest safety margin, in micro-units; see `safetyMargin`. */
export const SAFETY_ABSOLUTE = 1

/** The state of one branch's market maker. */
export interface BranchState {
  /** Micro-shares outstanding per outcome; the length is the number of outcomes (2–32). */
  readonly q: readonly bigint[]
  /** The creator's subsidy L in micro-credits (> 0); fixes b = L / ln n. */
  readonly subsidy: bigint
}

export type MarketMakerErrorCode =
  | 'invalid_state'
  | 'invalid_outcome'
  | 'invalid_quantity'
  | 'numeric_overflow'

/**
 * A programming or data error around the market maker (a malformed state, a negative
 * quantity). Trader mistakes are not thrown: the trade engine turns them into typed
 * rejections before calling in here.
 */
export class MarketMakerError extends Error {
  override readonly name = 'MarketMakerError'
  constructor(
    readonly code: MarketMakerErrorCode,
    message: string,
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------
// Float core (numbers, any consistent unit). Exported for tests and for display code.
// ---------------------------------------------------------------------------------------

/** ln Σ exp(x_i), shifted by the maximum so it neither overflows nor underflows. */
export function logSumExp(xs: readonly number[]): number {
  let m = Number.NEGATIVE_INFINITY
  // Stryker disable next-line EqualityOperator: x >= m also finds the maximum: ties change nothing
  for (const x of xs) if (x > m) m = x
  if (!Number.isFinite(m)) return m
  let s = 0
  for (const x of xs) s += Math.exp(x - m)
  return m + Math.log(s)
}

/** ln(e^a + e^b) without overflow. */
function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b)
  if (m === Number.NEGATIVE_INFINITY) return m
  return m + Math.log1p(Math.exp(-Math.abs(a - b)))
}

/** ln(e^a − e^b) for a > b. */
function logSubExp(a: number, b: number): number {
  return a + Math.log1p(-Math.exp(b - a))
}

/** The LMSR cost function C(q) = b · ln Σ exp(q_i / b). */
export function lmsrCost(q: readonly number[], b: number): number {
  return b * logSumExp(q.map((qi) => qi / b))
}

/** Instantaneous prices: the softmax of q / b. Sums to 1 up to float rounding. */
export function lmsrPrices(q: readonly number[], b: number): number[] {
  const z = q.map((qi) => qi / b)
  const lse = logSumExp(z)
  return z.map((zi) => Math.exp(zi - lse))
}

/**
 * C(q + δ·e_k) − C(q) computed without subtracting two large costs: positive for a buy
 * (δ > 0), minus the proceeds for a sell (δ < 0).
 */
export function lmsrTradeCost(q: readonly number[], b: number, outcome: number, delta: number): number {
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= q.length) {
    throw new MarketMakerError('invalid_outcome', `outcome must be an integer in 0..${q.length - 1}`)
  }
  const z = q.map((qi) => qi / b)
  const lse = logSumExp(z)
  return b * logMoveFactor(z, lse, outcome, delta / b)
}

/**
 * ln(1 − p_k + p_k·e^x) = [C(q + x·b·e_k) − C(q)] / b, where p_k = exp(z_k − lse).
 *
 * Two evaluations, picked by which one is well conditioned:
 * - log1p(p_k · expm1(x)) keeps full relative precision for small trades (where the log-space
 *   form would cancel), provided p_k and e^x are representable and the argument stays away
 *   from −1 (large sells of a near-certain outcome);
 * - otherwise ln(e^{ln(1−p_k)} + e^{ln p_k + x}) in log space, where ln(1−p_k) is taken from
 *   the log-sum-exp of the other outcomes so that it is accurate even when p_k rounds to 1.
 */
function logMoveFactor(z: readonly number[], lse: number, k: number, x: number): number {
  // Stryker disable next-line ConditionalExpression: without the shortcut both evaluations of a zero move give exactly 0 (tested from an extreme state)
  if (x === 0) return 0
  const zk = z[k] as number
  const lp = zk - lse
  if (lp > -700 && x < 700) {
    const y = Math.exp(lp) * Math.expm1(x)
    if (y > -0.5) return Math.log1p(y)
  }
  const others = z.filter((_, i) => i !== k)
  const l1p = logSumExp(others) - lse
  return logAddExp(l1p, lp + x)
}

// ---------------------------------------------------------------------------------------
// Integer API over BranchState.
// ---------------------------------------------------------------------------------------

/**
 * The liquidity parameter b = L / ln n, nudged down by 8 ε. Rounding in `Number(L)`,
 * `Math.log(n)` (≤ 1 ulp in V8) and the division could otherwise leave the float b a few
 * ε above the real L / ln n, and then b·ln n — the worst-case loss — would exceed the
 * escrowed subsidy by a fraction of a unit. A slightly smaller b only makes the market a
 * hair less liquid.
 */
export function liquidity(state: BranchState): number {
  assertState(state)
  return liquidityOf(state.subsidy, state.q.length)
}

function liquidityOf(subsidy: bigint, n: number): number {
  return (Number(subsidy) / Math.log(n)) * (1 - 8 * Number.EPSILON)
}

/**
 * The most the market maker can lose over any sequence of trades, b·ln n micro-credits, rounded
 * up: C(0) = b·ln n, and moving from q = 0 to any q costs at least max q_i − b·ln n. `liquidity`
 * picks b so that this never exceeds the subsidy L, which is what the branch escrows when it
 * opens; the integer rounding of every trade (costs up, proceeds down) only lowers the loss.
 */
export function worstCaseLoss(state: BranchState): bigint {
  assertState(state)
  return BigInt(Math.ceil(liquidityOf(state.subsidy, state.q.length) * Math.log(state.q.length)))
}

/** Throws `MarketMakerError('invalid_state')` unless the state is a well-formed branch. */
export function assertState(state: BranchState): void {
  const n = state.q.length
  if (!Number.isInteger(n) || n < MIN_OUTCOMES || n > MAX_OUTCOMES) {
    throw new MarketMakerError(
      'invalid_state',
      `a branch has ${MIN_OUTCOMES}-${MAX_OUTCOMES} outcomes, got ${n}`,
    )
  }
  for (const qi of state.q) {
    if (typeof qi !== 'bigint') throw new MarketMakerError('invalid_state', 'q must hold bigint micro-shares')
  }
  if (typeof state.subsidy !== 'bigint' || state.subsidy <= 0n) {
    throw new MarketMakerError('invalid_state', 'subsidy must be a positive bigint of micro-credits')
  }
}

/** Throws `MarketMakerError('invalid_outcome')` unless `outcome` indexes one of the state's outcomes. */
export function assertOutcome(state: BranchState, outcome: number): void {
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= state.q.length) {
    throw new MarketMakerError(
      'invalid_outcome',
      `outcome must be an integer in 0..${state.q.length - 1}, got ${String(outcome)}`,
    )
  }
}

function assertQuantity(name: string, v: bigint): void {
  if (typeof v !== 'bigint' || v < 0n) {
    throw new MarketMakerError('invalid_quantity', `${name} must be a non-negative bigint, got ${String(v)}`)
  }
}

/** What one state's floats look like, computed once and reused by the integer searches. */
interface Prepared {
  readonly b: number
  /** q_i / b */
  readonly z: readonly number[]
  /** ln Σ exp(z_i) */
  readonly lse: number
  /** 1 + |lse| + max |z_i|: the size of the dimensionless numbers the float code handles. */
  readonly scale: number
}

function prepare(state: BranchState): Prepared {
  assertState(state)
  const b = liquidityOf(state.subsidy, state.q.length)
  const z = state.q.map((qi) => Number(qi) / b)
  const lse = logSumExp(z)
  let maxAbs = 0
  for (const zi of z) maxAbs = Math.max(maxAbs, Math.abs(zi))
  const scale = 1 + Math.abs(lse) + maxAbs
  if (!Number.isFinite(scale))
    throw new MarketMakerError('numeric_overflow', 'state is outside the float range')
  return { b, z, lse, scale }
}

/**
 * Safety margin, in micro-units, added to a cost before rounding up and taken from proceeds
 * before rounding down, for a move of x = shares / b whose float value is `value`.
 *
 * Relative part. Number(q_i) and Number(shares) round beyond 2^53 (relative ε);
 * z_i = q_i / b, lse and ln p_k = z_k − lse carry an absolute error of a few ε·(|z|+|lse|);
 * x carries a few ε·|x|; exp/expm1/log1p each add ≲ 1 ulp of their result; the final
 * product by b adds ε·|value|. The float error is therefore below a few tens of ε times
 * M = b·(scale + |x|) + |value|, and 1e-12·M covers it with ~100× headroom.
 *
 * Absolute part. The margin is never less than one whole unit. Where 1e-12·M is far below
 * a unit (any branch under ~10^6 credits) this is defence in depth: it holds even if a
 * platform's libm were several ulps worse than V8's, or the analysis above missed a term,
 * and it costs a trader at most one micro-credit per trade.
 *
 * Why max(1, 1e-12·M) and not their sum: both exceed the error bound, but a sum would charge
 * the state-size part b·scale once per trade, so a trade split in two could cost three units
 * more than the whole; with the maximum the split costs the whole plus one or two units
 * (its own margin unit and at most one more unit of rounding), and never less.
 */
function safetyMargin(pre: Prepared, x: number, value: number): number {
  return Math.max(SAFETY_ABSOLUTE, SAFETY_RELATIVE * (pre.b * (pre.scale + Math.abs(x)) + Math.abs(value)))
}

function costFromPrepared(pre: Prepared, outcome: number, shares: bigint): bigint {
  if (shares === 0n) return 0n
  const x = Number(shares) / pre.b
  const c = pre.b * logMoveFactor(pre.z, pre.lse, outcome, x)
  const v = c + safetyMargin(pre, x, c)
  if (!Number.isFinite(v))
    throw new MarketMakerError('numeric_overflow', 'trade cost is outside the float range')
  return BigInt(Math.ceil(v))
}

function proceedsFromPrepared(pre: Prepared, outcome: number, shares: bigint): bigint {
  // Stryker disable next-line ConditionalExpression: a zero sell falls through to −0 − margin < 0, which returns 0n too
  if (shares === 0n) return 0n
  const x = Number(shares) / pre.b
  const p = -pre.b * logMoveFactor(pre.z, pre.lse, outcome, -x)
  const v = p - safetyMargin(pre, x, p)
  if (!Number.isFinite(v))
    throw new MarketMakerError('numeric_overflow', 'trade proceeds are outside the float range')
  // Stryker disable next-line EqualityOperator: v = 0 floors to 0n either way
  return v > 0 ? BigInt(Math.floor(v)) : 0n
}

/** Current prices (probabilities) of every outcome. Floats: for display and scoring, never money. */
export function prices(state: BranchState): number[] {
  const pre = prepare(state)
  return pre.z.map((zi) => Math.exp(zi - pre.lse))
}

/** C(q) in micro-credits as a float (display, tests). Money never flows through this. */
export function cost(state: BranchState): number {
  const pre = prepare(state)
  return pre.b * pre.lse
}

/**
 * Micro-credits the market maker charges for `shares` micro-shares of `outcome`:
 * C(q + shares·e_k) − C(q), plus the safety margin, rounded up. 0 for 0 shares; at least 2
 * for any positive number of shares (the margin's unit plus the ceiling).
 */
export function costToBuy(state: BranchState, outcome: number, shares: bigint): bigint {
  assertQuantity('shares', shares)
  const pre = prepare(state)
  assertOutcome(state, outcome)
  return costFromPrepared(pre, outcome, shares)
}

/**
 * Micro-credits the market maker pays for `shares` micro-shares of `outcome` sold back:
 * C(q) − C(q − shares·e_k), minus the safety margin, rounded down, never below 0.
 */
export function proceedsOfSell(state: BranchState, outcome: number, shares: bigint): bigint {
  assertQuantity('shares', shares)
  const pre = prepare(state)
  assertOutcome(state, outcome)
  return proceedsFromPrepared(pre, outcome, shares)
}

/**
 * The largest number of micro-shares s with costToBuy(state, outcome, s) ≤ amount.
 *
 * The closed-form inverse of the cost gives an estimate; integer checks against
 * `costToBuy` itself then bracket and bisect, so the result satisfies, exactly and with the
 * very function that will price the trade:
 *   costToBuy(s) ≤ amount  and  costToBuy(s + 1) > amount.
 * Returns 0n when not even one micro-share is affordable.
 */
export function sharesForAmount(state: BranchState, outcome: number, amount: bigint): bigint {
  assertQuantity('amount', amount)
  const pre = prepare(state)
  assertOutcome(state, outcome)
  const fits = (s: bigint): boolean => costFromPrepared(pre, outcome, s) <= amount
  // Stryker disable next-line ConditionalExpression: a shortcut: without it the search from the estimate also ends at 0n
  if (!fits(1n)) return 0n

  const s0 = estimateShares(pre, outcome, amount)
  // The estimate is off by float error (~1e-12 relative) plus the margin's unit, so start
  // with a small step and gallop; a bad estimate costs a few more evaluations, not a wrong answer.
  // Stryker disable next-line ArithmeticOperator: the first step only sets how many evaluations the bracket takes; the bisection result is the same
  let step = 1n + s0 / 1_000_000_000n
  let lo: bigint
  let hi: bigint
  if (fits(s0)) {
    lo = s0
    // Stryker disable next-line ArithmeticOperator: the bracket stays valid (fits(lo), !fits(hi)) either way; only the evaluation count changes
    hi = s0 + step
    // Stryker disable next-line BlockStatement: reached only when the estimate falls short by more than a step, which no fixed test input produces (the sharesEstimate tests show it within one step); a random property input has reached it, so it is kept and not trusted away
    while (fits(hi)) {
      lo = hi
      // Stryker disable next-line AssignmentOperator: as above, reached only by rare property inputs; `/=` would then shrink the step to 0 and hang, which such a run catches as a timeout
      step *= 2n
      hi = lo + step
    }
  } else {
    hi = s0
    // Stryker disable next-line ArithmeticOperator: the bracket stays valid either way; only the evaluation count changes
    lo = s0 - step
    // Stryker disable next-line ConditionalExpression,EqualityOperator: fits() holds for 0 and for negative shares (negative cost), so the loop stops with fits(lo) either way
    while (lo > 0n && !fits(lo)) {
      hi = lo
      step *= 2n
      lo = hi - step
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a negative lo still satisfies fits(lo), and the bisection then ends at the same largest fitting s ≥ 0
    if (lo < 0n) lo = 0n // fits(0) holds: buying nothing costs nothing
  }
  // Invariant: fits(lo) && !fits(hi).
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n
    if (fits(mid)) lo = mid
    else hi = mid
  }
  return lo
}

/**
 * The closed-form first guess `sharesForAmount` starts its search from. Exported for tests: the
 * search's first step (1 + s/10^9) assumes the guess is that close, so a wrong guess would not
 * change the result, only cost evaluations, and no test of `sharesForAmount` could see it.
 */
export function sharesEstimate(state: BranchState, outcome: number, amount: bigint): bigint {
  return estimateShares(prepare(state), outcome, amount)
}

/**
 * Inverse of the cost in floats: x = ln(1 + expm1(c/b) / p_k), or in log space
 * x = ln(e^{c/b} − (1 − p_k)) − ln p_k when p_k underflows or expm1 overflows.
 */
function estimateShares(pre: Prepared, outcome: number, amount: bigint): bigint {
  const c = Number(amount) - SAFETY_ABSOLUTE
  // Stryker disable next-line ConditionalExpression,EqualityOperator: for c ≤ 0 the formulas below give s ≤ 0 or NaN, which returns 0n too
  if (!(c > 0)) return 0n
  const g = c / pre.b
  const lp = (pre.z[outcome] as number) - pre.lse
  const p = Math.exp(lp)
  const r = Math.expm1(g) / p
  let x: number
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: both forms of the inverse agree to within one micro-share wherever both are finite (sharesEstimate tests); the guard only keeps the direct one from NaN, which the log-space one also covers
  if (p > 0 && Number.isFinite(r)) {
    x = Math.log1p(r)
  } else {
    // Stryker disable next-line MethodExpression,ConditionalExpression: this branch runs only when p_k underflows or e^{c/b} overflows, where ln(1 − p_k) and ln 1 = 0 are the same double or negligible
    const l1p = logSumExp(pre.z.filter((_, i) => i !== outcome)) - pre.lse
    x = logSubExp(g, l1p) - lp
  }
  const s = x * pre.b
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: s is finite for any amount below MAX_TRADE_QUANTITY, and a 0 or negative estimate only lengthens the search
  return Number.isFinite(s) && s > 0 ? BigInt(Math.floor(s)) : 0n
}

/**
 * The most the branch can ever owe: for each outcome, the micro-credits it pays if that
 * outcome wins (one per micro-share), maximised; never below 0 (negative q, possible only
 * in textbook states, owes nothing). Solvency invariant: escrow ≥ maxLiability(q).
 */
export function maxLiability(q: readonly bigint[]): bigint {
  let m = 0n
  // Stryker disable next-line EqualityOperator: qi >= m also finds the maximum
  for (const qi of q) if (qi > m) m = qi
  return m
}

// ---------------------------------------------------------------------------------------
// Payouts for binary and categorical outcome spaces (scalar: see scalar.ts).
// ---------------------------------------------------------------------------------------

/** Outcome index of YES in a binary branch. */
export const BINARY_YES = 0
/** Outcome index of NO in a binary branch. */
export const BINARY_NO = 1

/**
 * Micro-credits paid per whole share (MICRO micro-shares) of `outcome` when `winner` wins:
 * MICRO for the winning outcome, 0 otherwise.
 */
export function payoutPerShare(outcome: number, winner: number): bigint {
  return outcome === winner ? MICRO : 0n
}

/**
 * Micro-credits paid to a holder of `shares` micro-shares of `outcome` when `winner` wins.
 * Exact: one micro-credit per winning micro-share. The total over holders equals q[winner]
 * ≤ maxLiability(q) ≤ escrow.
 */
export function payoutForShares(shares: bigint, outcome: number, winner: number): bigint {
  assertQuantity('shares', shares)
  return outcome === winner ? shares : 0n
}
