/**
 * What a trade or a quote is, before any lock: the request's terms parsed into micro-units, the
 * market's immutable facts (cached per process), the branch and outcome it names, the
 * conflict-of-interest rule, and the engine's refusals as the API's problem documents.
 */
import type { Static } from '@sinclair/typebox'
import type { AppContext } from '../../context.js'
import type { TradeBody as TradeBodySchema } from '../../contracts/markets.js'
import { sql } from '../../db/database.js'
import type { TradeRejection, TradeRequest } from '../../domain/trading/index.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import {
  isUuid,
  listBranches,
  listOutcomes,
  type MarketKind,
  type OutcomeRow,
} from '../markets/repository.js'
import { amountField } from '../money/amounts.js'

/** A trade or quote as the API receives it (already shape-checked by the route schema). */
export type TradeBody = Static<typeof TradeBodySchema>

export type OrderTerms = Pick<
  TradeRequest,
  'side' | 'amount' | 'shares' | 'maxCost' | 'minShares' | 'minProceeds'
>

function optionalAmount(value: string | undefined, field: string): bigint | undefined {
  return value === undefined ? undefined : amountField(value, field)
}

/** The body's amounts as micro-units; a malformed decimal string is a 400 naming its field. */
export function parseTerms(body: TradeBody): OrderTerms {
  const shares = body.shares === 'all' ? ('all' as const) : optionalAmount(body.shares, '/body/shares')
  return {
    side: body.side,
    amount: optionalAmount(body.amount, '/body/amount'),
    shares,
    maxCost: optionalAmount(body.max_cost, '/body/max_cost'),
    minShares: optionalAmount(body.min_shares, '/body/min_shares'),
    minProceeds: optionalAmount(body.min_proceeds, '/body/min_proceeds'),
  }
}

export interface TradingMarket {
  readonly id: string
  readonly kind: MarketKind
  readonly feeBps: number
  readonly closeAt: Date
  readonly outcomes: readonly OutcomeRow[]
  readonly branches: readonly { readonly id: string; readonly index: number }[]
  /** The operator of the agent whose decision this market takes (issue 5), or null. */
  readonly operatorId: string | null
}

const FindTradingMarket = sql<{
  id: string
  kind: MarketKind
  fee_bps: number
  close_at: Date
  operator_id: string | null
  status: string
}>(
  'FindTradingMarket',
  `select m.id, m.kind, m.fee_bps, m.close_at, a.owner_id as operator_id, m.status
     from public.markets m left join public.agents a on a.id = m.agent_id
    where m.id = $1 or m.slug = $2`,
)

const MarketDecidedAt = sql<{ decided_at: Date | null }>(
  'MarketDecidedAt',
  'select decided_at from public.markets where id = $1',
)

/**
 * An agent's operator may not trade in the agent's undecided markets (PRODUCT.md §3): they
 * could buy the decision they want. Their API keys act for them, so keys are covered too. Only
 * operators pay for the extra query.
 */
export async function assertNoConflictOfInterest(ctx: AppContext, market: TradingMarket, userId: string) {
  if (market.operatorId === null || market.operatorId !== userId) return
  const row = await ctx.db.maybeOne(MarketDecidedAt, [market.id])
  if (row && row.decided_at === null) {
    throw new AppError({
      code: ErrorCode.ConflictOfInterest,
      status: 403,
      title: 'Conflict of interest',
      detail: "The agent's operator cannot trade in its markets until they have decided",
    })
  }
}

/**
 * The immutable facts of a market (kind, fee, close_at, outcomes, branch ids), cached per
 * process: they are read on every trade and never change once the market exists, so the cache
 * saves three queries per trade without any invalidation. Status is not here: it is read from
 * the locked branch row in the trade's transaction. The one exception is a decision market in
 * its proposing phase, which gains branches when it opens: it is not cached until then (a
 * cache per process could not be told when another process opens it).
 */
const marketCache = new Map<string, TradingMarket>()
const MARKET_CACHE_SIZE = 10_000

export async function tradingMarket(ctx: AppContext, idOrSlug: string): Promise<TradingMarket> {
  const cached = marketCache.get(idOrSlug)
  if (cached) return cached
  const row = await ctx.db.maybeOne(FindTradingMarket, [
    isUuid(idOrSlug) ? idOrSlug : null,
    idOrSlug.toLowerCase(),
  ])
  if (!row) throw errors.notFound('Market', `No market with id or slug '${idOrSlug}'`)
  const [outcomes, branches] = await Promise.all([listOutcomes(ctx.db, row.id), listBranches(ctx.db, row.id)])
  const market: TradingMarket = {
    id: row.id,
    kind: row.kind,
    feeBps: row.fee_bps,
    closeAt: row.close_at,
    outcomes,
    branches: branches.map((b) => ({ id: b.id, index: b.index })),
    operatorId: row.operator_id,
  }
  if (row.status === 'proposing' || row.status === 'preparing') return market
  if (marketCache.size >= MARKET_CACHE_SIZE) marketCache.clear()
  marketCache.set(row.id, market)
  if (idOrSlug !== row.id) marketCache.set(idOrSlug, market)
  return market
}

/** A branch named by index or id; omitted means the only branch of a plain market. */
export function resolveBranch(market: TradingMarket, ref: string | number | undefined) {
  if (ref === undefined) {
    if (market.branches.length !== 1) {
      throw errors.validation('This market has several branches; name one', [
        { field: '/body/branch', message: 'is required for markets with several branches' },
      ])
    }
    return market.branches[0] as { id: string; index: number }
  }
  const found =
    typeof ref === 'number' || /^\d{1,2}$/.test(ref)
      ? market.branches.find((b) => b.index === Number(ref))
      : market.branches.find((b) => b.id === ref.toLowerCase())
  if (!found) {
    throw errors.unprocessable(
      ErrorCode.InvalidTrade,
      'Unknown branch',
      `This market has no branch ${JSON.stringify(ref)}`,
    )
  }
  return found
}

/** The engine's typed rejection as the API's problem document. */
export function rejectionError(rejection: TradeRejection): AppError {
  switch (rejection.code) {
    case 'invalid_request':
      return new AppError({
        code: ErrorCode.InvalidTrade,
        status: 400,
        title: 'Invalid trade',
        detail: rejection.message,
      })
    case 'invalid_outcome':
      return errors.unprocessable(ErrorCode.UnknownOutcome, 'Unknown outcome', rejection.message)
    case 'insufficient_cash':
      return errors.unprocessable(ErrorCode.InsufficientFunds, 'Insufficient funds', rejection.message)
    case 'insufficient_shares':
      return errors.unprocessable(ErrorCode.InsufficientShares, 'Insufficient shares', rejection.message)
    case 'amount_below_minimum':
      return errors.unprocessable(ErrorCode.AmountBelowMinimum, 'Trade below the minimum', rejection.message)
    case 'amount_above_maximum':
      return errors.unprocessable(ErrorCode.AmountAboveMaximum, 'Trade above the maximum', rejection.message)
    case 'zero_shares':
    case 'zero_proceeds':
      return errors.unprocessable(ErrorCode.TradeTooSmall, 'Trade too small', rejection.message)
    case 'slippage_exceeded':
      return errors.unprocessable(ErrorCode.SlippageExceeded, 'Slippage bound exceeded', rejection.message)
  }
}

/** Trade limits and fee for a market, from configuration and the market's own fee. */
export function limits(ctx: Pick<AppContext, 'config'>, market: TradingMarket) {
  return {
    feeBps: market.feeBps,
    minAmount: ctx.config.TRADE_MIN_CREDITS,
    maxAmount: ctx.config.TRADE_MAX_CREDITS,
  }
}
