/**
 * Read models of markets: lists with filters and full-text search, one market with its branches,
 * price history, and the tape of trades. Reads only; no locks (a read sees a committed snapshot).
 */
import type { AppContext } from '../../context.js'
import { type Queryable, sql } from '../../db/database.js'
import { prices as lmsrPrices } from '../../domain/market-maker/index.js'
import { formatAmount } from '../../domain/money.js'
import { errors } from '../../errors/codes.js'
import { type MarketJson, marketJson, outcomeJson, roundPrice } from './present.js'
import {
  BRANCH_COLUMNS,
  type BranchRow,
  findMarket,
  listBranches,
  listOutcomes,
  MARKET_COLUMNS,
  type MarketKind,
  type MarketRow,
  type MarketStatus,
  type OutcomeRow,
  toBranch,
} from './repository.js'

// ---------------------------------------------------------------------------------------
// Cursors: opaque to clients, `<kind>:<timestamp>|<id>` in base64url.
// ---------------------------------------------------------------------------------------

export function encodeCursor(kind: string, at: Date, id: string): string {
  return Buffer.from(`${kind}:${at.toISOString()}|${id}`, 'utf8').toString('base64url')
}

const UUID_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The position a cursor names, or a 400 for anything we did not issue. Every part is checked
 * here, because the database would otherwise be the one to refuse a well-formed impostor (a
 * month 13, the year 0, an id that is not a UUID) with an error that is not the client's.
 * `id` is what the list orders by after the time: a UUID unless the caller says otherwise.
 */
export function decodeCursor(
  kind: string,
  cursor: string | undefined,
  id: RegExp = UUID_ID,
): { at: Date; id: string } | undefined {
  if (cursor === undefined) return undefined
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const match = /^([a-z]+):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(.{1,60})$/.exec(text)
  const at = match ? new Date(match[2] as string) : undefined
  if (
    !match ||
    !at ||
    match[1] !== kind ||
    Number.isNaN(at.getTime()) ||
    at.toISOString() !== match[2] ||
    at.getUTCFullYear() < 1 ||
    !id.test(match[3] as string)
  ) {
    throw errors.validation('The cursor is not valid', [
      { field: '/query/cursor', message: 'is not a cursor we issued' },
    ])
  }
  return { at, id: match[3] as string }
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

// ---------------------------------------------------------------------------------------
// Markets
// ---------------------------------------------------------------------------------------

/** How a list of markets is ordered (each with its own cursor). */
export const MARKET_SORTS = ['newest', 'volume', 'closing_soon', 'traders'] as const
export type MarketSort = (typeof MARKET_SORTS)[number]

export interface MarketFilters {
  status?: MarketStatus
  kind?: MarketKind
  creatorId?: string
  /** The decision markets of one agent (issue 5). */
  agentId?: string
  /** Full-text search over question and description (websearch syntax: words, "phrases", -not). */
  q?: string
  /** Default newest. */
  sort?: MarketSort
  limit: number
  cursor?: string
}

/** The filters every ordering shares ($1–$4 and $8; $5–$7 are each ordering's cursor and limit). */
const FILTERS = `($1::text is null or m.status = $1)
      and ($2::text is null or m.kind = $2)
      and ($3::uuid is null or m.creator_id = $3)
      and ($4::text is null or m.search @@ websearch_to_tsquery('english', $4))
      and ($8::uuid is null or m.agent_id = $8)`

// Newest first; the search narrows the list (relevance ordering would not page stably).
const ListMarkets = sql<MarketRow>(
  'ListMarkets',
  `select ${MARKET_COLUMNS} from public.markets m
    where ${FILTERS}
      and ($5::timestamptz is null or (m.created_at, m.id) < ($5, $6::uuid))
    order by m.created_at desc, m.id desc
    limit $7`,
)

/**
 * By a total over the market's branches ($9: volume, else traders), largest first: the `volume` and `traders` the list
 * shows (marketJson sums them the same way; a trader of two branches of a decision market
 * counts in each). Summed per market at read time, over every market the filters keep: the
 * branches hold these counters and a trade writes only its branch, so keeping a market-level
 * total would make every trade of a decision market update the market's row as well. Read
 * through the read cache, so the sum runs once per change of the lists, not per request.
 */
const ListMarketsByTotal = sql<MarketRow & { sort_total: string }>(
  'ListMarketsByTotal',
  `select ${MARKET_COLUMNS}, t.total::text as sort_total
     from public.markets m
    cross join lateral (
      select coalesce(sum(case when $9::text = 'volume' then b.volume else b.trader_count end), 0)::bigint as total
        from public.market_branches b
       where b.market_id = m.id
    ) t
    where ${FILTERS}
      and ($5::bigint is null or (t.total, m.id) < ($5, $6::uuid))
    order by t.total desc, m.id desc
    limit $7`,
)

/**
 * Open markets by their closing time, soonest first (markets_open_by_close_at). One whose time
 * has passed but that the worker has not closed yet comes first: it is closing now.
 */
const ListMarketsClosingSoon = sql<MarketRow>(
  'ListMarketsClosingSoon',
  `select ${MARKET_COLUMNS} from public.markets m
    where ${FILTERS}
      and m.status = 'open'
      and ($5::timestamptz is null or (m.close_at, m.id) > ($5, $6::uuid))
    order by m.close_at, m.id
    limit $7`,
)

const OutcomesOf = sql<OutcomeRow>(
  'OutcomesOfMarkets',
  'select id, market_id, index, label from public.market_outcomes where market_id = any($1::uuid[]) order by market_id, index',
)

const BranchesOf = sql<Omit<BranchRow, 'q'> & { q: string[] }>(
  'BranchesOfMarkets',
  `select ${BRANCH_COLUMNS}
     from public.market_branches b
     join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
    where b.market_id = any($1::uuid[])
    order by b.market_id, b.index`,
)

function groupBy<T extends { market_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const list = groups.get(row.market_id)
    if (list) list.push(row)
    else groups.set(row.market_id, [row])
  }
  return groups
}

/** A total's cursor: `<sort>:<total>|<id>` in base64url; a 400 for anything we did not issue. */
const encodeTotalCursor = (sort: string, total: string, id: string) =>
  Buffer.from(`${sort}:${total}|${id}`, 'utf8').toString('base64url')

function decodeTotalCursor(
  sort: string,
  cursor: string | undefined,
): { total: string; id: string } | undefined {
  if (cursor === undefined) return undefined
  const match = /^([a-z_]+):(0|[1-9]\d{0,18})\|(.{36})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  )
  if (
    !match ||
    match[1] !== sort ||
    BigInt(match[2] as string) > 9_223_372_036_854_775_807n ||
    !UUID_ID.test(match[3] as string)
  )
    throw errors.validation('The cursor is not valid', [
      { field: '/query/cursor', message: `is not a cursor we issued for sort=${sort}` },
    ])
  return { total: match[2] as string, id: match[3] as string }
}

/** One page of rows in the filters' chosen order, and the cursor after its last row. */
async function pageOfRows(
  db: Queryable,
  filters: MarketFilters,
): Promise<{ rows: MarketRow[]; next: (last: MarketRow) => string }> {
  const common = [
    filters.status ?? null,
    filters.kind ?? null,
    filters.creatorId ?? null,
    filters.q?.trim() || null,
  ]
  const tail = [filters.limit + 1, filters.agentId ?? null]
  const sort = filters.sort ?? 'newest'
  if (sort === 'volume' || sort === 'traders') {
    const after = decodeTotalCursor(sort, filters.cursor)
    const rows = await db.many(ListMarketsByTotal, [
      ...common,
      after?.total ?? null,
      after?.id ?? null,
      ...tail,
      sort,
    ])
    return {
      rows,
      next: (last) => encodeTotalCursor(sort, (last as (typeof rows)[number]).sort_total, last.id),
    }
  }
  if (sort === 'closing_soon') {
    const after = decodeCursor('closing', filters.cursor)
    const rows = await db.many(ListMarketsClosingSoon, [
      ...common,
      after?.at ?? null,
      after?.id ?? null,
      ...tail,
    ])
    return { rows, next: (last) => encodeCursor('closing', last.close_at, last.id) }
  }
  const after = decodeCursor('markets', filters.cursor)
  const rows = await db.many(ListMarkets, [...common, after?.at ?? null, after?.id ?? null, ...tail])
  return { rows, next: (last) => encodeCursor('markets', last.created_at, last.id) }
}

export async function listMarkets(db: Queryable, filters: MarketFilters): Promise<Page<MarketJson>> {
  const { rows, next } = await pageOfRows(db, filters)
  const page = rows.slice(0, filters.limit)
  const ids = page.map((m) => m.id)
  const [outcomes, branches] = await Promise.all([
    ids.length ? db.many(OutcomesOf, [ids]) : [],
    ids.length ? db.many(BranchesOf, [ids]) : [],
  ])
  const outcomesBy = groupBy(outcomes)
  const branchesBy = groupBy(branches.map(toBranch))
  const last = page.at(-1)
  return {
    items: page.map((m) => marketJson(m, outcomesBy.get(m.id) ?? [], branchesBy.get(m.id) ?? [])),
    next_cursor: rows.length > filters.limit && last ? next(last) : null,
  }
}

export async function getMarket(db: Queryable, idOrSlug: string): Promise<MarketJson> {
  const market = await findMarket(db, idOrSlug)
  const [outcomes, branches] = await Promise.all([listOutcomes(db, market.id), listBranches(db, market.id)])
  return marketJson(market, outcomes, branches)
}

// ---------------------------------------------------------------------------------------
// Price history
// ---------------------------------------------------------------------------------------

export interface PricePoint {
  /** The branch's trade number (0 = the opening prices). */
  seq: number
  at: string
  prices: number[]
}

async function branchOf(db: Queryable, market: MarketRow, ref: number | undefined): Promise<BranchRow> {
  const branches = await listBranches(db, market.id)
  const branch = branches.find((b) => b.index === (ref ?? 0))
  if (!branch) throw errors.notFound('Branch', `This market has no branch ${ref}`)
  return branch
}

const TradePoints = sql<{ branch_seq: bigint; created_at: Date; prices_after: number[] }>(
  'TradePricePoints',
  `select branch_seq, created_at, prices_after from public.trades
    where branch_id = $1 and branch_seq > $2
    order by branch_seq
    limit $3`,
)

// One point per bucket: the last trade's prices in it. date_bin anchors buckets at the market's
// creation, so a bucket boundary never moves as trades arrive.
const BucketPoints = sql<{ bucket: Date; branch_seq: bigint; prices_after: number[] }>(
  'BucketPricePoints',
  `select distinct on (bucket) date_bin($2::interval, created_at, $3) as bucket, branch_seq, prices_after
     from public.trades
    where branch_id = $1
    order by bucket, branch_seq desc`,
)

function openingPoint(market: MarketRow, branch: BranchRow): PricePoint {
  const n = branch.q.length
  return {
    seq: 0,
    // Trading opens at creation, or at the end of a decision's proposing phase: the decision
    // score's first observation is at this point too.
    at: (market.opened_at ?? market.created_at).toISOString(),
    prices: lmsrPrices({ q: Array.from({ length: n }, () => 0n), subsidy: branch.subsidy }).map(roundPrice),
  }
}

/** One point per trade (paged by the branch's trade number), starting with the opening prices. */
export async function tradeHistory(
  db: Queryable,
  idOrSlug: string,
  options: { branch?: number; limit: number; after?: number },
) {
  const market = await findMarket(db, idOrSlug)
  const branch = await branchOf(db, market, options.branch)
  const after = options.after ?? -1
  const rows = await db.many(TradePoints, [branch.id, Math.max(after, 0), options.limit + 1])
  const points: PricePoint[] = after < 0 ? [openingPoint(market, branch)] : []
  for (const row of rows.slice(0, options.limit - points.length)) {
    points.push({
      seq: Number(row.branch_seq),
      at: row.created_at.toISOString(),
      prices: row.prices_after.map(roundPrice),
    })
  }
  const more = rows.length > options.limit - (after < 0 ? 1 : 0)
  const last = points.at(-1)
  return {
    market_id: market.id,
    branch_id: branch.id,
    outcomes: (await listOutcomes(db, market.id)).map(outcomeJson),
    points,
    next_cursor: more && last ? String(last.seq) : null,
  }
}

/**
 * A downsampled series for charts: at most `points` buckets of equal width from the opening to
 * the last trade (or now, if the market is open), each the last prices of its bucket.
 */
export async function sampledHistory(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  idOrSlug: string,
  options: { branch?: number; points: number },
) {
  const { db } = ctx
  const market = await findMarket(db, idOrSlug)
  const branch = await branchOf(db, market, options.branch)
  const start = market.created_at.getTime()
  const end = Math.max(
    start + 1000,
    market.status === 'open'
      ? ctx.clock.now().getTime()
      : (branch.last_trade_at ?? market.created_at).getTime(),
  )
  const widthMs = Math.max(1000, Math.ceil((end - start) / options.points / 1000) * 1000)
  const rows = await db.many(BucketPoints, [branch.id, `${widthMs / 1000} seconds`, market.created_at])
  const points: PricePoint[] = [openingPoint(market, branch)]
  for (const row of rows) {
    points.push({
      seq: Number(row.branch_seq),
      at: row.bucket.toISOString(),
      prices: row.prices_after.map(roundPrice),
    })
  }
  return {
    market_id: market.id,
    branch_id: branch.id,
    outcomes: (await listOutcomes(db, market.id)).map(outcomeJson),
    interval_seconds: widthMs / 1000,
    points: points.slice(-(options.points + 1)),
    next_cursor: null,
  }
}

// ---------------------------------------------------------------------------------------
// The tape
// ---------------------------------------------------------------------------------------

export interface TradeRow {
  id: string
  market_id: string
  branch_id: string
  branch_index: number
  trader_id: string
  username: string | null
  outcome: number
  outcome_label: string
  side: 'buy' | 'sell'
  shares: bigint
  cost: bigint
  proceeds: bigint
  fee: bigint
  prices_after: number[]
  created_at: Date
  question: string
}

const TRADE_COLUMNS = `t.id, t.market_id, t.branch_id, b.index as branch_index, t.trader_id, pr.username, t.outcome,
  o.label as outcome_label, t.side, t.shares, t.cost, t.proceeds, t.fee, t.prices_after, t.created_at, m.question`

const TRADE_JOINS = `join public.market_branches b on b.id = t.branch_id
  join public.markets m on m.id = t.market_id
  join public.market_outcomes o on o.market_id = t.market_id and o.index = t.outcome
  left join public.profiles pr on pr.user_id = t.trader_id`

const MarketTrades = sql<TradeRow>(
  'ListMarketTrades',
  `select ${TRADE_COLUMNS} from public.trades t ${TRADE_JOINS}
    where t.market_id = $1 and ($2::timestamptz is null or (t.created_at, t.id) < ($2, $3::uuid))
    order by t.created_at desc, t.id desc
    limit $4`,
)

const UserTrades = sql<TradeRow>(
  'ListUserTrades',
  `select ${TRADE_COLUMNS} from public.trades t ${TRADE_JOINS}
    where t.trader_id = $1 and ($2::uuid is null or t.market_id = $2)
      and ($3::timestamptz is null or (t.created_at, t.id) < ($3, $4::uuid))
    order by t.created_at desc, t.id desc
    limit $5`,
)

export function tradeJson(row: TradeRow) {
  const cashDelta = row.side === 'buy' ? -(row.cost + row.fee) : row.proceeds - row.fee
  return {
    id: row.id,
    market_id: row.market_id,
    question: row.question,
    branch_id: row.branch_id,
    branch_index: row.branch_index,
    trader: { id: row.trader_id, username: row.username },
    outcome: { index: row.outcome, label: row.outcome_label },
    side: row.side,
    shares: formatAmount(row.shares),
    cost: formatAmount(row.cost),
    proceeds: formatAmount(row.proceeds),
    fee: formatAmount(row.fee),
    cash_delta: formatAmount(cashDelta),
    avg_price: roundPrice(Number(row.cost + row.proceeds) / Number(row.shares)),
    prices_after: row.prices_after.map(roundPrice),
    created_at: row.created_at.toISOString(),
  }
}

function tradePage(rows: TradeRow[], limit: number): Page<ReturnType<typeof tradeJson>> {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(tradeJson),
    next_cursor: rows.length > limit && last ? encodeCursor('trades', last.created_at, last.id) : null,
  }
}

export async function listMarketTrades(
  db: Queryable,
  idOrSlug: string,
  options: { limit: number; cursor?: string },
) {
  const market = await findMarket(db, idOrSlug)
  const after = decodeCursor('trades', options.cursor)
  const rows = await db.many(MarketTrades, [
    market.id,
    after?.at ?? null,
    after?.id ?? null,
    options.limit + 1,
  ])
  return tradePage(rows, options.limit)
}

export async function listUserTrades(
  db: Queryable,
  userId: string,
  options: { limit: number; cursor?: string; marketId?: string },
) {
  const after = decodeCursor('trades', options.cursor)
  const rows = await db.many(UserTrades, [
    userId,
    options.marketId ?? null,
    after?.at ?? null,
    after?.id ?? null,
    options.limit + 1,
  ])
  return tradePage(rows, options.limit)
}
