/**
 * A user's money as they see it: positions valued at current prices, ledger history, and the
 * portfolio summary (cash, value, invested, realised and unrealised profit). Reads only.
 */
import { type Queryable, sql } from '../../db/database.js'
import { prices as lmsrPrices } from '../../domain/market-maker/index.js'
import { formatAmount } from '../../domain/money.js'
import { payoutFor, type Resolution } from '../../domain/settlement.js'
import { decodeSeqCursor, encodeSeqCursor } from '../cursors.js'
import { roundPrice } from '../markets/present.js'
import { decodeCursor, encodeCursor, type Page } from '../markets/queries.js'
import type { MarketKind, MarketStatus } from '../markets/repository.js'
import { cashBalance } from './ledger.js'

interface PositionRow {
  market_id: string
  question: string
  slug: string
  kind: MarketKind
  market_status: MarketStatus
  resolution_outcome: number | null
  resolution_value: bigint | null
  scalar_lo: bigint | null
  scalar_hi: bigint | null
  branch_id: string
  branch_index: number
  branch_status: string
  q: string[]
  subsidy: bigint
  outcome: number
  outcome_label: string
  shares: bigint
  cost_basis: bigint
  realized_pnl: bigint
  payout: bigint | null
  settled_at: Date | null
  created_at: Date
  updated_at: Date
}

const POSITION_SELECT = `select p.market_id, m.question, m.slug, m.kind, m.status as market_status, m.resolution_outcome,
       m.resolution_value, m.scalar_lo, m.scalar_hi, p.branch_id, b.index as branch_index, b.status as branch_status,
       b.q::text[] as q, b.subsidy, p.outcome, o.label as outcome_label, p.shares, p.cost_basis, p.realized_pnl,
       p.payout, p.settled_at, p.created_at, p.updated_at
  from public.positions p
  join public.markets m on m.id = p.market_id
  join public.market_branches b on b.id = p.branch_id
  join public.market_outcomes o on o.market_id = p.market_id and o.index = p.outcome`

// Open: held shares not yet settled; settled: paid or refunded; all: both.
const ListPositions = sql<PositionRow>(
  'ListUserPositions',
  `${POSITION_SELECT}
    where p.user_id = $1
      and ($2 = 'all' or ($2 = 'open' and p.settled_at is null and p.shares > 0)
                      or ($2 = 'settled' and p.settled_at is not null))
      and ($3::timestamptz is null or (p.created_at, p.branch_id::text || p.outcome) < ($3, $4))
    order by p.created_at desc, p.branch_id::text || p.outcome desc
    limit $5`,
)

const OpenPositions = sql<PositionRow>(
  'OpenUserPositions',
  `${POSITION_SELECT} where p.user_id = $1 and p.settled_at is null`,
)

/**
 * What a held position is worth now (micro-credits): at the current price while the branch
 * trades; at the resolution's payout once resolved (before the payout lands); nothing once
 * voided (the refund is coming, and is accounted at cost).
 */
function markToMarket(row: PositionRow): { price: number | null; value: bigint } {
  if (row.settled_at !== null || row.shares === 0n) return { price: null, value: 0n }
  if (row.branch_status === 'voided' || row.market_status === 'voided')
    return { price: null, value: row.cost_basis }
  if (row.market_status === 'resolved' || row.market_status === 'finalized') {
    const resolution: Resolution =
      row.kind === 'scalar'
        ? {
            kind: 'scalar',
            value: row.resolution_value ?? 0n,
            lo: row.scalar_lo ?? 0n,
            hi: row.scalar_hi ?? 1n,
          }
        : { kind: 'outcome', winner: row.resolution_outcome ?? -1 }
    const value = payoutFor(resolution, row.outcome, row.shares)
    return { price: Number(value) / Number(row.shares), value }
  }
  const price = lmsrPrices({ q: row.q.map((x) => BigInt(x)), subsidy: row.subsidy })[row.outcome] ?? 0
  // Display value, rounded down: a mark-to-market, not a price anyone pays.
  return { price, value: BigInt(Math.floor(price * Number(row.shares))) }
}

function positionJson(row: PositionRow) {
  const { price, value } = markToMarket(row)
  const open = row.settled_at === null
  return {
    market: { id: row.market_id, slug: row.slug, question: row.question, status: row.market_status },
    branch_id: row.branch_id,
    branch_index: row.branch_index,
    outcome: { index: row.outcome, label: row.outcome_label },
    shares: formatAmount(row.shares),
    cost_basis: formatAmount(row.cost_basis),
    avg_cost: row.shares > 0n && open ? roundPrice(Number(row.cost_basis) / Number(row.shares)) : null,
    price: price === null ? null : roundPrice(price),
    value: formatAmount(value),
    unrealized_pnl: formatAmount(open ? value - row.cost_basis : 0n),
    realized_pnl: formatAmount(row.realized_pnl),
    payout: row.payout === null ? null : formatAmount(row.payout),
    settled_at: row.settled_at?.toISOString() ?? null,
    updated_at: row.updated_at.toISOString(),
  }
}

export type PositionView = ReturnType<typeof positionJson>

export async function listPositions(
  db: Queryable,
  userId: string,
  options: { status: 'open' | 'settled' | 'all'; limit: number; cursor?: string },
): Promise<Page<PositionView>> {
  // Positions page by (created_at, branch id and outcome index): see encodeCursor below.
  const after = decodeCursor('positions', options.cursor, /^[0-9a-f-]{36}\d{1,2}$/)
  const rows = await db.many(ListPositions, [
    userId,
    options.status,
    after?.at ?? null,
    after?.id ?? null,
    options.limit + 1,
  ])
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    items: page.map(positionJson),
    next_cursor:
      rows.length > options.limit && last
        ? encodeCursor('positions', last.created_at, `${last.branch_id}${last.outcome}`)
        : null,
  }
}

const RealizedTotal = sql<{ realized: bigint | null }>(
  'UserRealizedPnl',
  'select sum(realized_pnl) as realized from public.positions where user_id = $1',
)

/** GET /v1/me/portfolio. */
export async function portfolio(db: Queryable, userId: string) {
  const [cash, open, realized] = await Promise.all([
    cashBalance(db, userId),
    db.many(OpenPositions, [userId]),
    db.one(RealizedTotal, [userId]),
  ])
  let value = 0n
  let invested = 0n
  for (const row of open) {
    value += markToMarket(row).value
    invested += row.cost_basis
  }
  return {
    cash: formatAmount(cash),
    positions_value: formatAmount(value),
    total: formatAmount(cash + value),
    invested: formatAmount(invested),
    realized_pnl: formatAmount(realized.realized ?? 0n),
    unrealized_pnl: formatAmount(value - invested),
    open_positions: open.filter((r) => r.shares > 0n).length,
  }
}

// ---------------------------------------------------------------------------------------
// Ledger history
// ---------------------------------------------------------------------------------------

interface LedgerRow {
  seq: bigint
  entry_id: bigint
  kind: string
  amount: bigint
  balance_after: bigint | null
  market_id: string | null
  trade_id: string | null
  memo: string | null
  created_at: Date
}

// The postings of the user's cash account, newest first (seq is gap-free and in commit order).
const UserLedger = sql<LedgerRow>(
  'ListUserLedger',
  `select p.seq, p.entry_id, e.kind, p.amount, p.balance_after, e.market_id, e.trade_id, e.memo, p.created_at
     from public.ledger_postings p
     join public.journal_entries e on e.id = p.entry_id
    where p.user_id = $1 and ($2::bigint is null or p.seq < $2)
    order by p.seq desc
    limit $3`,
)

export async function listLedger(db: Queryable, userId: string, options: { limit: number; cursor?: string }) {
  const before = decodeSeqCursor('ledger', options.cursor) ?? null
  const rows = await db.many(UserLedger, [userId, before, options.limit + 1])
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      seq: String(r.seq),
      entry_id: String(r.entry_id),
      kind: r.kind,
      amount: formatAmount(r.amount),
      balance_after: r.balance_after === null ? null : formatAmount(r.balance_after),
      market_id: r.market_id,
      trade_id: r.trade_id,
      memo: r.memo,
      created_at: r.created_at.toISOString(),
    })),
    next_cursor: rows.length > options.limit && last ? encodeSeqCursor('ledger', last.seq) : null,
  }
}
