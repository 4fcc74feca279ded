import { expect } from 'vitest'
import { prepareAgentDecision } from '../../src/services/decisions/agent-decisions.js'
import { PREPARE_DECISION_JOB } from '../../src/services/jobs.js'

/**
 * Runs the prepare job that opening an agent's decision enqueued (the LLM is asked there, not in
 * the request), with the data it was enqueued with: exactly one such job must exist.
 */
export async function runPrepareJob(ctx: Parameters<typeof prepareAgentDecision>[0], marketId: string) {
  const { rows } = await ctx.db.pool.query(
    `select data from pgboss.job where name = $1 and data->>'marketId' = $2`,
    [PREPARE_DECISION_JOB, marketId],
  )
  expect(rows).toHaveLength(1)
  return prepareAgentDecision(ctx, rows[0].data)
}
