/**
 * POST /v1/markets/{id}/quote: what a trade would do now, changing nothing and locking nothing.
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import { formatAmount } from '../../domain/money.js'
import { quote as quoteTrade } from '../../domain/trading/index.js'
import { errors } from '../../errors/codes.js'
import { resolveOutcome } from '../markets/outcomes.js'
import { branchPrices, type OutcomeJson, outcomeJson, roundPrice } from '../markets/present.js'
import type { BranchStatus } from '../markets/repository.js'
import { cashBalance } from '../money/ledger.js'
import { limits, parseTerms, rejectionError, resolveBranch, type TradeBody, tradingMarket } from './orders.js'

export interface QuoteResponse {
  market_id: string
  branch_id: string
  outcome: OutcomeJson
  side: 'buy' | 'sell'
  shares: string
  cost: string
  proceeds: string
  fee: string
  cash_delta: string
  avg_price: number
  prices_before: number[]
  prices_after: number[]
}

const QuoteBranch = sql<{ status: BranchStatus; q: string[]; subsidy: bigint }>(
  'QuoteBranch',
  'select status, q::text[] as q, subsidy from public.market_branches where id = $1',
)

const HeldShares = sql<{ shares: bigint }>(
  'QuoteHeldShares',
  'select shares from public.positions where branch_id = $1 and user_id = $2 and outcome = $3',
)

/**
 * POST /v1/markets/{id}/quote: what the trade would do now, changing nothing. With a caller,
 * their cash and holdings apply (a quote that the trade would refuse is refused the same way);
 * anonymous quotes assume enough of both.
 */
export async function quoteTradeFor(
  ctx: AppContext,
  userId: string | null,
  marketRef: string,
  body: TradeBody,
): Promise<QuoteResponse> {
  const terms = parseTerms(body)
  const market = await tradingMarket(ctx, marketRef)
  const branchRef = resolveBranch(market, body.branch)
  const outcome = resolveOutcome(market.outcomes, body.outcome)
  const branch = await ctx.db.one(QuoteBranch, [branchRef.id])
  if (branch.status !== 'open' || ctx.clock.now().getTime() >= market.closeAt.getTime()) {
    throw errors.marketClosed('Trading is closed in this market')
  }
  const state = { q: branch.q.map((x) => BigInt(x)), subsidy: branch.subsidy }
  const cash = userId ? await cashBalance(ctx.db, userId) : ctx.config.TRADE_MAX_CREDITS * 2n
  const held = userId
    ? ((await ctx.db.maybeOne(HeldShares, [branchRef.id, userId, outcome.index]))?.shares ?? 0n)
    : (state.q[outcome.index] ?? 0n)
  const result = quoteTrade(state, {
    ...terms,
    ...limits(ctx, market),
    outcome: outcome.index,
    cash,
    held,
  })
  if (!result.ok) throw rejectionError(result)
  return {
    market_id: market.id,
    branch_id: branchRef.id,
    outcome: outcomeJson(outcome),
    side: result.side,
    shares: formatAmount(result.shares),
    cost: formatAmount(result.cost),
    proceeds: formatAmount(result.proceeds),
    fee: formatAmount(result.fee),
    cash_delta: formatAmount(result.cashDelta),
    avg_price: roundPrice(result.avgPrice),
    prices_before: branchPrices(state),
    prices_after: result.pricesAfter.map(roundPrice),
  }
}
