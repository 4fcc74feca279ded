/**
 * Agents: created, read, changed and retired by their operator. Secrets (the LLM provider's
 * key, the webhook signing secret) are sealed with the context's key ring the moment they
 * arrive, stored apart from the agent, and never returned; the webhook secret is generated here
 * when the operator does not bring one, and shown once.
 */

import type { Static } from '@sinclair/typebox'
import type { AppContext } from '../../context.js'
import type { CreateAgentBody, UpdateAgentBody } from '../../contracts/agents.js'
import { type Queryable, sql, type Transaction } from '../../db/database.js'
import {
  type ActionSpec,
  completeRule,
  type DecisionRuleSettings,
  decisionActions,
  type Objective,
  SettingsError,
  validateObjective,
} from '../../domain/agents/settings.js'
import { authorize } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { formatAmount, MoneyFormatError, parseAmount } from '../../domain/money.js'
import { literalRefusal, type OutboundPolicy } from '../../domain/outbound-policy.js'
import { errors } from '../../errors/codes.js'
import type { SecretBox } from '../../infra/secrets.js'
import { generateWebhookSecret } from '../../infra/webhooks.js'

export interface LlmSettings {
  base_url: string
  model: string
  /** Extra instructions for the model, prepended to every decision's prompt. */
  instructions?: string
}

/** An agent's settings as POST /v1/agents receives them (shape-checked by that schema). */
export type AgentInput = Static<typeof CreateAgentBody>

/** PATCH /v1/agents/{id}: the settings to replace, and the secret operations. */
export type AgentPatch = Static<typeof UpdateAgentBody>

export interface AgentRow {
  id: string
  owner_id: string
  owner_username: string | null
  name: string
  description: string
  objective: Objective
  action_source: 'fixed' | 'llm' | 'proposals'
  actions: ActionSpec[]
  llm: LlmSettings | null
  default_action: string
  decision_rule: DecisionRuleSettings
  liquidity_per_decision: bigint
  delivery: 'webhook' | 'polling'
  webhook_url: string | null
  status: 'active' | 'deleted'
  has_llm_api_key: boolean
  has_webhook_secret: boolean
  created_at: Date
  updated_at: Date
}

const AGENT_COLUMNS = `a.id, a.owner_id, p.username as owner_username, a.name, a.description, a.objective,
  a.action_source, a.actions, a.llm, a.default_action, a.decision_rule, a.liquidity_per_decision, a.delivery,
  a.webhook_url, a.status, (s.llm_api_key is not null) as has_llm_api_key,
  (s.webhook_secret is not null) as has_webhook_secret, a.created_at, a.updated_at`
const AGENT_FROM = `public.agents a
  left join public.profiles p on p.user_id = a.owner_id
  left join public.agent_secrets s on s.agent_id = a.id`

const InsertAgent = sql<{ id: string }>(
  'InsertAgent',
  `insert into public.agents (owner_id, name, description, objective, action_source, actions, llm, default_action,
     decision_rule, liquidity_per_decision, delivery, webhook_url, created_at, updated_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
   returning id`,
)

const UpsertSecrets = sql(
  'UpsertAgentSecrets',
  `insert into public.agent_secrets (agent_id, owner_id, llm_api_key, webhook_secret, updated_at)
   select $1, a.owner_id, $2, $3, $4 from public.agents a where a.id = $1
   on conflict (agent_id) do update
     set llm_api_key = coalesce(excluded.llm_api_key, public.agent_secrets.llm_api_key),
         webhook_secret = coalesce(excluded.webhook_secret, public.agent_secrets.webhook_secret),
         updated_at = excluded.updated_at`,
)

const ClearLlmKey = sql(
  'ClearAgentLlmKey',
  'update public.agent_secrets set llm_api_key = null where agent_id = $1',
)

const FindAgent = sql<AgentRow>(
  'FindAgent',
  `select ${AGENT_COLUMNS} from ${AGENT_FROM} where a.id = $1 and a.status = 'active'`,
)

const LockAgent = sql<{ id: string }>(
  'LockAgent',
  `select id from public.agents where id = $1 and status = 'active' for update`,
)

const ListAgents = sql<AgentRow>(
  'ListAgents',
  `select ${AGENT_COLUMNS} from ${AGENT_FROM}
    where a.status = 'active' and ($1::uuid is null or a.owner_id = $1)
      and ($2::timestamptz is null or (a.created_at, a.id) < ($2, $3::uuid))
    order by a.created_at desc, a.id desc
    limit $4`,
)

const UpdateAgent = sql(
  'UpdateAgent',
  `update public.agents set name = $2, description = $3, objective = $4, action_source = $5, actions = $6, llm = $7,
     default_action = $8, decision_rule = $9, liquidity_per_decision = $10, delivery = $11, webhook_url = $12,
     updated_at = $13
   where id = $1`,
)

const RetireAgent = sql(
  'RetireAgent',
  `update public.agents set status = 'deleted', updated_at = $2 where id = $1`,
)

const SecretsOf = sql<{ llm_api_key: string | null; webhook_secret: string | null }>(
  'AgentSecrets',
  'select llm_api_key, webhook_secret from public.agent_secrets where agent_id = $1',
)

export const secretContext = (agentId: string, field: 'llm_api_key' | 'webhook_secret') =>
  `agent:${agentId}:${field}`

function invalid(error: unknown): never {
  if (error instanceof SettingsError) throw errors.validation(error.message, error.problems)
  throw error
}

function credits(value: string, field: string): bigint {
  try {
    const amount = parseAmount(value)
    if (amount <= 0n)
      throw errors.validation(`${field} must be positive`, [{ field, message: 'must be positive' }])
    return amount
  } catch (error) {
    if (error instanceof MoneyFormatError) throw errors.invalidAmount(field, error.message)
    throw error
  }
}

interface Normalised {
  name: string
  description: string
  objective: Objective
  actionSource: AgentInput['action_source']
  actions: ActionSpec[]
  llm: LlmSettings | null
  defaultAction: string
  rule: DecisionRuleSettings
  liquidity: bigint
  delivery: 'webhook' | 'polling'
  webhookUrl: string | null
}

/**
 * The URLs an agent calls must not name a loopback, private or link-local address (checked
 * again after DNS at each call: infra/outbound.ts); refused here with a 400 where they do.
 */
function checkTargets(input: AgentInput, policy: OutboundPolicy) {
  const problems = [
    ...(input.delivery.type === 'webhook' ? [{ field: '/body/delivery/url', url: input.delivery.url }] : []),
    ...(input.llm ? [{ field: '/body/llm/base_url', url: input.llm.base_url }] : []),
  ].flatMap(({ field, url }) => {
    const reason = literalRefusal(url, policy)
    return reason ? [{ field, message: reason }] : []
  })
  if (problems.length > 0) {
    throw new SettingsError(problems)
  }
}

function normalise(input: AgentInput, policy: OutboundPolicy): Normalised {
  try {
    const objective = validateObjective(input.objective)
    const rule = completeRule(input.decision_rule)
    const actions = (input.actions ?? []).map((a) => ({ label: a.label, description: a.description ?? '' }))
    if (input.action_source === 'fixed') decisionActions(input.default_action, actions)
    if (input.action_source === 'llm' && !input.llm) {
      throw new SettingsError([{ field: '/body/llm', message: "is required when action_source is 'llm'" }])
    }
    checkTargets(input, policy)
    const llm = input.llm
      ? {
          base_url: input.llm.base_url.replace(/\/+$/, ''),
          model: input.llm.model,
          ...(input.llm.instructions ? { instructions: input.llm.instructions } : {}),
        }
      : null
    return {
      name: input.name.trim(),
      description: input.description?.trim() ?? '',
      objective,
      actionSource: input.action_source,
      actions,
      llm,
      defaultAction: input.default_action.trim(),
      rule,
      liquidity: credits(input.liquidity_per_decision, '/body/liquidity_per_decision'),
      delivery: input.delivery.type,
      webhookUrl: input.delivery.type === 'webhook' ? input.delivery.url : null,
    }
  } catch (error) {
    if (error instanceof TypeError) {
      throw errors.validation('delivery.url is not a URL', [
        { field: '/body/delivery/url', message: 'must be a URL' },
      ])
    }
    return invalid(error)
  }
}

function agentValues(n: Normalised) {
  return [
    n.name,
    n.description,
    JSON.stringify(n.objective),
    n.actionSource,
    JSON.stringify(n.actions),
    n.llm ? JSON.stringify(n.llm) : null,
    n.defaultAction,
    JSON.stringify(n.rule),
    n.liquidity,
    n.delivery,
    n.webhookUrl,
  ]
}

const outboundPolicy = (ctx: AppContext): OutboundPolicy => ({ allowHosts: ctx.config.OUTBOUND_ALLOW_HOSTS })

export interface CreatedAgent {
  agent: AgentRow
  /** The webhook signing secret, when it was generated here: shown this once. */
  webhookSecret?: string
}

export async function createAgent(
  ctx: AppContext,
  principal: Principal,
  input: AgentInput,
): Promise<CreatedAgent> {
  const n = normalise(input, outboundPolicy(ctx))
  const now = ctx.clock.now()
  const generated =
    input.delivery.type === 'webhook' && !input.delivery.secret ? generateWebhookSecret() : undefined
  const webhookSecret = input.delivery.type === 'webhook' ? (input.delivery.secret ?? generated) : undefined
  return ctx.db.withTransaction(async (tx) => {
    const { id } = await tx.one(InsertAgent, [principal.userId, ...agentValues(n), now])
    await storeSecrets(tx, ctx.secrets, id, { llmApiKey: input.llm?.api_key, webhookSecret }, now)
    const agent = await tx.one(FindAgent, [id])
    return { agent, ...(generated ? { webhookSecret: generated } : {}) }
  })
}

async function storeSecrets(
  tx: Transaction,
  box: SecretBox,
  agentId: string,
  secrets: { llmApiKey?: string | undefined; webhookSecret?: string | undefined },
  now: Date,
) {
  if (!secrets.llmApiKey && !secrets.webhookSecret) return
  await tx.execute(UpsertSecrets, [
    agentId,
    secrets.llmApiKey ? box.seal(secrets.llmApiKey, secretContext(agentId, 'llm_api_key')) : null,
    secrets.webhookSecret ? box.seal(secrets.webhookSecret, secretContext(agentId, 'webhook_secret')) : null,
    now,
  ])
}

export async function findAgent(db: Queryable, agentId: string): Promise<AgentRow> {
  const agent = await db.maybeOne(FindAgent, [agentId])
  if (!agent) throw errors.notFound('Agent', `No agent with id ${agentId}`)
  return agent
}

export function listAgents(
  db: Queryable,
  filter: { ownerId?: string; cursor?: { createdAt: Date; id: string }; limit: number },
): Promise<AgentRow[]> {
  return db.many(ListAgents, [
    filter.ownerId ?? null,
    filter.cursor?.createdAt ?? null,
    filter.cursor?.id ?? null,
    filter.limit,
  ])
}

/** PATCH: the fields given replace the stored ones; secrets given are re-sealed. */
export async function updateAgent(
  ctx: AppContext,
  agentId: string,
  patch: AgentPatch,
): Promise<CreatedAgent> {
  const now = ctx.clock.now()
  return ctx.db.withTransaction(async (tx) => {
    if (!(await tx.maybeOne(LockAgent, [agentId])))
      throw errors.notFound('Agent', `No agent with id ${agentId}`)
    const current = await tx.one(FindAgent, [agentId])
    const merged: AgentInput = {
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      objective: patch.objective ?? current.objective,
      action_source: patch.action_source ?? current.action_source,
      actions: patch.actions ?? current.actions,
      ...((patch.llm ?? current.llm) ? { llm: patch.llm ?? (current.llm as LlmSettings) } : {}),
      default_action: patch.default_action ?? current.default_action,
      decision_rule: { ...current.decision_rule, ...(patch.decision_rule ?? {}) },
      liquidity_per_decision: patch.liquidity_per_decision ?? formatAmount(current.liquidity_per_decision),
      delivery:
        patch.delivery ??
        (current.delivery === 'webhook'
          ? { type: 'webhook', url: current.webhook_url as string }
          : { type: 'polling' }),
    }
    const n = normalise(merged, outboundPolicy(ctx))
    await tx.execute(UpdateAgent, [agentId, ...agentValues(n), now])
    const secretGiven = patch.delivery?.type === 'webhook' ? patch.delivery.secret : undefined
    const generated =
      n.delivery === 'webhook' && !secretGiven && (patch.rotate_webhook_secret || !current.has_webhook_secret)
        ? generateWebhookSecret()
        : undefined
    if (patch.clear_llm_api_key) await tx.execute(ClearLlmKey, [agentId])
    await storeSecrets(
      tx,
      ctx.secrets,
      agentId,
      { llmApiKey: patch.llm?.api_key, webhookSecret: secretGiven ?? generated },
      now,
    )
    const agent = await tx.one(FindAgent, [agentId])
    return { agent, ...(generated ? { webhookSecret: generated } : {}) }
  })
}

export async function retireAgent(ctx: AppContext, agentId: string): Promise<void> {
  await ctx.db.withTransaction(async (tx) => {
    if (!(await tx.maybeOne(LockAgent, [agentId])))
      throw errors.notFound('Agent', `No agent with id ${agentId}`)
    await tx.execute(RetireAgent, [agentId, ctx.clock.now()])
  })
}

/** The plaintext secrets, for the service's own use (calling the LLM, signing webhooks). */
export async function openSecrets(
  db: Queryable,
  box: SecretBox,
  agentId: string,
): Promise<{ llmApiKey?: string; webhookSecret?: string }> {
  const row = await db.maybeOne(SecretsOf, [agentId])
  if (!row) return {}
  return {
    ...(row.llm_api_key
      ? { llmApiKey: box.open(row.llm_api_key, secretContext(agentId, 'llm_api_key')) }
      : {}),
    ...(row.webhook_secret
      ? { webhookSecret: box.open(row.webhook_secret, secretContext(agentId, 'webhook_secret')) }
      : {}),
  }
}

/** The operator (or an admin) sees an agent's private settings; anyone else does not. */
export function viewerOf(principal: Principal | null, agent: AgentRow): { isOperator: boolean } {
  return { isOperator: authorize(principal, 'agent.read_private', { ownerId: agent.owner_id }).allowed }
}

/**
 * An agent as the API shows it. Where it calls (the LLM's base URL, the webhook URL, which
 * often carries a token) and its instructions are the operator's business only: others see
 * what the agent maximises and how it decides, not where its requests go.
 */
export function agentJson(agent: AgentRow, viewer: { isOperator: boolean }) {
  const llm = agent.llm
    ? viewer.isOperator
      ? { ...agent.llm, has_api_key: agent.has_llm_api_key }
      : { model: agent.llm.model, has_api_key: agent.has_llm_api_key }
    : null
  return {
    id: agent.id,
    owner: agent.owner_username,
    name: agent.name,
    description: agent.description,
    objective: agent.objective,
    action_source: agent.action_source,
    actions: agent.actions,
    llm,
    default_action: agent.default_action,
    decision_rule: agent.decision_rule,
    liquidity_per_decision: formatAmount(agent.liquidity_per_decision),
    delivery:
      agent.delivery === 'webhook'
        ? viewer.isOperator
          ? {
              type: 'webhook' as const,
              url: agent.webhook_url as string,
              has_secret: agent.has_webhook_secret,
            }
          : { type: 'webhook' as const }
        : { type: 'polling' as const },
    created_at: agent.created_at.toISOString(),
    updated_at: agent.updated_at.toISOString(),
  }
}
