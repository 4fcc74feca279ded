/**
 * What the ledger auditor holds the stored ledger to, as pure functions: the invariants' names
 * and what an open branch escrow must cover. The service (services/ledger-audit) reads the rows
 * and calls these; the same rules are the trading engine's and the settlement's (market-maker/,
 * settlement.ts), restated here from the side of someone checking them afterwards.
 */
import { maxLiability } from './market-maker/index.js'
import { payoutFor, type Resolution } from './settlement.js'

export const INVARIANTS = [
  'entry_balanced',
  'balance_matches_postings',
  'cash_nonnegative',
  'escrow_covers_worst_case',
  'position_matches_trades',
] as const

export type Invariant = (typeof INVARIANTS)[number]

/** An unsettled holding of a branch: what it will be paid from the escrow. */
export interface Holding {
  readonly outcome: number
  readonly shares: bigint
}

export type EscrowState =
  /** Trading, closed or decided: any outcome may still win. */
  | { readonly phase: 'unresolved'; readonly q: readonly bigint[] }
  /** Resolved (payouts may be partly made): what the unsettled holders are still owed. */
  | { readonly phase: 'resolved'; readonly resolution: Resolution; readonly unsettled: readonly Holding[] }
  /** Voided, or settled: refunds are paid at a ratio the escrow sets, and a settled escrow owes nothing. */
  | { readonly phase: 'none' }

/**
 * The most a branch's escrow may still have to pay, or null when nothing is owed from it.
 *
 * Unresolved: the market maker's worst case, max q_i (one micro-credit per winning micro-share;
 * lmsr.ts keeps escrow ≥ maxLiability(q) through every trade). Resolved: the payouts still due,
 * exactly as settlement computes them per holder. Not max q then: paying the winners lowers the
 * escrow while q stays, and when a losing outcome had the larger q the escrow falls below it in
 * the middle of a settlement that is going right.
 */
export function escrowWorstCase(state: EscrowState): bigint | null {
  switch (state.phase) {
    case 'unresolved':
      return maxLiability(state.q)
    case 'resolved': {
      let owed = 0n
      for (const h of state.unsettled) owed += payoutFor(state.resolution, h.outcome, h.shares)
      return owed
    }
    case 'none':
      return null
  }
}
