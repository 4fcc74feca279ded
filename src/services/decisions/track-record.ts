/**
 * An agent's track record from the database (GET /v1/agents/{id}/track-record, and the LLM's
 * prompt for its next decision): the decided decisions, newest first, read through
 * agent_decisions_agent_idx (agent_id, created_at desc) and the primary keys of markets and
 * market_decisions, at most MAX_RECORD_DECISIONS of them, then scored in domain/agents/track-record.
 */
import { type Queryable, sql } from '../../db/database.js'
import {
  type DecisionEntry,
  type ObjectiveKind,
  realisedObjective,
  trackRecord,
} from '../../domain/agents/track-record.js'

/** The most recent decisions a record is computed over: a bounded read, whatever the history. */
export const MAX_RECORD_DECISIONS = 1000

/** What scoring one decision needs, beside what the decisions list reads already. */
export interface ScoringColumns {
  kind: ObjectiveKind
  status: string
  prior_branch: number | null
  prior_confidence: number | null
  prior_forecasts: Array<number | null> | null
  chosen_branch: number | null
  decided_at: Date | null
  /** The chosen branch's decision score, read from the recorded scores. */
  chosen_score: number | null
  resolution_outcome: number | null
  resolution_value: bigint | null
  scalar_lo: bigint | null
  scalar_hi: bigint | null
  utilities: number[] | null
}

/** The select items for ScoringColumns beyond the list's own (ad = agent_decisions, m = markets, d = market_decisions). */
export const SCORING_SELECT = `ad.prior_forecasts, m.kind, m.scalar_lo, m.scalar_hi, m.utilities,
          (select (s ->> 'score')::float8 from jsonb_array_elements(d.scores) s
            where (s ->> 'index')::int = d.chosen_branch) as chosen_score`

const RecordRows = sql<ScoringColumns>(
  'AgentTrackRecordRows',
  `select m.status, ad.prior_branch, ad.prior_confidence, d.chosen_branch, d.decided_at,
          m.resolution_outcome, m.resolution_value, ${SCORING_SELECT}
     from public.agent_decisions ad
     join public.market_decisions d on d.market_id = ad.market_id
     join public.markets m on m.id = ad.market_id
    where ad.agent_id = $1
    order by ad.created_at desc, ad.market_id desc
    limit $2`,
)

const OpenedCount = sql<{ opened: number }>(
  'AgentDecisionsOpened',
  'select count(*)::int as opened from public.agent_decisions where agent_id = $1',
)

/** A decided decision as the record scores it; null while undecided. */
export function entryOf(row: ScoringColumns): DecisionEntry | null {
  if (row.chosen_branch === null || row.decided_at === null) return null
  // A market voided after its resolution paid nothing out on it: not an outcome.
  const resolved = row.status === 'resolved' || row.status === 'finalized'
  return {
    decidedAt: row.decided_at,
    priorBranch: row.prior_branch,
    priorConfidence: row.prior_confidence,
    priorForecasts: row.prior_forecasts,
    chosenBranch: row.chosen_branch,
    marketForecast: row.chosen_score,
    outcome: resolved
      ? realisedObjective({
          kind: row.kind,
          outcome: row.resolution_outcome,
          value: row.resolution_value,
          scalarLo: row.scalar_lo,
          scalarHi: row.scalar_hi,
          utilities: row.utilities,
        })
      : null,
  }
}

export async function agentTrackRecord(
  db: Queryable,
  agentId: string,
  { recent = 20, limit = MAX_RECORD_DECISIONS }: { recent?: number; limit?: number } = {},
) {
  const [rows, count] = await Promise.all([
    // One more than the window, to know whether older decisions were left out.
    db.many(RecordRows, [agentId, limit + 1]),
    db.one(OpenedCount, [agentId]),
  ])
  const entries = rows
    .slice(0, limit)
    .map(entryOf)
    .filter((e): e is DecisionEntry => e !== null)
  return {
    opened: count.opened,
    window: { decisions: entries.length, limit, truncated: rows.length > limit },
    ...trackRecord(entries, recent),
  }
}
