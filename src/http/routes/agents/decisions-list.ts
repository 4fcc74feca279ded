import { Type } from '@sinclair/typebox'
import { AgentIdParams, PRIOR_FIELDS } from '../../../contracts/agents.js'
import { authorize } from '../../../domain/identity/authorize.js'
import { findAgent } from '../../../services/agents/agents.js'
import { decisionJson, listAgentDecisionRows } from '../../../services/decisions/agent-decisions.js'
import { encodeCursor } from '../../../services/markets/queries.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import { DecisionScore } from '../../schemas/track-record.js'
import type { RouteModule } from '../../types.js'
import { after } from './cursor.js'

const BranchRef = Type.Object({ branch: Type.Integer(), label: Type.Union([Type.String(), Type.Null()]) })
const Nullable = <T extends ReturnType<typeof Type.Object>>(schema: T) => Type.Union([schema, Type.Null()])

export const Decision = Type.Object({
  market: Type.Object({
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    question: Type.String(),
    status: Type.String(),
    decide_at: Type.String({ format: 'date-time' }),
    close_at: Type.String({ format: 'date-time' }),
  }),
  actions: Type.Array(BranchRef),
  default_action: BranchRef,
  prior: Nullable(
    Type.Object({
      ...PRIOR_FIELDS,
      forecasts: Type.Union([Type.Array(Type.Union([Type.Number(), Type.Null()])), Type.Null()], {
        description:
          "The agent's forecast for each action by branch (the probability that the objective is met if it is taken); null where it gave none",
      }),
    }),
  ),
  prior_error: Type.Union([Type.String(), Type.Null()]),
  decision: Nullable(
    Type.Object({
      chosen: BranchRef,
      best: BranchRef,
      reason: Type.Union([Type.String(), Type.Null()]),
      explanation: Type.Union([Type.String(), Type.Null()]),
      scores: Type.Unknown(),
      decided_at: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  overrode_prior: Type.Union([Type.Boolean(), Type.Null()], {
    description: "Whether the market chose otherwise than the agent's own prior",
  }),
  record: Type.Union([DecisionScore, Type.Null()], {
    description: 'How the decision scores in the track record, once decided',
  }),
  outcome: Nullable(
    Type.Object({
      outcome: Type.Union([Type.Integer(), Type.Null()]),
      value: Type.Union([Type.String(), Type.Null()]),
      resolved_at: Type.String(),
    }),
  ),
  delivery: Nullable(
    Type.Object({
      status: Type.String(),
      attempts: Type.Union([Type.Integer(), Type.Null()]),
      last_status: Type.Union([Type.Integer(), Type.Null()]),
      last_error: Type.Union([Type.String(), Type.Null()]),
      delivered_at: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
})

/**
 * GET /v1/agents/{id}/decisions: every decision with the agent's prior, the market's choice,
 * whether the market overrode the prior, the scores and the outcome. The prior is public once
 * the market has decided; failures of the LLM and of the webhook are the operator's to see.
 */
export const listDecisionsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/agents/:id/decisions',
    {
      schema: {
        tags: ['agents'],
        summary: "An agent's decisions",
        params: AgentIdParams,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Decision),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => {
      const principal = authorizeRequest(request, 'agent.read')
      const agent = await findAgent(ctx.db, request.params.id)
      const isOperator = authorize(principal, 'agent.read_private', { ownerId: agent.owner_id }).allowed
      const { limit, cursor } = request.query
      const rows = await listAgentDecisionRows(ctx.db, agent.id, {
        ...(cursor ? { cursor: after('decisions', cursor) } : {}),
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map((row) => decisionJson(row, { isOperator })),
        next_cursor:
          rows.length > limit && last ? encodeCursor('decisions', last.created_at, last.market_id) : null,
      }
    },
  )
}
