/**
 * Types of the pure trade engine. All money and share quantities are bigint micro-units
 * (see domain/money.ts); prices are floats for display only.
 */

import type { BranchState } from '../market-maker/index.js'

export type TradeSide = 'buy' | 'sell'

/**
 * One trade against one branch, together with everything the engine must know about the
 * trader and the market's limits. The database layer fills `cash`, `held` and the limits
 * from locked rows; the engine never reads anything else.
 *
 * Valid shapes:
 * - buy by credits:  `{ side: 'buy', amount, minShares?, maxCost? }`
 * - buy by shares:   `{ side: 'buy', shares: bigint, maxCost? }`
 * - sell shares:     `{ side: 'sell', shares: bigint | 'all', minProceeds? }`
 * Anything else is rejected with `invalid_request`.
 */
export interface TradeRequest {
  /** Outcome index within the branch, 0..n−1. */
  readonly outcome: number
  readonly side: TradeSide
  /** Buy only: micro-credits to spend in total, fee included. */
  readonly amount?: bigint
  /** Micro-shares to buy or sell; `'all'` (sell only) sells everything held of `outcome`. */
  readonly shares?: bigint | 'all'
  /** Buy only: the most the trader will pay in total (cost + fee). Slippage bound. */
  readonly maxCost?: bigint
  /** Buy by `amount` only: the fewest micro-shares the trader accepts. Slippage bound. */
  readonly minShares?: bigint
  /** Sell only: the least the trader will accept in hand (proceeds − fee). Slippage bound. */
  readonly minProceeds?: bigint
  /** Fee rate in basis points, an integer in 0..10000. */
  readonly feeBps: number
  /** The trader's cash in micro-credits. */
  readonly cash: bigint
  /** The trader's micro-shares of `outcome`. */
  readonly held: bigint
  /** Smallest trade size in micro-credits (see `TradeFill.size`), ≥ 0. */
  readonly minAmount: bigint
  /** Largest trade size in micro-credits (see `TradeFill.size`), ≥ minAmount. */
  readonly maxAmount: bigint
  /**
   * Optional identity of the trader within a batch. When two requests of one batch carry
   * the same id, `cash` and `held` are read as that trader's balances at the start of the
   * batch and the engine carries earlier fills forward, so one trader cannot spend the
   * same cash twice in a batch whose rows were read once.
   */
  readonly traderId?: string
}

/** An accepted trade. The ledger postings are: trader cash `cashDelta`, branch escrow `escrowDelta`, fees `fee`; they sum to zero. */
export interface TradeFill {
  readonly ok: true
  readonly outcome: number
  readonly side: TradeSide
  /** Micro-shares bought or sold, > 0. */
  readonly shares: bigint
  /** Paid to the market maker on a buy (> 0); 0 on a sell. Excludes the fee. */
  readonly cost: bigint
  /** Paid by the market maker on a sell (≥ 0); 0 on a buy. Before the fee. */
  readonly proceeds: bigint
  /** Fee in micro-credits, ≥ 0, to the fee account. */
  readonly fee: bigint
  /** Change of the trader's cash: −(cost + fee) on a buy, proceeds − fee on a sell. */
  readonly cashDelta: bigint
  /** Change of the trader's position in `outcome`: +shares on a buy, −shares on a sell. */
  readonly sharesDelta: bigint
  /** Change of the branch escrow: +cost on a buy, −proceeds on a sell. */
  readonly escrowDelta: bigint
  /**
   * The trade's size as checked against minAmount/maxAmount: the requested `amount` for a
   * buy by credits, cost + fee for a buy by shares, gross proceeds for a sell.
   */
  readonly size: bigint
  /** q after the trade. */
  readonly newQ: readonly bigint[]
  readonly pricesBefore: readonly number[]
  readonly pricesAfter: readonly number[]
  /** Credits per share paid to / by the maker, fee excluded (cost or proceeds / shares). Display only. */
  readonly avgPrice: number
}

/** Stable rejection codes; the HTTP layer maps each to a problem document. */
export type TradeRejectionCode =
  /** The request's shape is wrong (both amount and shares, amount on a sell, bad fee, …). */
  | 'invalid_request'
  /** The outcome index does not exist in this branch. */
  | 'invalid_outcome'
  /** The trade would move no shares: shares = 0, or the amount does not buy one micro-share. */
  | 'zero_shares'
  /** A sell so small that it would pay nothing after rounding in the maker's favour. */
  | 'zero_proceeds'
  | 'amount_below_minimum'
  | 'amount_above_maximum'
  | 'insufficient_cash'
  /** Selling more than the trader holds (or than is outstanding in the branch). */
  | 'insufficient_shares'
  /** maxCost, minProceeds or minShares would be violated. */
  | 'slippage_exceeded'

/** A refused trade. It never changes the state. */
export interface TradeRejection {
  readonly ok: false
  readonly code: TradeRejectionCode
  readonly message: string
}

export type TradeResult = TradeFill | TradeRejection

export interface BatchResult {
  /** The branch after every accepted trade, in order. */
  readonly state: BranchState
  /** One result per request, in request order. */
  readonly results: readonly TradeResult[]
}
