/**
 * The pure trade engine: LMSR pricing, fees, limits, balances and slippage for one branch.
 * The database transaction locks the branch and the traders' rows, calls `applyTrades`,
 * and writes what it returns; nothing in here reads a clock or touches I/O.
 *
 * Fee convention (one rule for every trade): the fee is `feeBps` of the value exchanged
 * with the market maker — the cost of a buy, the proceeds of a sell — rounded UP to the
 * micro-credit, in the platform's favour:  fee = ⌈value · feeBps / 10000⌉.
 * - buy by `shares`: the trader pays cost + fee;
 * - buy by `amount`: `amount` is the most the trader pays, fee included. The engine buys
 *   the largest number of shares whose cost + fee ≤ amount; the unspent remainder (a few
 *   micro-credits of rounding) stays with the trader;
 * - sell: the trader receives proceeds − fee.
 *
 * Rounding: LMSR costs round up and proceeds round down (market-maker/lmsr.ts), fees round
 * up. Every rounding goes against the trader, so neither the escrow nor the fee account
 * can be drained by splitting or repeating trades.
 *
 * Checks run in a fixed order and the first failure is reported: request shape, outcome,
 * then per side (see evaluateBuy / evaluateSell) whether the trade moves anything, its size
 * against minAmount/maxAmount and the trader's cash or shares, and last the slippage bounds,
 * so a trader is told about a problem with the request before one with the market's move.
 */

import {
  assertState,
  type BranchState,
  costToBuy,
  prices,
  proceedsOfSell,
  sharesForAmount,
} from '../market-maker/index.js'
import { ceilDiv } from '../money.js'
import type {
  BatchResult,
  TradeFill,
  TradeRejection,
  TradeRejectionCode,
  TradeRequest,
  TradeResult,
} from './types.js'

const BPS = 10_000n

/**
 * Largest `amount` or `shares` the engine will price: 10^30 micro-units (10^24 credits).
 * Far above any real balance or limit, and low enough that every float in the market maker
 * stays finite, so an absurd request gets a rejection rather than a numeric error.
 */
export const MAX_TRADE_QUANTITY = 10n ** 30n

/** The fee on `value` micro-credits at `feeBps` basis points, rounded up: ⌈value · feeBps / 10000⌉. */
export function tradeFee(value: bigint, feeBps: number): bigint {
  return ceilDiv(value * BigInt(feeBps), BPS)
}

/**
 * The largest maker-side cost c such that c + tradeFee(c) ≤ amount. Exact: for an integer c,
 * c + ⌈c·f/10000⌉ = ⌈c·(10000+f)/10000⌉, which is ≤ amount iff c ≤ amount·10000/(10000+f).
 */
export function costBudget(amount: bigint, feeBps: number): bigint {
  // Stryker disable next-line EqualityOperator: an amount of 0 gives 0·BPS/(…) = 0 too
  if (amount <= 0n) return 0n
  return (amount * BPS) / (BPS + BigInt(feeBps))
}

function reject(code: TradeRejectionCode, message: string): TradeRejection {
  return { ok: false, code, message }
}

function isFeeBps(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 10_000
}

/** Checks that do not depend on the market state; returns a rejection or null. */
function checkShape(req: TradeRequest): TradeRejection | null {
  if (req.side !== 'buy' && req.side !== 'sell') {
    return reject('invalid_request', "side must be 'buy' or 'sell'")
  }
  if (!isFeeBps(req.feeBps)) return reject('invalid_request', 'feeBps must be an integer in 0..10000')
  if (req.minAmount < 0n || req.maxAmount < req.minAmount) {
    return reject('invalid_request', 'trade limits need 0 ≤ minAmount ≤ maxAmount')
  }
  if (req.side === 'buy') {
    if ((req.amount === undefined) === (req.shares === undefined)) {
      return reject('invalid_request', 'a buy names exactly one of amount or shares')
    }
    if (req.shares === 'all') return reject('invalid_request', "shares 'all' is for sells")
    if (req.minProceeds !== undefined) return reject('invalid_request', 'minProceeds applies to sells')
    if (req.minShares !== undefined && req.amount === undefined) {
      return reject('invalid_request', 'minShares applies to buys by amount; use maxCost with shares')
    }
    // Stryker disable next-line ConditionalExpression: undefined <= 0n is false, so the undefined check is implied
    if (req.amount !== undefined && req.amount <= 0n) {
      return reject('invalid_request', 'amount must be positive')
    }
  } else {
    if (req.shares === undefined) return reject('invalid_request', 'a sell names shares')
    if (req.amount !== undefined) return reject('invalid_request', 'amount applies to buys; sell by shares')
    if (req.maxCost !== undefined || req.minShares !== undefined) {
      return reject('invalid_request', 'maxCost and minShares apply to buys')
    }
  }
  // Stryker disable next-line ConditionalExpression: undefined < 0n and 'all' < 0n are false, so the type check is implied
  if (typeof req.shares === 'bigint' && req.shares < 0n) {
    return reject('invalid_request', 'shares must not be negative')
  }
  const quantity = typeof req.shares === 'bigint' ? req.shares : (req.amount ?? 0n)
  if (quantity > MAX_TRADE_QUANTITY) {
    return reject('amount_above_maximum', 'trade quantity is beyond any market limit')
  }
  return null
}

interface Balances {
  readonly cash: bigint
  readonly held: bigint
}

/** Evaluates one request against `state`; `pricesBefore` is prices(state), passed in to avoid recomputing. */
function evaluate(
  state: BranchState,
  pricesBefore: readonly number[],
  req: TradeRequest,
  balances: Balances,
): TradeResult {
  const shape = checkShape(req)
  if (shape !== null) return shape
  const k = req.outcome
  if (!Number.isInteger(k) || k < 0 || k >= state.q.length) {
    return reject('invalid_outcome', `outcome must be an integer in 0..${state.q.length - 1}`)
  }
  return req.side === 'buy'
    ? evaluateBuy(state, pricesBefore, req, balances)
    : evaluateSell(state, pricesBefore, req, balances)
}

function evaluateBuy(
  state: BranchState,
  pricesBefore: readonly number[],
  req: TradeRequest,
  { cash }: Balances,
): TradeResult {
  const k = req.outcome
  let shares: bigint
  let cost: bigint
  let fee: bigint
  let size: bigint
  if (req.amount !== undefined) {
    size = req.amount
    const limit = checkSize(size, req)
    if (limit !== null) return limit
    if (req.amount > cash) return reject('insufficient_cash', 'amount exceeds available cash')
    shares = sharesForAmount(state, k, costBudget(req.amount, req.feeBps))
    if (shares === 0n) return reject('zero_shares', 'amount does not buy a single micro-share')
    cost = costToBuy(state, k, shares)
    fee = tradeFee(cost, req.feeBps)
    // Stryker disable next-line ConditionalExpression: a comparison with undefined is false, so the undefined check is implied
    if (req.minShares !== undefined && shares < req.minShares) {
      return reject('slippage_exceeded', 'the amount buys fewer shares than minShares')
    }
  } else {
    shares = req.shares as bigint // checkShape guarantees a bigint on this path
    if (shares === 0n) return reject('zero_shares', 'shares must be positive')
    cost = costToBuy(state, k, shares)
    fee = tradeFee(cost, req.feeBps)
    size = cost + fee
    const limit = checkSize(size, req)
    if (limit !== null) return limit
    if (size > cash) return reject('insufficient_cash', 'cost plus fee exceeds available cash')
  }
  // Stryker disable next-line ConditionalExpression: a comparison with undefined is false, so the undefined check is implied
  if (req.maxCost !== undefined && cost + fee > req.maxCost) {
    return reject('slippage_exceeded', 'cost plus fee exceeds maxCost')
  }
  return fill(state, pricesBefore, req, { shares, cost, proceeds: 0n, fee, size, sharesDelta: shares })
}

function evaluateSell(
  state: BranchState,
  pricesBefore: readonly number[],
  req: TradeRequest,
  { held }: Balances,
): TradeResult {
  const k = req.outcome
  let shares: bigint
  if (req.shares === 'all') {
    if (held <= 0n) return reject('insufficient_shares', 'no shares of this outcome to sell')
    shares = held
  } else {
    shares = req.shares as bigint // checkShape guarantees a bigint or 'all' on a sell
    if (shares === 0n) return reject('zero_shares', 'shares must be positive')
    if (shares > held) return reject('insufficient_shares', 'selling more shares than held')
  }
  // Holdings sum to q[k]; a larger sell means the caller's balances disagree with the
  // branch. Refusing keeps q non-negative instead of letting the maker go short.
  if (shares > (state.q[k] as bigint)) {
    return reject('insufficient_shares', 'selling more shares than are outstanding in this branch')
  }
  const proceeds = proceedsOfSell(state, k, shares)
  if (proceeds === 0n) return reject('zero_proceeds', 'this sell is too small to pay anything')
  const limit = checkSize(proceeds, req)
  if (limit !== null) return limit
  const fee = tradeFee(proceeds, req.feeBps)
  // Stryker disable next-line ConditionalExpression: a comparison with undefined is false, so the undefined check is implied
  if (req.minProceeds !== undefined && proceeds - fee < req.minProceeds) {
    return reject('slippage_exceeded', 'proceeds after fee fall below minProceeds')
  }
  return fill(state, pricesBefore, req, {
    shares,
    cost: 0n,
    proceeds,
    fee,
    size: proceeds,
    sharesDelta: -shares,
  })
}

function checkSize(size: bigint, req: TradeRequest): TradeRejection | null {
  if (size < req.minAmount) return reject('amount_below_minimum', 'trade is below the minimum size')
  if (size > req.maxAmount) return reject('amount_above_maximum', 'trade is above the maximum size')
  return null
}

interface Amounts {
  shares: bigint
  cost: bigint
  proceeds: bigint
  fee: bigint
  size: bigint
  sharesDelta: bigint
}

function fill(state: BranchState, pricesBefore: readonly number[], req: TradeRequest, a: Amounts): TradeFill {
  const newQ = state.q.map((qi, i) => (i === req.outcome ? qi + a.sharesDelta : qi))
  const escrowDelta = a.cost - a.proceeds
  return {
    ok: true,
    outcome: req.outcome,
    side: req.side,
    shares: a.shares,
    cost: a.cost,
    proceeds: a.proceeds,
    fee: a.fee,
    cashDelta: -escrowDelta - a.fee,
    sharesDelta: a.sharesDelta,
    escrowDelta,
    size: a.size,
    newQ,
    pricesBefore,
    pricesAfter: prices({ q: newQ, subsidy: state.subsidy }),
    avgPrice: Number(a.cost + a.proceeds) / Number(a.shares),
  }
}

interface Carried {
  cash: bigint
  held: Map<number, bigint>
}

/**
 * Evaluates `requests` in order, each against the state left by the accepted ones before
 * it. A rejected request leaves the state as it was. Pure: `state` is not mutated.
 *
 * Equivalent to folding `quote` over the requests one at a time, which is what makes it safe
 * to group many trades of one branch into one database transaction.
 */
export function applyTrades(state: BranchState, requests: readonly TradeRequest[]): BatchResult {
  // Stryker disable next-line CallExpression: prices(state) on the next line asserts the state too
  assertState(state)
  let current: BranchState = state
  let currentPrices: readonly number[] = prices(state)
  const carried = new Map<string, Carried>()
  const results: TradeResult[] = []
  for (const req of requests) {
    // Stryker disable next-line ConditionalExpression: nothing is ever stored under an undefined trader id, so the lookup gives undefined too
    const c = req.traderId === undefined ? undefined : carried.get(req.traderId)
    const balances: Balances = {
      cash: req.cash + (c?.cash ?? 0n),
      held: req.held + (c?.held.get(req.outcome) ?? 0n),
    }
    const result = evaluate(current, currentPrices, req, balances)
    results.push(result)
    if (!result.ok) continue
    current = { q: result.newQ, subsidy: current.subsidy }
    currentPrices = result.pricesAfter
    // Stryker disable next-line ConditionalExpression: an entry stored under an undefined id is never read (see the lookup above)
    if (req.traderId !== undefined) {
      const entry = c ?? { cash: 0n, held: new Map<number, bigint>() }
      entry.cash += result.cashDelta
      entry.held.set(req.outcome, (entry.held.get(req.outcome) ?? 0n) + result.sharesDelta)
      carried.set(req.traderId, entry)
    }
  }
  return { state: current, results }
}

/** Evaluates one request without keeping the new state: the body of `POST /markets/{id}/quote`. */
export function quote(state: BranchState, request: TradeRequest): TradeResult {
  return applyTrades(state, [request]).results[0] as TradeResult
}
