/**
 * API shapes of markets, trades and positions: snake_case, amounts as decimal strings, prices
 * as numbers. Built here rather than in the routes because a trade's response is also stored
 * for Idempotency-Key replays, and must be byte-for-byte what the first request got.
 */

import { liquidity, prices as lmsrPrices } from '../../domain/market-maker/index.js'
import { formatAmount } from '../../domain/money.js'
import type { PositionTotals } from '../../domain/settlement.js'
import type { TradeFill } from '../../domain/trading/index.js'
import type { EvidenceFileRef } from '../evidence/index.js'
import type { BranchRow, MarketRow, OutcomeRow } from './repository.js'

export interface OutcomeJson {
  id: string
  index: number
  label: string
}

export function outcomeJson(o: OutcomeRow): OutcomeJson {
  return { id: o.id, index: o.index, label: o.label }
}

/** Prices rounded to 12 significant digits: floats for display, never for money. */
export function roundPrice(p: number): number {
  return Number(p.toPrecision(12))
}

export function branchPrices(branch: Pick<BranchRow, 'q' | 'subsidy'>): number[] {
  return lmsrPrices({ q: branch.q, subsidy: branch.subsidy }).map(roundPrice)
}

export interface BranchJson {
  id: string
  index: number
  label: string
  status: string
  prices: number[]
  shares_outstanding: string[]
  subsidy: string
  /** LMSR liquidity b = L / ln n (the maker's own, domain/market-maker), in credits, rounded down. */
  liquidity: string
  escrow: string
  volume: string
  trades: number
  traders: number
  last_trade_at: string | null
}

export function branchJson(branch: BranchRow): BranchJson {
  const b = liquidity({ q: branch.q, subsidy: branch.subsidy })
  return {
    id: branch.id,
    index: branch.index,
    label: branch.label,
    status: branch.status,
    prices: branchPrices(branch),
    shares_outstanding: branch.q.map(formatAmount),
    subsidy: formatAmount(branch.subsidy),
    liquidity: formatAmount(BigInt(Math.floor(b))),
    escrow: formatAmount(branch.escrow),
    volume: formatAmount(branch.volume),
    trades: Number(branch.trade_count),
    traders: branch.trader_count,
    last_trade_at: branch.last_trade_at?.toISOString() ?? null,
  }
}

export function resolutionJson(market: MarketRow, outcomes: readonly OutcomeRow[]) {
  if (market.resolved_at === null) return null
  const outcome = market.resolution_outcome === null ? undefined : outcomes[market.resolution_outcome]
  return {
    outcome: outcome ? outcomeJson(outcome) : null,
    value: market.resolution_value === null ? null : formatAmount(market.resolution_value),
    evidence: market.resolution_evidence,
    resolved_by: market.resolved_by,
    resolved_at: market.resolved_at.toISOString(),
    dispute_until: market.dispute_until?.toISOString() ?? null,
  }
}

export function marketJson(
  market: MarketRow,
  outcomes: readonly OutcomeRow[],
  branches: readonly BranchRow[],
) {
  const main = branches[0]
  const volume = branches.reduce((sum, b) => sum + b.volume, 0n)
  return {
    id: market.id,
    slug: market.slug,
    question: market.question,
    description: market.description,
    kind: market.kind,
    status: market.status,
    creator_id: market.creator_id,
    resolver_id: market.resolver_id,
    outcomes: outcomes.map(outcomeJson),
    scalar:
      market.kind === 'scalar'
        ? {
            lo: formatAmount(market.scalar_lo ?? 0n),
            hi: formatAmount(market.scalar_hi ?? 0n),
            unit: market.scalar_unit,
          }
        : null,
    fee_bps: market.fee_bps,
    subsidy_per_branch: formatAmount(market.subsidy_per_branch),
    prices: main ? branchPrices(main) : [],
    volume: formatAmount(volume),
    traders: branches.reduce((sum, b) => sum + b.trader_count, 0),
    branches: branches.map(branchJson),
    close_at: market.close_at.toISOString(),
    closed_at: market.closed_at?.toISOString() ?? null,
    decide_at: market.decide_at?.toISOString() ?? null,
    resolution: resolutionJson(market, outcomes),
    finalized_at: market.finalized_at?.toISOString() ?? null,
    voided_at: market.voided_at?.toISOString() ?? null,
    void_reason: market.void_reason,
    created_at: market.created_at.toISOString(),
  }
}

export type MarketJson = ReturnType<typeof marketJson>

export interface TradeRecord {
  id: string
  market_id: string
  branch_id: string
  branch_index: number
  outcome: OutcomeJson
  side: 'buy' | 'sell'
  shares: string
  cost: string
  proceeds: string
  fee: string
  /** What the trader's cash changed by: −(cost + fee) on a buy, proceeds − fee on a sell. */
  cash_delta: string
  avg_price: number
  prices_after: number[]
  created_at: string
}

export function tradeRecord(
  fill: TradeFill,
  refs: {
    id: string
    marketId: string
    branchId: string
    branchIndex: number
    outcome: OutcomeRow
    at: Date
  },
): TradeRecord {
  return {
    id: refs.id,
    market_id: refs.marketId,
    branch_id: refs.branchId,
    branch_index: refs.branchIndex,
    outcome: outcomeJson(refs.outcome),
    side: fill.side,
    shares: formatAmount(fill.shares),
    cost: formatAmount(fill.cost),
    proceeds: formatAmount(fill.proceeds),
    fee: formatAmount(fill.fee),
    cash_delta: formatAmount(fill.cashDelta),
    avg_price: roundPrice(fill.avgPrice),
    prices_after: fill.pricesAfter.map(roundPrice),
    created_at: refs.at.toISOString(),
  }
}

export interface PositionJson {
  market_id: string
  branch_id: string
  outcome: OutcomeJson
  shares: string
  cost_basis: string
  /** Average cost per share held (credits per share), fees included; null when none is held. */
  avg_cost: number | null
  realized_pnl: string
}

export function positionJson(
  p: PositionTotals,
  refs: { marketId: string; branchId: string; outcome: OutcomeRow },
): PositionJson {
  return {
    market_id: refs.marketId,
    branch_id: refs.branchId,
    outcome: outcomeJson(refs.outcome),
    shares: formatAmount(p.shares),
    cost_basis: formatAmount(p.costBasis),
    avg_cost: p.shares > 0n ? roundPrice(Number(p.costBasis) / Number(p.shares)) : null,
    realized_pnl: formatAmount(p.realizedPnl),
  }
}

export function disputeJson(d: {
  id: string
  market_id: string
  disputer_id: string
  reason: string
  evidence_url: string | null
  evidence_files: EvidenceFileRef[] | null
  bond: bigint
  status: string
  settled_by: string | null
  settled_at: Date | null
  settlement_note: string | null
  created_at: Date
}) {
  return {
    ...d,
    evidence_files: d.evidence_files ?? [],
    bond: formatAmount(d.bond),
    settled_at: d.settled_at?.toISOString() ?? null,
    created_at: d.created_at.toISOString(),
  }
}
