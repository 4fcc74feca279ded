/**
 * A decision as recorded (public.market_decisions): the scores, the rule's parameters, the
 * chosen branch and why. Taken by decide.ts, delivered by delivery.ts, shown by the views.
 */
export interface DecisionRecord {
  market_id: string
  chosen_branch: number
  best_branch: number
  default_branch: number
  reason: string
  explanation: string
  scores: Array<{
    index: number
    label: string
    score: number
    spot: number
    observations: number
    last_observation: number
    traders: number
    volume: string
  }>
  params: Record<string, unknown>
  distinct_traders: number
  total_volume: bigint
  decided_by: string | null
  decided_at: Date
}
