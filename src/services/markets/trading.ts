/**
 * Trading: quotes and trades. One trade is one transaction, its locks in the order written in
 * services/money/ledger.ts:
 *
 *   claim the Idempotency-Key row (if any)  →  lock the branch row (FOR UPDATE)  →  read the
 *   time  →  lock the traders' cash rows  →  read their positions  →  applyTrades (pure,
 *   domain/trading)  →  write trades, positions, the branch's new q  →  store the answer under
 *   the key  →  post the ledger entries (last)  →  COMMIT
 *
 * The write half (`executeTrades`) takes a list of orders for one branch, so a later issue can
 * group many trades of one market into one transaction (group commit) without changing it: the
 * pure engine carries each trader's cash and holdings from one order to the next.
 *
 * Why the branch row lock: LMSR prices depend on q, so trades of one branch must apply one
 * after the other; `SELECT … FOR UPDATE` makes that hold across any number of API processes
 * (an in-process queue would not: Manifold learnt that the hard way). Trades in different
 * branches or markets only meet on traders' cash rows and, at the very end, on the ledger's
 * sequence row.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { formatAmount, MAX_AMOUNT_LENGTH } from '../../domain/money.js'
import { applyFill, EMPTY_POSITION, type PositionTotals } from '../../domain/settlement.js'
import {
  applyTrades,
  quote as quoteTrade,
  type TradeFill,
  type TradeRejection,
  type TradeRequest,
} from '../../domain/trading/index.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import { amountField } from '../money/amounts.js'
import {
  cashBalance,
  FEES_ACCOUNT,
  type JournalEntryInput,
  lockCashAccounts,
  noteCashLocks,
  postEntries,
} from '../money/ledger.js'
import { resolveOutcome } from './outcomes.js'
import {
  branchPrices,
  type OutcomeJson,
  outcomeJson,
  type PositionJson,
  positionJson,
  roundPrice,
  type TradeRecord,
  tradeRecord,
} from './present.js'
import {
  type BranchStatus,
  isUuid,
  listBranches,
  listOutcomes,
  type MarketKind,
  type OutcomeRow,
} from './repository.js'

// ---------------------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------------------

/** A trade or quote as the API receives it (already shape-checked by the route schema). */
export interface TradeBody {
  /** Branch id or index; omitted for plain (one-branch) markets. */
  readonly branch?: string | number
  /** Outcome id, label or index. */
  readonly outcome: string | number
  readonly side: 'buy' | 'sell'
  /** Buy: credits to spend, fee included. */
  readonly amount?: string
  /** Shares to buy or sell; `"all"` sells everything held of the outcome. */
  readonly shares?: string
  /** Buy: the most to pay in total (cost + fee). */
  readonly max_cost?: string
  /** Buy by amount: the fewest shares to accept. */
  readonly min_shares?: string
  /** Sell: the least to receive after the fee. */
  readonly min_proceeds?: string
}

type OrderTerms = Pick<TradeRequest, 'side' | 'amount' | 'shares' | 'maxCost' | 'minShares' | 'minProceeds'>

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

// ---------------------------------------------------------------------------------------
// What a trade needs to know about its market that never changes after creation.
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Writing a batch of trades of one branch (the transaction body)
// ---------------------------------------------------------------------------------------

/** One trade to execute: who, which outcome, and the terms; limits and balances are added here. */
export interface TradeOrder {
  readonly userId: string
  readonly outcome: number
  readonly terms: OrderTerms
  readonly idempotency?: { readonly key: string; readonly hash: string }
}

export type TradeOutcome =
  | { readonly ok: true; readonly fill: TradeFill; readonly response: TradeResponse }
  | { readonly ok: false; readonly rejection: TradeRejection }

export interface TradeResponse {
  trade: TradeRecord
  prices: number[]
  position: PositionJson
  cash: string
}

interface LockedBranch {
  id: string
  index: number
  status: BranchStatus
  q: string[]
  subsidy: bigint
  version: bigint
  escrow_account_id: bigint
}

// The lock every trade of a branch queues on; see the module comment. Everything the trade
// then reads about the branch (status, q) comes from this locked row, never from an older read.
const LockBranchForTrade = sql<LockedBranch>(
  'LockBranchForTrade',
  `select b.id, b.index, b.status, b.q::text[] as q, b.subsidy, b.version, a.id as escrow_account_id
     from public.market_branches b
     join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
    where b.id = $1
      for update of b`,
)

interface PositionRow {
  outcome: number
  shares: bigint
  cost_basis: bigint
  realized_pnl: bigint
  shares_bought: bigint
  shares_sold: bigint
  cost_total: bigint
  proceeds_total: bigint
  fees_total: bigint
  trade_count: number
}

type TraderRow = { user_id: string; account_id: bigint; balance: bigint } & (
  | PositionRow
  | { [K in keyof PositionRow]: null }
)

// The traders' cash rows, locked (ascending user id: the ledger's lock order), each with the
// trader's positions in this branch. The positions need no lock of their own: positions of a
// branch change only under the branch's row lock, which the caller holds. One round trip where
// two would do the same, because it runs while the branch lock is held.
const LockTraders = sql<TraderRow>(
  'LockTradersWithPositions',
  `select a.user_id, a.id as account_id, a.balance, p.outcome, p.shares, p.cost_basis, p.realized_pnl,
          p.shares_bought, p.shares_sold, p.cost_total, p.proceeds_total, p.fees_total, p.trade_count
     from public.ledger_accounts a
     left join public.positions p on p.branch_id = $1 and p.user_id = a.user_id
    where a.kind = 'user_cash' and a.user_id = any($2::uuid[])
    order by a.user_id
      for update of a`,
)

// Trades, final positions and the branch's new state, in one statement (one round trip while
// the branch lock is held). Arrays are the columns of the fills (trades) and of the positions.
const RecordFills = sql(
  'RecordFills',
  `with inserted_trades as (
     insert into public.trades (id, market_id, branch_id, branch_seq, trader_id, outcome, side, shares, cost,
                                proceeds, fee, prices_after, idempotency_key, created_at)
     select t.id, $1, $2, t.seq, t.trader_id, t.outcome, t.side, t.shares, t.cost, t.proceeds, t.fee,
            t.prices::float8[], t.idem, $3
       from unnest($4::uuid[], $5::bigint[], $6::uuid[], $7::smallint[], $8::text[], $9::bigint[], $10::bigint[],
                   $11::bigint[], $12::bigint[], $13::text[], $14::text[])
            as t(id, seq, trader_id, outcome, side, shares, cost, proceeds, fee, prices, idem)
   ),
   upserted_positions as (
     insert into public.positions as p (branch_id, user_id, outcome, market_id, shares, cost_basis, realized_pnl,
                                        shares_bought, shares_sold, cost_total, proceeds_total, fees_total,
                                        trade_count, created_at, updated_at)
     select $2, u.user_id, u.outcome, $1, u.shares, u.cost_basis, u.realized_pnl, u.shares_bought, u.shares_sold,
            u.cost_total, u.proceeds_total, u.fees_total, u.trade_count, $3, $3
       from unnest($15::uuid[], $16::smallint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[],
                   $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[], $25::int[])
            as u(user_id, outcome, shares, cost_basis, realized_pnl, shares_bought, shares_sold, cost_total,
                 proceeds_total, fees_total, trade_count)
     on conflict (branch_id, user_id, outcome) do update
        set shares = excluded.shares, cost_basis = excluded.cost_basis, realized_pnl = excluded.realized_pnl,
            shares_bought = excluded.shares_bought, shares_sold = excluded.shares_sold,
            cost_total = excluded.cost_total, proceeds_total = excluded.proceeds_total,
            fees_total = excluded.fees_total, trade_count = excluded.trade_count, updated_at = excluded.updated_at
   )
   update public.market_branches
      set q = $26::bigint[], version = $27, volume = volume + $28, trade_count = trade_count + $29,
          trader_count = trader_count + $30, last_trade_at = $3
    where id = $2`,
)

// The answers of the accepted orders, under their keys: a key this transaction claimed
// ('pending', same request) gets its answer; an unclaimed one is inserted. A key another
// transaction answered is left alone and missing from the result.
const InsertIdempotencyKeys = sql<{ key: string }>(
  'InsertIdempotencyKeys',
  `insert into public.idempotency_keys as i (user_id, key, request_hash, outcome, trade_id, response, created_at)
   select k.user_id, k.key, k.hash, 'trade', k.trade_id, k.response::jsonb, $1
     from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[]) as k(user_id, key, hash, trade_id, response)
   on conflict (user_id, key) do update
      set outcome = 'trade', trade_id = excluded.trade_id, response = excluded.response
    where i.outcome = 'pending' and i.request_hash = excluded.request_hash
   returning key`,
)

/** Thrown inside the transaction when an Idempotency-Key was answered by a concurrent request. */
class IdempotencyRace extends Error {
  constructor() {
    super('idempotency key taken concurrently')
    this.name = 'IdempotencyRace'
  }
}

function positionTotals(row: PositionRow | undefined): PositionTotals {
  if (!row) return EMPTY_POSITION
  return {
    shares: row.shares,
    costBasis: row.cost_basis,
    realizedPnl: row.realized_pnl,
    sharesBought: row.shares_bought,
    sharesSold: row.shares_sold,
    costTotal: row.cost_total,
    proceedsTotal: row.proceeds_total,
    feesTotal: row.fees_total,
    tradeCount: row.trade_count,
  }
}

/** Trade limits and fee for a market, from configuration and the market's own fee. */
function limits(ctx: Pick<AppContext, 'config'>, market: TradingMarket) {
  return {
    feeBps: market.feeBps,
    minAmount: ctx.config.TRADE_MIN_CREDITS,
    maxAmount: ctx.config.TRADE_MAX_CREDITS,
  }
}

/**
 * Executes `orders` against one branch inside `tx`: the body of the trade transaction. Locks the
 * branch, then the traders' cash, applies the pure engine to all orders in sequence, and writes
 * every accepted one. Rejected orders change nothing. The ledger is posted last (it takes the
 * ledger sequence lock, held until COMMIT).
 *
 * The trades' time is read once the branch lock is held, and close_at is checked against it:
 * read before the wait (as it was), a trade that queued behind others for 2 s was stamped, and
 * let through, with a time from before a close that had meanwhile committed.
 */
export async function executeTrades(
  tx: Transaction,
  ctx: Pick<AppContext, 'config' | 'clock'>,
  market: TradingMarket,
  branchId: string,
  orders: readonly TradeOrder[],
): Promise<TradeOutcome[]> {
  const branch = await tx.maybeOne(LockBranchForTrade, [branchId])
  if (!branch) throw errors.notFound('Branch', `No branch ${branchId}`)
  const now = ctx.clock.now()
  if (branch.status !== 'open' || now.getTime() >= market.closeAt.getTime()) {
    throw errors.marketClosed(
      branch.status === 'voided'
        ? 'This branch was voided; its trades are refunded'
        : `Trading closed${branch.status === 'open' ? ` at ${market.closeAt.toISOString()}` : ''}`,
    )
  }
  const userIds = [...new Set(orders.map((o) => o.userId))].sort()
  noteCashLocks(tx, userIds)
  let rows = await tx.many(LockTraders, [branch.id, userIds])
  if (new Set(rows.map((r) => r.user_id)).size < userIds.length) {
    // A trader without a cash account (never granted anything): create it, then lock again.
    await lockCashAccounts(tx, userIds)
    rows = await tx.many(LockTraders, [branch.id, userIds])
  }
  const cash = new Map<string, { id: bigint; balance: bigint }>()
  const positions = new Map<string, PositionTotals>()
  const knownTraders = new Set<string>()
  for (const row of rows) {
    cash.set(row.user_id, { id: row.account_id, balance: row.balance })
    if (row.outcome === null) continue
    positions.set(`${row.user_id}:${row.outcome}`, positionTotals(row))
    knownTraders.add(row.user_id)
  }

  const state = { q: branch.q.map((x) => BigInt(x)), subsidy: branch.subsidy }
  const requests: TradeRequest[] = orders.map((order) => ({
    ...order.terms,
    ...limits(ctx, market),
    outcome: order.outcome,
    cash: cash.get(order.userId)?.balance ?? 0n,
    held: positions.get(`${order.userId}:${order.outcome}`)?.shares ?? 0n,
    traderId: order.userId,
  }))
  const batch = applyTrades(state, requests)

  // Walk the results in order, carrying positions and cash forward as the engine did.
  const outcomes: TradeOutcome[] = []
  const trades: { id: string; seq: bigint; order: TradeOrder; fill: TradeFill }[] = []
  const entries: JournalEntryInput[] = []
  const keys: { userId: string; key: string; hash: string; tradeId: string; response: TradeResponse }[] = []
  const touched = new Map<string, { userId: string; outcome: number }>()
  const cashNow = new Map([...cash].map(([userId, account]) => [userId, account.balance]))
  let version = branch.version
  let volume = 0n
  const newTraders = new Set<string>()
  batch.results.forEach((result, i) => {
    const order = orders[i] as TradeOrder
    if (!result.ok) {
      outcomes.push({ ok: false, rejection: result })
      return
    }
    version += 1n
    volume += result.cost + result.proceeds
    const id = randomUUID()
    const positionKey = `${order.userId}:${order.outcome}`
    const position = applyFill(positions.get(positionKey) ?? EMPTY_POSITION, result)
    positions.set(positionKey, position)
    touched.set(positionKey, { userId: order.userId, outcome: order.outcome })
    if (!knownTraders.has(order.userId)) newTraders.add(order.userId)
    const cashAfter = (cashNow.get(order.userId) ?? 0n) + result.cashDelta
    cashNow.set(order.userId, cashAfter)
    const account = cash.get(order.userId)
    if (!account) throw new Error(`cash account of ${order.userId} was not locked`)
    const outcome = market.outcomes[order.outcome] as OutcomeRow
    const response: TradeResponse = {
      trade: tradeRecord(result, {
        id,
        marketId: market.id,
        branchId: branch.id,
        branchIndex: branch.index,
        outcome,
        at: now,
      }),
      prices: result.pricesAfter.map(roundPrice),
      position: positionJson(position, { marketId: market.id, branchId: branch.id, outcome }),
      cash: formatAmount(cashAfter),
    }
    trades.push({ id, seq: version, order, fill: result })
    outcomes.push({ ok: true, fill: result, response })
    entries.push({
      kind: 'trade',
      userId: order.userId,
      marketId: market.id,
      branchId: branch.id,
      tradeId: id,
      postings: [
        { account: account.id, amount: result.cashDelta },
        { account: branch.escrow_account_id, amount: result.escrowDelta },
        { account: FEES_ACCOUNT, amount: result.fee },
      ],
    })
    if (order.idempotency) {
      keys.push({ userId: order.userId, ...order.idempotency, tradeId: id, response })
    }
  })
  if (trades.length === 0) return outcomes

  const finalPositions = [...touched.entries()].map(([key, ref]) => ({
    ...ref,
    p: positions.get(key) as PositionTotals,
  }))
  await tx.execute(RecordFills, [
    market.id,
    branch.id,
    now,
    trades.map((t) => t.id),
    trades.map((t) => t.seq),
    trades.map((t) => t.order.userId),
    trades.map((t) => t.order.outcome),
    trades.map((t) => t.fill.side),
    trades.map((t) => t.fill.shares),
    trades.map((t) => t.fill.cost),
    trades.map((t) => t.fill.proceeds),
    trades.map((t) => t.fill.fee),
    trades.map((t) => `{${t.fill.pricesAfter.join(',')}}`),
    trades.map((t) => t.order.idempotency?.key ?? null),
    finalPositions.map((f) => f.userId),
    finalPositions.map((f) => f.outcome),
    finalPositions.map((f) => f.p.shares),
    finalPositions.map((f) => f.p.costBasis),
    finalPositions.map((f) => f.p.realizedPnl),
    finalPositions.map((f) => f.p.sharesBought),
    finalPositions.map((f) => f.p.sharesSold),
    finalPositions.map((f) => f.p.costTotal),
    finalPositions.map((f) => f.p.proceedsTotal),
    finalPositions.map((f) => f.p.feesTotal),
    finalPositions.map((f) => f.p.tradeCount),
    batch.state.q,
    version,
    volume,
    trades.length,
    newTraders.size,
  ])
  if (keys.length > 0) {
    const stored = await tx.many(InsertIdempotencyKeys, [
      now,
      keys.map((k) => k.userId),
      keys.map((k) => k.key),
      keys.map((k) => k.hash),
      keys.map((k) => k.tradeId),
      keys.map((k) => JSON.stringify(k.response)),
    ])
    // A concurrent request with the same key committed first: this one must not trade.
    if (stored.length < keys.length) throw new IdempotencyRace()
  }
  await postEntries(tx, entries, now)
  return outcomes
}

// ---------------------------------------------------------------------------------------
// Idempotency-Key: claimed first, answered in the same transaction
// ---------------------------------------------------------------------------------------

/**
 * The first statement of a keyed trade: the key row, 'pending'. A concurrent request with the
 * same key blocks on this row (the primary key) until the claiming transaction ends, then
 * finds nothing inserted and reads the answer that transaction committed; if it rolled back,
 * the waiting request claims the key itself. A retry racing its original used to be answered
 * by a fresh trade on the cash the original had just spent (115 `insufficient_*` answers for
 * trades that had gone through, in an outside test with 32 clients). The row lock taken here
 * comes before every lock of the trade (step 0 of the lock order in money/ledger.ts): only
 * requests with the same key wait on it, and they hold nothing while they wait.
 */
const ClaimIdempotencyKey = sql<{ claimed: boolean }>(
  'ClaimIdempotencyKey',
  `insert into public.idempotency_keys (user_id, key, request_hash, outcome, response, created_at)
   values ($1, $2, $3, 'pending', 'null'::jsonb, $4)
   on conflict (user_id, key) do nothing
   returning true as claimed`,
)

const FindIdempotencyKey = sql<{
  request_hash: string
  outcome: 'pending' | 'trade' | 'refused'
  response: TradeResponse | StoredRefusal
}>(
  'FindIdempotencyKey',
  'select request_hash, outcome, response from public.idempotency_keys where user_id = $1 and key = $2',
)

// A refusal computed under the locks is the key's answer too: a retry gets the same refusal,
// not a trade on whatever the cash or the price has become since.
const StoreRefusal = sql(
  'StoreIdempotentRefusal',
  `update public.idempotency_keys set outcome = 'refused', response = $3::jsonb
    where user_id = $1 and key = $2 and outcome = 'pending'`,
)

/** A refusal as stored under its key: the problem document's fields. */
interface StoredRefusal {
  code: string
  status: number
  title: string
  detail?: string
}

const REPLAYED = { 'idempotent-replayed': 'true' }

function storedRefusal(error: AppError): StoredRefusal {
  return { code: error.code, status: error.status, title: error.title, detail: error.detail }
}

/** A refusal that is the answer to its request, and may be stored under its key. */
function isRefusal(error: unknown): error is AppError {
  // market_closed is thrown by executeTrades before it writes anything, so the transaction can
  // still store it. Refusals raised by a failed statement (the balance CHECK) leave the
  // transaction aborted: they are not stored, and a retry computes its own answer.
  return error instanceof AppError && error.code === ErrorCode.MarketClosed
}

export interface PlacedTrade {
  response: TradeResponse
  /** True when this is the stored response of an earlier request with the same Idempotency-Key. */
  replayed: boolean
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * SHA-256 of the operation and its body with keys sorted: "the same body" for Idempotency-Key.
 * `marketId` is the resolved id, never the path's text: the same trade sent once by slug and
 * once by id is the same request.
 */
export function requestHash(operation: string, marketId: string, body: unknown): string {
  return createHash('sha256')
    .update(canonical({ operation, market: marketId, body }))
    .digest('hex')
}

/** The answer stored under a key another request claimed: its trade, its refusal, or a 409. */
async function storedAnswer(
  tx: Transaction,
  userId: string,
  key: string,
  hash: string,
): Promise<PlacedTrade> {
  const stored = await tx.maybeOne(FindIdempotencyKey, [userId, key])
  if (stored && stored.request_hash !== hash) throw errors.idempotencyConflict()
  if (!stored || stored.outcome === 'pending') {
    // Not reachable through placeTrade (a claim is answered or rolled back in one transaction,
    // and the purge only takes day-old keys); a client retrying in a second is safe either way.
    throw new AppError({
      code: ErrorCode.Conflict,
      status: 409,
      title: 'Request in progress',
      detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
      headers: { 'retry-after': '1' },
    })
  }
  if (stored.outcome === 'refused') {
    throw new AppError({ ...(stored.response as StoredRefusal), headers: REPLAYED })
  }
  return { response: stored.response as TradeResponse, replayed: true }
}

export function validateIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw errors.validation('Idempotency-Key must be 1–255 visible ASCII characters', [
      { field: '/header/idempotency-key', message: 'must be 1–255 visible ASCII characters' },
    ])
  }
  return key
}

// ---------------------------------------------------------------------------------------
// The use cases
// ---------------------------------------------------------------------------------------

type Answer = { kind: 'placed'; placed: PlacedTrade } | { kind: 'refused'; error: AppError }

/**
 * POST /v1/markets/{id}/trades for one user. With an Idempotency-Key, the key is claimed in
 * the trade's own transaction before anything else (see ClaimIdempotencyKey), and the answer
 * (the trade, or a refusal computed under the locks) is stored in it: every request with the
 * key gets the first one's answer. Refusals that need no lock (a malformed body, an unknown
 * outcome) are the same for every retry and are not stored.
 */
export async function placeTrade(
  ctx: AppContext,
  userId: string,
  marketRef: string,
  body: TradeBody,
  idempotencyKey?: string,
): Promise<PlacedTrade> {
  const key = validateIdempotencyKey(idempotencyKey)
  const terms = parseTerms(body)
  const market = await tradingMarket(ctx, marketRef)
  const hash = key === undefined ? '' : requestHash('trade', market.id, body)
  await assertNoConflictOfInterest(ctx, market, userId)
  const branch = resolveBranch(market, body.branch)
  const outcome = resolveOutcome(market.outcomes, body.outcome)
  const order: TradeOrder = {
    userId,
    outcome: outcome.index,
    terms,
    ...(key === undefined ? {} : { idempotency: { key, hash } }),
  }
  const answer = await ctx.db.withTransaction(async (tx): Promise<Answer> => {
    if (key !== undefined) {
      const claimed = await tx.maybeOne(ClaimIdempotencyKey, [userId, key, hash, ctx.clock.now()])
      if (!claimed) return { kind: 'placed', placed: await storedAnswer(tx, userId, key, hash) }
    }
    let error: AppError
    try {
      const [result] = await executeTrades(tx, ctx, market, branch.id, [order])
      if (!result) throw new Error('executeTrades returned no result')
      if (result.ok) return { kind: 'placed', placed: { response: result.response, replayed: false } }
      error = rejectionError(result.rejection)
    } catch (thrown) {
      if (!isRefusal(thrown)) throw thrown
      error = thrown
    }
    if (key !== undefined) await tx.execute(StoreRefusal, [userId, key, JSON.stringify(storedRefusal(error))])
    return { kind: 'refused', error }
  })
  if (answer.kind === 'refused') throw answer.error
  return answer.placed
}

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

/** Longest decimal string the trade schema accepts (the money module's own limit). */
export const AMOUNT_MAX_LENGTH = MAX_AMOUNT_LENGTH
