/**
 * Request and response shapes of the market and money endpoints. Amounts are decimal strings
 * of credits (or shares) with at most 6 decimals; the services parse them and answer a
 * malformed one with `invalid_amount`, naming the field. Prices are numbers, for display.
 * The bodies the services take (trade, quote, resolve, settle a dispute) and the shapes they are
 * built from live in src/contracts/markets.ts, below the services; re-exported here for the routes.
 */
import { type TSchema, Type } from '@sinclair/typebox'
import { DecisionView } from '../../../contracts/agents.js'
import { Amount, Nullable, SignedAmount, Timestamp, Uuid } from '../../../contracts/markets.js'

// The routes import every market shape from here, also those the services share.
export * from '../../../contracts/markets.js'

export const MarketRef = Type.Object(
  {
    market: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Market id (UUID) or slug',
      examples: ['will-it-rain-in-paris-tomorrow-1x2y3z'],
    }),
  },
  { additionalProperties: false },
)

export const OutcomeJson = Type.Object({ id: Uuid, index: Type.Integer(), label: Type.String() })
const OutcomeBrief = Type.Object({ index: Type.Integer(), label: Type.String() })

export const Branch = Type.Object({
  id: Uuid,
  index: Type.Integer(),
  label: Type.String(),
  status: Type.String({ enum: ['open', 'closed', 'voided', 'settled'] }),
  prices: Type.Array(Type.Number()),
  shares_outstanding: Type.Array(Amount),
  subsidy: Amount,
  liquidity: Type.String({ description: 'LMSR b = subsidy / ln(outcomes), in credits' }),
  escrow: Amount,
  volume: Amount,
  trades: Type.Integer(),
  traders: Type.Integer(),
  last_trade_at: Nullable(Timestamp),
})

export const Market = Type.Object({
  id: Uuid,
  slug: Type.String(),
  question: Type.String(),
  description: Type.String(),
  kind: Type.String({ enum: ['binary', 'categorical', 'scalar'] }),
  status: Type.String({
    enum: ['preparing', 'proposing', 'open', 'closed', 'decided', 'resolved', 'finalized', 'voided'],
  }),
  creator_id: Uuid,
  resolver_id: Uuid,
  outcomes: Type.Array(OutcomeJson),
  scalar: Nullable(Type.Object({ lo: SignedAmount, hi: SignedAmount, unit: Nullable(Type.String()) })),
  fee_bps: Type.Integer(),
  subsidy_per_branch: Amount,
  prices: Type.Array(Type.Number(), { description: 'Prices of the first (for plain markets, only) branch' }),
  volume: Amount,
  traders: Type.Integer(),
  branches: Type.Array(Branch),
  close_at: Timestamp,
  closed_at: Nullable(Timestamp),
  decide_at: Nullable(Timestamp),
  resolution: Nullable(
    Type.Object({
      outcome: Nullable(OutcomeJson),
      value: Nullable(SignedAmount),
      evidence: Nullable(Type.Object({}, { additionalProperties: true })),
      resolved_by: Nullable(Uuid),
      resolved_at: Timestamp,
      dispute_until: Nullable(Timestamp),
    }),
  ),
  finalized_at: Nullable(Timestamp),
  voided_at: Nullable(Timestamp),
  void_reason: Nullable(Type.String()),
  created_at: Timestamp,
  decision: Type.Optional(Nullable(Type.Ref(DecisionView))),
})

export const TradeRecord = Type.Object({
  id: Uuid,
  market_id: Uuid,
  branch_id: Uuid,
  branch_index: Type.Integer(),
  outcome: OutcomeJson,
  side: Type.String({ enum: ['buy', 'sell'] }),
  shares: Amount,
  cost: Amount,
  proceeds: Amount,
  fee: Amount,
  cash_delta: SignedAmount,
  avg_price: Type.Number(),
  prices_after: Type.Array(Type.Number()),
  created_at: Timestamp,
})

export const TradePosition = Type.Object({
  market_id: Uuid,
  branch_id: Uuid,
  outcome: OutcomeJson,
  shares: Amount,
  cost_basis: Amount,
  avg_cost: Nullable(Type.Number()),
  realized_pnl: SignedAmount,
})

export const TradeResponse = Type.Object({
  trade: TradeRecord,
  prices: Type.Array(Type.Number(), { description: "The branch's prices after the trade" }),
  position: TradePosition,
  cash: Amount,
})

export const QuoteResponse = Type.Object({
  market_id: Uuid,
  branch_id: Uuid,
  outcome: OutcomeJson,
  side: Type.String({ enum: ['buy', 'sell'] }),
  shares: Amount,
  cost: Amount,
  proceeds: Amount,
  fee: Amount,
  cash_delta: SignedAmount,
  avg_price: Type.Number(),
  prices_before: Type.Array(Type.Number()),
  prices_after: Type.Array(Type.Number()),
})

export const PublicTrade = Type.Object({
  id: Uuid,
  market_id: Uuid,
  question: Type.String(),
  branch_id: Uuid,
  branch_index: Type.Integer(),
  trader: Type.Object({ id: Uuid, username: Nullable(Type.String()) }),
  outcome: OutcomeBrief,
  side: Type.String({ enum: ['buy', 'sell'] }),
  shares: Amount,
  cost: Amount,
  proceeds: Amount,
  fee: Amount,
  cash_delta: SignedAmount,
  avg_price: Type.Number(),
  prices_after: Type.Array(Type.Number()),
  created_at: Timestamp,
})

export const PricePoint = Type.Object({
  seq: Type.Integer({ description: "The branch's trade number; 0 is the opening" }),
  at: Timestamp,
  prices: Type.Array(Type.Number()),
})

export const Position = Type.Object({
  market: Type.Object({ id: Uuid, slug: Type.String(), question: Type.String(), status: Type.String() }),
  branch_id: Uuid,
  branch_index: Type.Integer(),
  outcome: OutcomeBrief,
  shares: Amount,
  cost_basis: Amount,
  avg_cost: Nullable(Type.Number()),
  price: Nullable(Type.Number()),
  value: Amount,
  unrealized_pnl: SignedAmount,
  realized_pnl: SignedAmount,
  payout: Nullable(SignedAmount),
  settled_at: Nullable(Timestamp),
  updated_at: Timestamp,
})

export const LedgerLine = Type.Object({
  seq: Type.String({ description: 'Gap-free sequence number of the posting' }),
  entry_id: Type.String(),
  kind: Type.String(),
  amount: SignedAmount,
  balance_after: Nullable(Amount),
  market_id: Nullable(Uuid),
  trade_id: Nullable(Uuid),
  memo: Nullable(Type.String()),
  created_at: Timestamp,
})

export const Portfolio = Type.Object({
  cash: Amount,
  positions_value: Amount,
  total: Amount,
  invested: Amount,
  realized_pnl: SignedAmount,
  unrealized_pnl: SignedAmount,
  open_positions: Type.Integer(),
})

/** An attached evidence file as a resolution or dispute keeps it (GET /v1/evidence/{id} links to it). */
export const EvidenceFileRef = Type.Object({
  id: Uuid,
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.String({ description: 'Bytes, as a decimal string' }),
  content_type: Type.String(),
  filename: Type.String(),
})

export const Dispute = Type.Object({
  id: Uuid,
  market_id: Uuid,
  disputer_id: Uuid,
  reason: Type.String(),
  evidence_url: Nullable(Type.String()),
  evidence_files: Type.Array(EvidenceFileRef),
  bond: Amount,
  status: Type.String({ enum: ['open', 'upheld', 'rejected'] }),
  settled_by: Nullable(Uuid),
  settled_at: Nullable(Timestamp),
  settlement_note: Nullable(Type.String()),
  created_at: Timestamp,
})

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
}

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Nullable(Type.String()) })
