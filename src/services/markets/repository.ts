/**
 * Rows and the named queries that load them, shared by the market services. Writes live with
 * the use case that makes them (create.ts, lifecycle.ts, settlement.ts, services/trading).
 */
import { type Queryable, sql } from '../../db/database.js'
import type { BranchState } from '../../domain/market-maker/index.js'
import { errors } from '../../errors/codes.js'
import type { MoneyTransaction } from '../money/transaction.js'

export type MarketKind = 'binary' | 'categorical' | 'scalar'
export type MarketStatus =
  | 'preparing'
  | 'proposing'
  | 'open'
  | 'closed'
  | 'decided'
  | 'resolved'
  | 'finalized'
  | 'voided'
export type BranchStatus = 'open' | 'closed' | 'voided' | 'settled'

export interface MarketRow {
  id: string
  slug: string
  question: string
  description: string
  kind: MarketKind
  status: MarketStatus
  creator_id: string
  resolver_id: string
  scalar_lo: bigint | null
  scalar_hi: bigint | null
  scalar_unit: string | null
  subsidy_per_branch: bigint
  fee_bps: number
  close_at: Date
  closed_at: Date | null
  decide_at: Date | null
  resolution_outcome: number | null
  resolution_value: bigint | null
  resolution_evidence: Record<string, unknown> | null
  resolved_by: string | null
  resolved_at: Date | null
  dispute_until: Date | null
  finalized_at: Date | null
  voided_at: Date | null
  void_reason: string | null
  /** When a decision market left its proposing phase and trading opened; null otherwise. */
  opened_at: Date | null
  created_at: Date
  updated_at: Date
}

export interface OutcomeRow {
  id: string
  market_id: string
  index: number
  label: string
}

export interface BranchRow {
  id: string
  market_id: string
  index: number
  label: string
  status: BranchStatus
  q: bigint[]
  subsidy: bigint
  funder_id: string
  volume: bigint
  trade_count: bigint
  trader_count: number
  version: bigint
  last_trade_at: Date | null
  refund_ratio_num: bigint | null
  refund_ratio_den: bigint | null
  settled_at: Date | null
  escrow_account_id: bigint
  escrow: bigint
}

export const MARKET_COLUMNS = `m.id, m.slug, m.question, m.description, m.kind, m.status, m.creator_id, m.resolver_id,
  m.scalar_lo, m.scalar_hi, m.scalar_unit, m.subsidy_per_branch, m.fee_bps, m.close_at, m.closed_at, m.decide_at,
  m.resolution_outcome, m.resolution_value, m.resolution_evidence, m.resolved_by, m.resolved_at, m.dispute_until,
  m.finalized_at, m.voided_at, m.void_reason, m.opened_at, m.created_at, m.updated_at`

// q travels as text[]: node-postgres parses int8 but not int8[] into bigints.
export const BRANCH_COLUMNS = `b.id, b.market_id, b.index, b.label, b.status, b.q::text[] as q, b.subsidy, b.funder_id,
  b.volume, b.trade_count, b.trader_count, b.version, b.last_trade_at, b.refund_ratio_num, b.refund_ratio_den,
  b.settled_at, a.id as escrow_account_id, a.balance as escrow`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

const FindMarketById = sql<MarketRow>(
  'FindMarketById',
  `select ${MARKET_COLUMNS} from public.markets m where m.id = $1`,
)
const FindMarketBySlug = sql<MarketRow>(
  'FindMarketBySlug',
  `select ${MARKET_COLUMNS} from public.markets m where m.slug = $1`,
)

/** A market by id or slug, or a 404. */
export async function findMarket(db: Queryable, idOrSlug: string): Promise<MarketRow> {
  const row = isUuid(idOrSlug)
    ? await db.maybeOne(FindMarketById, [idOrSlug])
    : await db.maybeOne(FindMarketBySlug, [idOrSlug.toLowerCase()])
  if (!row) throw errors.notFound('Market', `No market with id or slug '${idOrSlug}'`)
  return row
}

// The market row, locked first by every step that moves the market (close, resolve, dispute,
// void, decide, settle): they run one at a time. FOR NO KEY UPDATE, not FOR UPDATE: trades
// never lock the market row, but their inserts (trades, positions, journal entries) reference
// it, and each such foreign-key check takes FOR KEY SHARE on it. FOR UPDATE conflicts with
// that: a close holding the market and waiting for a branch deadlocked with the trade holding
// the branch and checking its foreign key (4 of 10 closes failed that way under 6 trading
// loops). FOR NO KEY UPDATE excludes the other lifecycle steps just the same and lets the key
// checks through. The whole lock order is written, and checked, in services/money/transaction.ts.
// An UPDATE rather than SELECT … FOR NO KEY UPDATE: the same row lock, and it bumps the
// market's revision (the read cache's version, supabase/migrations/*_market_revisions.sql) in
// every transaction that locks the market, since some of them (a settlement step paying out
// escrow) change what the market shows without writing its row otherwise.
const LockMarket = sql<MarketRow>(
  'LockMarket',
  `update public.markets m set revision = m.revision + 1 where m.id = $1 returning ${MARKET_COLUMNS}`,
)

export async function lockMarket(m: MoneyTransaction, marketId: string): Promise<MarketRow> {
  if (!isUuid(marketId)) throw errors.notFound('Market', `No market with id '${marketId}'`)
  m.claimMarkets([marketId])
  const row = await m.tx.maybeOne(LockMarket, [marketId])
  if (!row) throw errors.notFound('Market', `No market with id '${marketId}'`)
  return row
}

const ListOutcomes = sql<OutcomeRow>(
  'ListMarketOutcomes',
  'select id, market_id, index, label from public.market_outcomes where market_id = $1 order by index',
)

export function listOutcomes(db: Queryable, marketId: string): Promise<OutcomeRow[]> {
  return db.many(ListOutcomes, [marketId])
}

type RawBranch = Omit<BranchRow, 'q'> & { q: string[] }

export function toBranch(raw: RawBranch): BranchRow {
  return { ...raw, q: raw.q.map((x) => BigInt(x)) }
}

const ListBranches = sql<RawBranch>(
  'ListMarketBranches',
  `select ${BRANCH_COLUMNS}
     from public.market_branches b
     join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
    where b.market_id = $1
    order by b.index`,
)

export async function listBranches(db: Queryable, marketId: string): Promise<BranchRow[]> {
  return (await db.many(ListBranches, [marketId])).map(toBranch)
}

// FOR UPDATE of every branch of the market, in id order (the lock order's step 2, for every
// transaction that locks more than one branch): closing, resolving or voiding a market waits
// here for in-flight trades, and trades that come after see the new branch status. Callers
// get them back in index order.
const LockBranches = sql<RawBranch>(
  'LockMarketBranches',
  `select ${BRANCH_COLUMNS}
     from public.market_branches b
     join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
    where b.market_id = $1
    order by b.id
    for update of b`,
)

/** Locks every branch of the market (call with the market row locked); in index order. */
export async function lockBranches(m: MoneyTransaction, marketId: string): Promise<BranchRow[]> {
  const rows = await m.tx.many(LockBranches, [marketId])
  // The ids are known only once locked; claimed right after, so a lock out of order is still
  // reported (the statement itself takes them in ascending id).
  m.claimBranches(rows.map((r) => r.id))
  return rows.map(toBranch).sort((a, b) => a.index - b.index)
}

/**
 * Steps 1 and 2 of the lock order (services/money/transaction.ts) for a step that moves a market:
 * the market row, then all its branches. A step's time is read after this returns, so it is
 * later than every trade that committed before the step got its locks.
 */
export async function lockMarketAndBranches(
  m: MoneyTransaction,
  marketId: string,
): Promise<{ market: MarketRow; branches: BranchRow[] }> {
  const market = await lockMarket(m, marketId)
  return { market, branches: await lockBranches(m, market.id) }
}

export function branchState(branch: Pick<BranchRow, 'q' | 'subsidy'>): BranchState {
  return { q: branch.q, subsidy: branch.subsidy }
}
