/**
 * Creating a decision market: one conditional branch per candidate action over the same
 * outcome space, each escrowing its own subsidy; a decision time between opening and close_at;
 * a default branch; the decision rule's parameters snapshotted on the market (changing an
 * agent later never changes a market already open); and the job that decides at decide_at —
 * all in the caller's transaction.
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import {
  completeRule,
  type DecisionRuleSettings,
  MAX_ACTIONS,
  MIN_ACTIONS,
  SettingsError,
} from '../../domain/agents/settings.js'
import { errors } from '../../errors/codes.js'
import { DECIDE_MARKET_JOB } from '../jobs.js'
import { type CreateMarketInput, createMarketInTransaction } from '../markets/create.js'
import type { MarketRow } from '../markets/repository.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'

export interface DecisionMarketInput extends CreateMarketInput {
  readonly branches: readonly string[]
  readonly decideAt: Date
  /** Index of the default branch. */
  readonly defaultBranch: number
  readonly rule?: Partial<DecisionRuleSettings>
  /** Categorical: the utility of each outcome. */
  readonly utilities?: readonly number[]
  readonly agentId?: string
  /**
   * Opens in a phase before trading, branches closed, with as few as one branch (the default)
   * until it opens: `proposing` (services/decisions/proposals.ts) until the operator opens it
   * with the admitted proposals; `preparing` (agent-decisions.ts) until the agent's LLM has
   * given its prior (and, for an LLM action source, the actions).
   */
  readonly phase?: 'proposing' | 'preparing'
}

const EnterPhase = sql(
  'EnterDecisionPhase',
  `with branches as (update public.market_branches set status = 'closed' where market_id = $1)
   update public.markets set status = $2 where id = $1`,
)

const SetDecisionSettings = sql(
  'SetDecisionSettings',
  `update public.markets set agent_id = $2, default_branch = $3, decision_rule = $4, utilities = $5 where id = $1`,
)

/** A 400 for a field of the request, from the rule and objective validators. */
function invalid(field: string, message: string): never {
  throw errors.validation(`${field} ${message}`, [{ field, message }])
}

export function validateDecisionInput(input: DecisionMarketInput, now: Date): DecisionRuleSettings {
  const count = input.branches.length
  if (count < (input.phase ? 1 : MIN_ACTIONS) || count > MAX_ACTIONS) {
    invalid(
      '/body/branches',
      `must list ${MIN_ACTIONS}–${MAX_ACTIONS} branches (candidate actions), got ${count}`,
    )
  }
  const seen = new Set<string>()
  input.branches.forEach((label, i) => {
    const key = label.trim().toLowerCase()
    if (!key) invalid(`/body/branches/${i}`, 'must not be blank')
    if (seen.has(key)) invalid(`/body/branches/${i}`, `repeats '${label}'`)
    seen.add(key)
  })
  if (!Number.isInteger(input.defaultBranch) || input.defaultBranch < 0 || input.defaultBranch >= count) {
    invalid('/body/default_branch', `must name one of the ${count} branches`)
  }
  if (Number.isNaN(input.decideAt.getTime())) invalid('/body/decide_at', 'is required for decision markets')
  if (input.decideAt.getTime() <= now.getTime()) invalid('/body/decide_at', 'must be in the future')
  if (input.decideAt.getTime() >= input.closeAt.getTime()) {
    invalid('/body/decide_at', 'must come before close_at: the chosen branch trades on until close_at')
  }
  if (input.kind === 'categorical') {
    const outcomes = input.outcomes?.length ?? 0
    const utilities = input.utilities ?? []
    if (utilities.length !== outcomes)
      invalid('/body/utilities', `must give one utility per outcome (${outcomes})`)
    if (utilities.some((u) => !Number.isFinite(u))) invalid('/body/utilities', 'must be finite numbers')
    if (new Set(utilities).size < 2) invalid('/body/utilities', 'must not all be equal (nothing to maximise)')
  } else if (input.utilities !== undefined) {
    invalid('/body/utilities', 'is only for categorical markets')
  }
  try {
    const rule = completeRule(input.rule)
    const intervals = (input.decideAt.getTime() - now.getTime()) / (rule.twap_interval_seconds * 1000)
    if (intervals > 1_000_000) {
      invalid('/body/decision_rule/twap_interval_seconds', 'is too short for this trading window')
    }
    return rule
  } catch (error) {
    if (error instanceof SettingsError) throw errors.validation(error.message, error.problems)
    throw error
  }
}

export async function createDecisionMarketInTransaction(
  ctx: AppContext,
  m: MoneyTransaction,
  creatorId: string,
  input: DecisionMarketInput,
): Promise<MarketRow> {
  const { tx } = m
  const rule = validateDecisionInput(input, ctx.clock.now())
  const market = await createMarketInTransaction(ctx, m, creatorId, {
    ...input,
    branches: input.branches.map((b) => b.trim()),
  })
  await tx.execute(SetDecisionSettings, [
    market.id,
    input.agentId ?? null,
    input.defaultBranch,
    JSON.stringify(rule),
    input.utilities ? [...input.utilities] : null,
  ])
  if (input.phase) await tx.execute(EnterPhase, [market.id, input.phase])
  // Queued now even while proposing or preparing: if the market never opens, the job voids it
  // at decide_at and the operator's escrow comes back.
  await ctx.queue.send(
    DECIDE_MARKET_JOB,
    { marketId: market.id },
    { tx, startAfter: input.decideAt, singletonKey: `decide:${market.id}` },
  )
  return input.phase ? { ...market, status: input.phase } : market
}

export function createDecisionMarket(ctx: AppContext, creatorId: string, input: DecisionMarketInput) {
  return withMoneyTransaction(ctx.db, (m) => createDecisionMarketInTransaction(ctx, m, creatorId, input))
}
