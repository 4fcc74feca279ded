/**
 * An agent's decisions: opening one (the agent records its own prior first, when it has an
 * LLM, then a decision market opens, funded from the operator's cash), listing them with prior,
 * market choice, scores, delivery and outcome, and reporting the measured outcome (which
 * resolves the chosen branch).
 *
 * The LLM is asked in a job (prepareAgentDecision), outside any transaction: a slow or failing
 * provider neither holds the operator's request nor database locks, and its failure is recorded
 * on the decision instead of stopping it.
 */
import type { AppContext } from '../../context.js'
import { type Queryable, sql } from '../../db/database.js'
import { type ActionSpec, decisionActions, SettingsError } from '../../domain/agents/settings.js'
import { describeForPrompt, scoreDecision } from '../../domain/agents/track-record.js'
import { authorize } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { formatAmount } from '../../domain/money.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import { type ChatMessage, chatJson, LlmError, llmCallObserver } from '../../infra/llm.js'
import type { TraceContext } from '../../infra/trace-context.js'
import { type AgentRow, findAgent, openSecrets } from '../agents/agents.js'
import { PREPARE_DECISION_JOB } from '../jobs.js'
import { addBranches } from '../markets/create.js'
import { type ResolveInput, resolveMarket, voidInTransaction } from '../markets/lifecycle.js'
import { getMarket } from '../markets/queries.js'
import { listOutcomes, lockMarket } from '../markets/repository.js'
import { lockCashAccount } from '../money/ledger.js'
import { withMoneyTransaction } from '../money/transaction.js'
import { createDecisionMarketInTransaction, type DecisionMarketInput } from './create.js'
import { listProposals, noAdmittedProposal, openProposedMarket } from './proposals.js'
import { findDecisionFacts } from './scores.js'
import { agentTrackRecord, entryOf, SCORING_SELECT, type ScoringColumns } from './track-record.js'

function enforce(
  principal: Principal | null,
  action: Parameters<typeof authorize>[1],
  ownerId: string,
): Principal {
  const decision = authorize(principal, action, { ownerId })
  if (!decision.allowed) {
    if (decision.status === 401) throw errors.unauthorized(decision.detail)
    throw new AppError({
      code: ErrorCode.Forbidden,
      status: 403,
      title: 'Forbidden',
      detail: decision.detail,
      extensions: { reason: decision.reason },
    })
  }
  return principal as Principal
}

export interface OpenDecisionInput {
  question: string
  description?: string
  /** Facts for the LLM (and the traders): what the agent knows about this decision. */
  context?: string
  decideAt: Date
  closeAt: Date
  /** Overrides the agent's configured actions for this decision. */
  actions?: ActionSpec[]
  slug?: string
}

export interface Prior {
  branch: number
  action: string
  confidence: number
  rationale: string
  model: string
  completionId?: string
  /** The model's forecast for each candidate action (by label), when it gave them. */
  forecasts?: Forecast[]
}

interface Forecast {
  action: string
  probability: number
}

interface LlmChoice {
  action: string
  confidence: number
  rationale: string
  actions?: ActionSpec[]
  forecasts?: Forecast[]
}

function describeObjective(agent: AgentRow): string {
  const o = agent.objective
  const space =
    o.kind === 'binary'
      ? 'Outcome: YES or NO; the agent wants YES.'
      : o.kind === 'scalar'
        ? `Outcome: a value between ${o.scalar?.lo} and ${o.scalar?.hi}${o.scalar?.unit ? ` ${o.scalar.unit}` : ''}; higher is better.`
        : `Outcomes and their utilities: ${(o.outcomes ?? []).map((x, i) => `${x} (${o.utilities?.[i]})`).join(', ')}.`
  return `${space} Measured as: ${o.measurement}`
}

/** Longest prior rationale kept (a 2 MB one was once stored and served). */
export const MAX_RATIONALE_CHARS = 2000

/**
 * Asks the agent's LLM for its own choice (and, for an LLM action source with no actions given,
 * for the candidate actions too), as strict JSON.
 */
async function askLlm(
  ctx: AppContext,
  agent: AgentRow,
  input: OpenDecisionInput,
  actions: ActionSpec[] | undefined,
  trace: TraceContext | undefined,
): Promise<{ prior: Omit<Prior, 'branch'>; actions?: ActionSpec[] }> {
  const llm = agent.llm
  if (!llm) throw new LlmError('llm_unreachable', 'The agent has no LLM configured')
  const [{ llmApiKey }, record] = await Promise.all([
    openSecrets(ctx.db, ctx.secrets, agent.id),
    agentTrackRecord(ctx.db, agent.id),
  ])
  const generate = actions === undefined
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: [
        `You are ${agent.name}, an AI agent. ${agent.description}`,
        `Your objective: ${describeObjective(agent)}`,
        llm.instructions ?? '',
        // What the record scores the prior by (domain/agents/track-record.ts).
        'Give as confidence your probability (0 to 1) that the objective is met if the action you choose is taken; for a scalar or categorical objective, the outcome you expect as a fraction of its range.',
        'Give in forecasts the same probability for every candidate action, as if it were taken.',
        // The agent's own record, so it can correct a lean the market keeps overriding.
        describeForPrompt(record),
        generate
          ? `Propose 2 to 8 distinct candidate actions (always including "${agent.default_action}"), then choose the one you believe best serves the objective.`
          : 'Choose the candidate action you believe best serves the objective.',
        'Answer with JSON only.',
      ]
        .filter(Boolean)
        .join('\n'),
    },
    {
      role: 'user',
      content: [
        `Decision: ${input.question}`,
        input.description ? `Details: ${input.description}` : '',
        input.context ? `Context: ${input.context}` : '',
        actions
          ? `Candidate actions:\n${actions.map((a) => `- ${a.label}: ${a.description}`).join('\n')}`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    },
  ]
  const labels = actions?.map((a) => a.label)
  const schema = {
    type: 'object',
    properties: {
      ...(generate
        ? {
            actions: {
              type: 'array',
              items: {
                type: 'object',
                properties: { label: { type: 'string' }, description: { type: 'string' } },
                required: ['label', 'description'],
                additionalProperties: false,
              },
            },
          }
        : {}),
      action: labels ? { type: 'string', enum: labels } : { type: 'string' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      rationale: { type: 'string' },
      forecasts: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            action: labels ? { type: 'string', enum: labels } : { type: 'string' },
            probability: { type: 'number', minimum: 0, maximum: 1 },
          },
          required: ['action', 'probability'],
          additionalProperties: false,
        },
      },
    },
    // Strict structured output wants every property required; validate() still accepts an
    // answer without forecasts (a provider that ignores the schema): the prior then has none.
    required: [...(generate ? ['actions'] : []), 'action', 'confidence', 'rationale', 'forecasts'],
    additionalProperties: false,
  }
  const span = ctx.tracer.startSpan('llm.chat', {
    parent: trace,
    kind: 'client',
    attributes: { 'dm.agent_id': agent.id, 'gen_ai.request.model': llm.model },
  })
  const result = await chatJson<LlmChoice>(
    { baseUrl: llm.base_url, model: llm.model, ...(llmApiKey ? { apiKey: llmApiKey } : {}) },
    {
      trace: span.context,
      messages,
      schema,
      schemaName: generate ? 'actions_and_choice' : 'choice',
      timeoutMs: ctx.config.LLM_TIMEOUT_MS,
      outbound: { allowHosts: ctx.config.OUTBOUND_ALLOW_HOSTS },
      observe: llmCallObserver(ctx.metrics),
      validate: (value) => {
        const v = value as Partial<LlmChoice>
        if (typeof v?.action !== 'string' || !v.action.trim()) return 'action must be a non-empty string'
        if (v.action.length > 200) return 'action must be at most 200 characters'
        if (typeof v.confidence !== 'number' || !(v.confidence >= 0 && v.confidence <= 1)) {
          return 'confidence must be a number in [0, 1]'
        }
        if (typeof v.rationale !== 'string') return 'rationale must be a string'
        if (v.forecasts !== undefined) {
          if (!Array.isArray(v.forecasts) || v.forecasts.length > 32) return 'forecasts must list at most 32'
          if (
            v.forecasts.some(
              (f) =>
                typeof f?.action !== 'string' ||
                f.action.length > 200 ||
                typeof f.probability !== 'number' ||
                !(f.probability >= 0 && f.probability <= 1),
            )
          ) {
            return 'every forecast needs an action and a probability in [0, 1]'
          }
        }
        if (generate) {
          if (!Array.isArray(v.actions) || v.actions.length < 1 || v.actions.length > 15) {
            return 'actions must list 1 to 15 actions'
          }
          if (
            v.actions.some((a) => typeof a?.label !== 'string' || !a.label.trim() || a.label.length > 200)
          ) {
            return 'every action needs a label of 1–200 characters'
          }
        }
        return undefined
      },
    },
  )
    .catch((error: unknown) => {
      span.fail(error)
      throw error
    })
    .finally(() => span.end())
  const choice = result.value
  const prior: Omit<Prior, 'branch'> = {
    action: choice.action.trim(),
    confidence: choice.confidence,
    // Stored and, once decided, served to everyone: a model's essay is cut, not kept whole.
    rationale: choice.rationale.slice(0, MAX_RATIONALE_CHARS),
    model: result.model,
    ...(result.completionId ? { completionId: result.completionId } : {}),
    ...(choice.forecasts ? { forecasts: choice.forecasts } : {}),
  }
  return { prior, ...(choice.actions ? { actions: choice.actions } : {}) }
}

/** The decision market an agent's decision opens: its objective's outcome space, its rule, its liquidity. */
function decisionMarketInput(
  agent: AgentRow,
  input: OpenDecisionInput,
  branches: string[],
  defaultBranch: number,
): DecisionMarketInput {
  const objective = agent.objective
  return {
    question: input.question,
    ...(input.description !== undefined ? { description: input.description } : {}),
    kind: objective.kind,
    ...(objective.kind === 'categorical'
      ? { outcomes: objective.outcomes ?? [], utilities: objective.utilities ?? [] }
      : {}),
    ...(objective.kind === 'scalar' && objective.scalar ? { scalar: objective.scalar } : {}),
    subsidy: formatAmount(agent.liquidity_per_decision),
    closeAt: input.closeAt,
    decideAt: input.decideAt,
    ...(input.slug ? { slug: input.slug } : {}),
    branches,
    defaultBranch,
    rule: agent.decision_rule,
    agentId: agent.id,
  }
}

const InsertAgentDecision = sql(
  'InsertAgentDecision',
  `insert into public.agent_decisions (market_id, agent_id, owner_id, prior_branch, prior_confidence, prior_rationale,
     prior_model, prior_completion_id, prior_error, created_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
)

export interface OpenedDecision {
  marketId: string
  /** true: the agent's LLM is being asked in a job; the market opens when it has answered. */
  preparing: boolean
  prior: Prior | null
  priorError: string | null
}

/** What the prepare job needs that the market does not keep: what the LLM is told. */
export interface PrepareDecisionJob {
  marketId: string
  context?: string
  /** The candidate actions with their descriptions (the branches keep only the labels). */
  actions?: ActionSpec[]
}

function parseActions(defaultAction: string, actions: ActionSpec[], at: string) {
  try {
    return decisionActions(defaultAction, actions, at)
  } catch (error) {
    if (error instanceof SettingsError) throw errors.validation(error.message, error.problems)
    throw error
  }
}

/**
 * POST /v1/agents/{id}/decisions. Without an LLM the market opens at once. With one, the
 * request no longer waits for it (a hanging provider held the client for the whole
 * LLM_TIMEOUT_MS, 30 s): the market is created `preparing` (escrowed, branches closed, nothing
 * trades, so the prior is still recorded before the market opens) and a job, enqueued in the
 * same transaction, asks the LLM and opens it (prepareAgentDecision).
 */
export async function openAgentDecision(
  ctx: AppContext,
  principal: Principal | null,
  agentId: string,
  input: OpenDecisionInput,
  /** The request's trace: the prepare job (the LLM call) continues it. */
  trace?: TraceContext,
): Promise<OpenedDecision> {
  const agent = await findAgent(ctx.db, agentId)
  const operator = enforce(principal, 'agent.decide', agent.owner_id)
  if (agent.action_source === 'proposals') return openProposingDecision(ctx, operator, agent, input)
  const given = input.actions ?? (agent.actions.length > 0 ? agent.actions : undefined)
  const asksLlm = agent.llm !== null && (agent.action_source === 'llm' || given !== undefined)
  if (!given && !asksLlm) {
    throw errors.unprocessable(
      ErrorCode.InvalidMarketState,
      'No candidate actions',
      'The agent has no LLM and no actions configured; pass actions',
    )
  }
  // The actions checked now when they are known; an LLM's are checked when it answers.
  const chosen = given
    ? parseActions(agent.default_action, given, input.actions ? '/body/actions' : '/actions')
    : { actions: [{ label: agent.default_action, description: '' }], defaultIndex: 0 }
  const now = ctx.clock.now()
  const marketId = await withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await createDecisionMarketInTransaction(ctx, m, operator.userId, {
      ...decisionMarketInput(
        agent,
        input,
        chosen.actions.map((a) => a.label),
        chosen.defaultIndex,
      ),
      ...(asksLlm ? { phase: 'preparing' as const } : {}),
    })
    await tx.execute(InsertAgentDecision, [
      market.id,
      agent.id,
      agent.owner_id,
      null,
      null,
      null,
      null,
      null,
      null,
      now,
    ])
    if (asksLlm) {
      const job: PrepareDecisionJob = {
        marketId: market.id,
        ...(input.context !== undefined ? { context: input.context } : {}),
        ...(given ? { actions: chosen.actions } : {}),
      }
      await ctx.queue.send(PREPARE_DECISION_JOB, job, { tx, singletonKey: `prepare:${market.id}`, trace })
    }
    return market.id
  })
  return { marketId, preparing: asksLlm, prior: null, priorError: null }
}

const DecisionToPrepare = sql<{
  question: string
  description: string
  actions: { label: string; description: string }[]
}>(
  'AgentDecisionToPrepare',
  `select m.question, m.description,
          coalesce(array_to_json(array(select json_build_object('label', b.label, 'description', '')
                                         from public.market_branches b where b.market_id = m.id order by b.index)), '[]')
            as actions
     from public.markets m where m.id = $1`,
)

const OpenPreparedMarket = sql(
  'OpenPreparedMarket',
  `with branches as (update public.market_branches set status = 'open' where market_id = $1 and status = 'closed')
   update public.markets set status = 'open', opened_at = $2, updated_at = $2 where id = $1 and status = 'preparing'`,
)

/**
 * The prepare job: asks the agent's LLM outside any transaction, then in one transaction records
 * the prior (or the LLM's error), adds the LLM's actions as branches (escrowed from the
 * operator's cash) and opens trading. Idempotent: a market no longer preparing is left alone.
 * An LLM action source whose LLM gave no usable actions cannot open: it is voided, its escrow
 * returned, the reason on the record. Past decide_at it does nothing: the decide job voids it.
 */
export async function prepareAgentDecision(
  ctx: AppContext,
  job: PrepareDecisionJob,
  trace?: TraceContext,
): Promise<'opened' | 'voided' | 'skipped'> {
  const facts = await findDecisionFacts(ctx.db, job.marketId)
  if (!facts?.agent_id || facts.status !== 'preparing' || facts.decide_at === null) return 'skipped'
  if (ctx.clock.now().getTime() >= facts.decide_at.getTime()) return 'skipped'
  const agent = await findAgent(ctx.db, facts.agent_id)
  const market = await ctx.db.one(DecisionToPrepare, [job.marketId])
  const generate = agent.action_source === 'llm' && market.actions.length < 2
  const candidates = job.actions ?? market.actions
  let prior: Omit<Prior, 'branch'> | null = null
  let priorError: string | null = null
  let actions: ActionSpec[] = candidates
  try {
    const answer = await askLlm(
      ctx,
      agent,
      {
        question: market.question,
        description: market.description,
        ...(job.context !== undefined ? { context: job.context } : {}),
        decideAt: facts.decide_at,
        closeAt: facts.close_at,
      },
      generate ? undefined : candidates,
      trace,
    )
    if (generate && answer.actions) actions = answer.actions
    prior = answer.prior
  } catch (error) {
    if (!(error instanceof LlmError)) throw error
    priorError = `${error.code}: ${error.message}`
    ctx.log.warn(
      { agentId: agent.id, code: error.code },
      'agent LLM failed; the decision opens without a prior',
    )
  }
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const locked = await lockMarket(m, job.marketId)
    const now = ctx.clock.now()
    if (locked.status !== 'preparing' || now.getTime() >= (facts.decide_at as Date).getTime())
      return 'skipped'
    let labels = market.actions.map((a) => a.label)
    if (generate) {
      let parsed: { actions: ActionSpec[]; defaultIndex: number } | null = null
      try {
        parsed = decisionActions(agent.default_action, actions, '/llm/actions')
      } catch (error) {
        if (!(error instanceof SettingsError)) throw error
        priorError ??= `llm_malformed_output: ${error.message}`
      }
      // The default is branch 0 already (created alone); the LLM's other actions follow it.
      const added = parsed
        ? parsed.actions.filter((a) => a.label.toLowerCase() !== agent.default_action.toLowerCase())
        : []
      const cash = await lockCashAccount(m, agent.owner_id)
      const needed = locked.subsidy_per_branch * BigInt(added.length)
      if (added.length === 0 || cash.balance < needed) {
        const why =
          added.length === 0
            ? `the agent's LLM gave no candidate actions (${priorError ?? 'none'})`
            : `the operator's cash cannot escrow the LLM's ${added.length} actions`
        await recordPrior(tx, job.marketId, labels, null, priorError ?? why)
        await voidInTransaction(ctx, m, locked, `The decision could not open: ${why}`, now)
        return 'voided'
      }
      await addBranches(m, locked, {
        labels: added.map((a) => a.label),
        firstIndex: 1,
        outcomes: (await listOutcomes(tx, job.marketId)).length,
        funder: { id: cash.id, userId: agent.owner_id },
        now,
        status: 'closed',
      })
      labels = [labels[0] as string, ...added.map((a) => a.label)]
    }
    await recordPrior(tx, job.marketId, labels, prior, priorError)
    await tx.execute(OpenPreparedMarket, [job.marketId, now])
    return 'opened'
  })
}

interface DecisionListRow extends ScoringColumns {
  market_id: string
  slug: string
  question: string
  status: string
  decide_at: Date
  close_at: Date
  created_at: Date
  branches: string[]
  default_branch: number
  prior_branch: number | null
  prior_confidence: number | null
  prior_rationale: string | null
  prior_model: string | null
  prior_error: string | null
  chosen_branch: number | null
  best_branch: number | null
  reason: string | null
  explanation: string | null
  scores: unknown
  decided_at: Date | null
  resolution_outcome: number | null
  resolution_value: bigint | null
  resolved_at: Date | null
  delivery_status: string | null
  delivery_attempts: number | null
  delivery_last_status: number | null
  delivery_last_error: string | null
  delivered_at: Date | null
}

const DECISION_SELECT = `select m.id as market_id, m.slug, m.question, m.status, m.decide_at, m.close_at, ad.created_at,
          array(select b.label from public.market_branches b where b.market_id = m.id order by b.index) as branches,
          m.default_branch, ad.prior_branch, ad.prior_confidence, ad.prior_rationale, ad.prior_model, ad.prior_error,
          d.chosen_branch, d.best_branch, d.reason, d.explanation, d.scores, d.decided_at,
          m.resolution_outcome, m.resolution_value, m.resolved_at,
          w.status as delivery_status, w.attempts as delivery_attempts, w.last_status as delivery_last_status,
          w.last_error as delivery_last_error, w.delivered_at, ${SCORING_SELECT}
     from public.agent_decisions ad
     join public.markets m on m.id = ad.market_id
     left join public.market_decisions d on d.market_id = ad.market_id
     left join public.webhook_deliveries w on w.market_id = ad.market_id and w.event = 'decision.made'
    where ad.agent_id = $1`

const ListAgentDecisions = sql<DecisionListRow>(
  'ListAgentDecisions',
  `${DECISION_SELECT}
      and ($2::timestamptz is null or (ad.created_at, ad.market_id) < ($2, $3::uuid))
    order by ad.created_at desc, ad.market_id desc
    limit $4`,
)

const FindAgentDecision = sql<DecisionListRow>(
  'FindAgentDecision',
  `${DECISION_SELECT} and ad.market_id = $2`,
)

/** One decision of the agent, or a 404 when the agent has no such decision. */
export async function findAgentDecisionRow(db: Queryable, agentId: string, marketId: string) {
  const row = await db.maybeOne(FindAgentDecision, [agentId, marketId])
  if (!row) throw errors.notFound('Decision', `Agent ${agentId} has no decision market ${marketId}`)
  return row
}

export function listAgentDecisionRows(
  db: Queryable,
  agentId: string,
  page: { cursor?: { createdAt: Date; id: string }; limit: number },
) {
  return db.many(ListAgentDecisions, [
    agentId,
    page.cursor?.createdAt ?? null,
    page.cursor?.id ?? null,
    page.limit,
  ])
}

/** One decision as the API shows it; the prior and delivery only to whom they may be shown. */
export function decisionJson(row: DecisionListRow, viewer: { isOperator: boolean }) {
  const decided = row.chosen_branch !== null
  const showPrior = decided || viewer.isOperator
  const label = (i: number | null) => (i === null ? null : (row.branches[i] ?? null))
  return {
    market: {
      id: row.market_id,
      slug: row.slug,
      question: row.question,
      status: row.status,
      decide_at: row.decide_at.toISOString(),
      close_at: row.close_at.toISOString(),
    },
    actions: row.branches.map((l, i) => ({ branch: i, label: l })),
    default_action: { branch: row.default_branch, label: label(row.default_branch) },
    prior:
      showPrior && row.prior_branch !== null
        ? {
            branch: row.prior_branch,
            action: label(row.prior_branch),
            confidence: row.prior_confidence,
            rationale: row.prior_rationale,
            model: row.prior_model,
            forecasts: row.prior_forecasts,
          }
        : null,
    prior_error: viewer.isOperator ? row.prior_error : null,
    decision: decided
      ? {
          chosen: { branch: row.chosen_branch as number, label: label(row.chosen_branch) },
          best: { branch: row.best_branch as number, label: label(row.best_branch) },
          reason: row.reason,
          explanation: row.explanation,
          scores: row.scores,
          decided_at: row.decided_at?.toISOString() ?? null,
        }
      : null,
    overrode_prior: decided && row.prior_branch !== null ? row.prior_branch !== row.chosen_branch : null,
    record: scoreOf(row),
    outcome:
      row.resolved_at !== null
        ? {
            outcome: row.resolution_outcome,
            value: row.resolution_value === null ? null : formatAmount(row.resolution_value),
            resolved_at: row.resolved_at.toISOString(),
          }
        : null,
    delivery:
      viewer.isOperator && row.delivery_status !== null
        ? {
            status: row.delivery_status,
            attempts: row.delivery_attempts,
            last_status: row.delivery_last_status,
            last_error: row.delivery_last_error,
            delivered_at: row.delivered_at?.toISOString() ?? null,
          }
        : null,
  }
}

/** The decision's part of the track record; null until decided (the prior is not public before). */
function scoreOf(row: DecisionListRow) {
  const entry = entryOf(row)
  return entry ? scoreDecision(entry) : null
}

const AgentOfMarket = sql<{ agent_id: string }>(
  'AgentOfDecisionMarket',
  'select agent_id from public.agent_decisions where market_id = $1',
)

/**
 * POST /v1/agents/{id}/decisions/{marketId}/outcome: the operator reports the measured outcome,
 * which resolves the chosen branch (the others were refunded at the decision).
 */
export async function reportOutcome(
  ctx: AppContext,
  principal: Principal | null,
  agentId: string,
  marketId: string,
  input: ResolveInput,
) {
  const agent = await findAgent(ctx.db, agentId)
  enforce(principal, 'agent.report_outcome', agent.owner_id)
  const link = await ctx.db.maybeOne(AgentOfMarket, [marketId])
  if (!link || link.agent_id !== agentId) {
    throw errors.notFound('Decision', `Agent ${agentId} has no decision market ${marketId}`)
  }
  await resolveMarket(ctx, principal, marketId, input)
  return getMarket(ctx.db, marketId)
}

/**
 * An agent that takes proposals opens its decision in the proposing phase: the default action
 * (and any configured actions) as the first branches, closed until the operator opens it.
 */
async function openProposingDecision(
  ctx: AppContext,
  operator: Principal,
  agent: AgentRow,
  input: OpenDecisionInput,
): Promise<OpenedDecision> {
  const actions = input.actions ?? agent.actions
  const labels = [
    agent.default_action,
    ...actions
      .map((a) => a.label.trim())
      .filter((l) => l.toLowerCase() !== agent.default_action.toLowerCase()),
  ]
  const now = ctx.clock.now()
  const marketId = await withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await createDecisionMarketInTransaction(ctx, m, operator.userId, {
      ...decisionMarketInput(agent, input, labels, 0),
      phase: 'proposing',
    })
    await tx.execute(InsertAgentDecision, [
      market.id,
      agent.id,
      agent.owner_id,
      null,
      null,
      null,
      null,
      null,
      null,
      now,
    ])
    return market.id
  })
  return { marketId, preparing: false, prior: null, priorError: null }
}

const SetPrior = sql(
  'SetAgentDecisionPrior',
  `update public.agent_decisions
      set prior_branch = $2, prior_confidence = $3, prior_rationale = $4, prior_model = $5, prior_completion_id = $6,
          prior_error = $7, prior_forecasts = $8
    where market_id = $1`,
)

/** The forecasts by branch index (null where the model gave none); null without any. */
function forecastsByBranch(labels: readonly string[], forecasts: readonly Forecast[] | undefined) {
  if (!forecasts?.length) return null
  const byBranch = labels.map(
    (l) => forecasts.find((f) => f.action.trim().toLowerCase() === l.toLowerCase())?.probability ?? null,
  )
  return byBranch.some((f) => f !== null) ? byBranch : null
}

/**
 * Records the prior against the market's final actions (or the LLM's error); a choice that is not
 * among them is recorded as that error. Returns the error on record.
 */
async function recordPrior(
  tx: Queryable,
  marketId: string,
  labels: readonly string[],
  prior: Omit<Prior, 'branch'> | null,
  error: string | null,
): Promise<string | null> {
  const branch = prior ? labels.findIndex((l) => l.toLowerCase() === prior.action.toLowerCase()) : -1
  const priorError =
    prior && branch < 0
      ? `llm_malformed_output: the model chose '${prior.action}', which is not a candidate action`
      : error
  const kept = branch >= 0 ? prior : null
  await tx.execute(SetPrior, [
    marketId,
    kept ? branch : null,
    kept?.confidence ?? null,
    kept?.rationale ?? null,
    kept?.model ?? null,
    kept?.completionId ?? null,
    priorError,
    kept ? forecastsByBranch(labels, kept.forecasts) : null,
  ])
  return priorError
}

/**
 * POST /v1/markets/{id}/open: the operator opens a proposing decision market. The agent's LLM
 * (if any) gives its prior over the final actions first, outside the transaction; a proposal
 * reviewed in between is simply not among what the prior could choose.
 */
export async function openProposedDecision(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  trace?: TraceContext,
) {
  const facts = await findDecisionFacts(ctx.db, marketId)
  if (!facts?.agent_id) throw errors.notFound('Decision', `Market ${marketId} is not an agent's decision`)
  const agent = await findAgent(ctx.db, facts.agent_id)
  enforce(principal, 'proposal.review', agent.owner_id)
  const market = await getMarket(ctx.db, marketId)
  const admitted = (await listProposals(ctx.db, marketId)).filter((p) => p.status === 'admitted')
  // Checked again in the transaction; here it spares the LLM a question nobody will use.
  if (market.status === 'proposing' && admitted.length === 0) throw noAdmittedProposal()
  const candidates = [...market.branches.map((b) => b.label), ...admitted.map((p) => p.label)].map(
    (label) => ({
      label,
      description: admitted.find((p) => p.label === label)?.description ?? '',
    }),
  )
  let prior: Omit<Prior, 'branch'> | null = null
  let priorError: string | null = null
  if (agent.llm) {
    try {
      const answer = await askLlm(
        ctx,
        agent,
        {
          question: market.question,
          description: market.description,
          // What the operator set, as the prepare job tells it too (this once told the LLM
          // "now" for both).
          decideAt: facts.decide_at ?? facts.close_at,
          closeAt: facts.close_at,
        },
        candidates,
        trace,
      )
      prior = answer.prior
    } catch (error) {
      if (!(error instanceof LlmError)) throw error
      priorError = `${error.code}: ${error.message}`
    }
  }
  await withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const opened = await openProposedMarket(ctx, principal, marketId, m)
    priorError = await recordPrior(tx, marketId, opened.labels, prior, priorError)
  })
  return { prior: prior && !priorError ? prior : null, priorError }
}
