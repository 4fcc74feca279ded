/** Request and response shapes of /v1/agents. */
import { Type } from '@sinclair/typebox'
import { DecisionReason } from '../domain/decision-rule/index.js'
import { Credits, SignedDecimal } from './amount.js'

/** Why a decision market took its branch: the decision rule's own reasons. */
export const DecisionReasonSchema = Type.String({ enum: Object.values(DecisionReason) })

export const Objective = Type.Object(
  {
    kind: Type.Union([Type.Literal('binary'), Type.Literal('categorical'), Type.Literal('scalar')], {
      description: 'binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value',
    }),
    outcomes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 2, maxItems: 32 }),
    ),
    utilities: Type.Optional(Type.Array(Type.Number(), { minItems: 2, maxItems: 32 })),
    scalar: Type.Optional(
      Type.Object(
        {
          lo: SignedDecimal,
          hi: SignedDecimal,
          unit: Type.Optional(Type.String({ maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
    ),
    measurement: Type.String({ minLength: 1, maxLength: 2000, description: 'How the outcome is measured' }),
  },
  { additionalProperties: false },
)

export const Action = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 2000, default: '' }),
  },
  { additionalProperties: false },
)

/** POST /v1/markets/{market}/proposals: an action proposed for a decision market in its proposing phase. */
export const ProposeActionBody = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)

export const DecisionRule = Type.Object(
  {
    threshold_bps: Type.Integer({ minimum: 0, maximum: 10_000 }),
    min_traders: Type.Integer({ minimum: 0 }),
    min_volume: Credits,
    twap_interval_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    twap_window_seconds: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    twap_max_step_bps: Type.Integer({ minimum: 1, maximum: 10_000 }),
    allow_early_decision: Type.Boolean(),
  },
  { additionalProperties: false },
)

const LlmInput = Type.Object(
  {
    base_url: Type.String({ format: 'uri', description: 'OpenAI-compatible base URL, up to /v1' }),
    model: Type.String({ minLength: 1, maxLength: 200 }),
    api_key: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'Stored encrypted; never returned' }),
    ),
    instructions: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
)

const Delivery = Type.Union([
  Type.Object(
    {
      type: Type.Literal('webhook'),
      url: Type.String({ format: 'uri', maxLength: 2000 }),
      secret: Type.Optional(
        Type.String({
          minLength: 16,
          maxLength: 200,
          description: 'HMAC key; generated and shown once when omitted',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('polling') }, { additionalProperties: false }),
])

const agentFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  objective: Objective,
  action_source: Type.Union([Type.Literal('fixed'), Type.Literal('llm'), Type.Literal('proposals')]),
  actions: Type.Optional(Type.Array(Action, { maxItems: 16 })),
  llm: Type.Optional(LlmInput),
  default_action: Type.String({ minLength: 1, maxLength: 200 }),
  decision_rule: Type.Optional(Type.Partial(DecisionRule)),
  liquidity_per_decision: Credits,
  delivery: Delivery,
}

export const CreateAgentBody = Type.Object(agentFields, { additionalProperties: false })

export const UpdateAgentBody = Type.Object(
  {
    ...Type.Partial(Type.Object(agentFields)).properties,
    rotate_webhook_secret: Type.Optional(Type.Boolean()),
    clear_llm_api_key: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const Agent = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    owner: Type.Union([Type.String(), Type.Null()], { description: "The operator's username" }),
    name: Type.String(),
    description: Type.String(),
    objective: Objective,
    action_source: Type.String(),
    actions: Type.Array(Action),
    llm: Type.Union([
      Type.Object({
        base_url: Type.Optional(Type.String({ description: 'Shown to the operator only' })),
        model: Type.String(),
        instructions: Type.Optional(Type.String({ description: 'Shown to the operator only' })),
        has_api_key: Type.Boolean(),
      }),
      Type.Null(),
    ]),
    default_action: Type.String(),
    decision_rule: DecisionRule,
    liquidity_per_decision: Type.String(),
    delivery: Type.Union([
      Type.Object({
        type: Type.Literal('webhook'),
        url: Type.Optional(
          Type.String({ description: 'Shown to the operator only (it often carries a token)' }),
        ),
        has_secret: Type.Optional(Type.Boolean({ description: 'Shown to the operator only' })),
      }),
      Type.Object({ type: Type.Literal('polling') }),
    ]),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { description: 'An AI agent; its secrets are never part of it' },
)

export const AgentWithSecret = Type.Composite([
  Agent,
  Type.Object({
    webhook_secret: Type.Optional(
      Type.String({ description: 'The generated webhook secret: shown this once' }),
    ),
  }),
])

export const AgentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

const BranchRef = Type.Object({ branch: Type.Integer(), label: Type.Union([Type.String(), Type.Null()]) })

export const BranchScore = Type.Object({
  branch: Type.Integer(),
  label: Type.String(),
  score: Type.Number({ description: 'Lagging TWAP of the expected objective: what the rule compares' }),
  spot: Type.Number({ description: 'The expected objective at current prices' }),
  observations: Type.Integer(),
  last_observation: Type.Number(),
  traders: Type.Integer(),
  volume: Type.String(),
})

/** The agent's own choice before the market (its LLM's answer), as decisions show it. */
export const PRIOR_FIELDS = {
  branch: Type.Integer(),
  action: Type.Union([Type.String(), Type.Null()]),
  confidence: Type.Union([Type.Number(), Type.Null()]),
  rationale: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
}

export const DecisionView = Type.Object(
  {
    agent_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    decide_at: Type.String({ format: 'date-time' }),
    default_branch: Type.Integer(),
    rule: DecisionRule,
    utilities: Type.Union([Type.Array(Type.Number()), Type.Null()]),
    scoring: Type.Object(
      {
        opened_at: Type.String({
          format: 'date-time',
          description: "Start of the observations' grid: when trading opened (after any proposing phase)",
        }),
        window_start: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        window_end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      },
      {
        description:
          "The TWAP window the scores average (the decision's, or as of now); each observation is at " +
          'GET /v1/markets/{id}/decision/observations',
      },
    ),
    scores: Type.Array(BranchScore),
    distinct_traders: Type.Integer(),
    total_volume: Type.String(),
    result: Type.Union([
      Type.Object({
        chosen: BranchRef,
        best: BranchRef,
        reason: DecisionReasonSchema,
        explanation: Type.String(),
        decided_at: Type.String({ format: 'date-time' }),
        decided_by: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
      }),
      Type.Null(),
    ]),
    prior: Type.Union([Type.Object(PRIOR_FIELDS), Type.Null()]),
  },
  {
    $id: 'DecisionView',
    description: 'Decision markets: the rule, live scores and, once decided, the result',
  },
)
