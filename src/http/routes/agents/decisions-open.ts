import { Type } from '@sinclair/typebox'
import { Action, AgentIdParams } from '../../../contracts/agents.js'
import { openAgentDecision } from '../../../services/decisions/agent-decisions.js'
import { marketWithDecision } from '../../../services/decisions/view.js'
import { requestTrace } from '../../plugins/tracing.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market } from '../markets/schemas.js'

const Prior = Type.Object({
  branch: Type.Integer(),
  action: Type.String(),
  confidence: Type.Number(),
  rationale: Type.String(),
  model: Type.String(),
})

/**
 * POST /v1/agents/{id}/decisions: the operator opens a decision: a decision market with a branch
 * per candidate action, funded from the operator's cash. With an LLM it answers at once with the
 * market `preparing`: a job asks the LLM for the agent's own choice (the prior, shown to traders
 * only once the market has decided; and for an LLM action source, the actions), then trading
 * opens. GET /v1/agents/{id}/decisions shows the prior or prior_error once it has answered.
 */
export const openDecisionRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/agents/:id/decisions',
    {
      schema: {
        tags: ['agents'],
        summary: "Open a decision market for the agent's next decision",
        security: [{ bearer: [] }],
        params: AgentIdParams,
        body: Type.Object(
          {
            question: Type.String({ minLength: 3, maxLength: 300 }),
            description: Type.Optional(Type.String({ maxLength: 20_000 })),
            context: Type.Optional(
              Type.String({ maxLength: 20_000, description: 'What the agent knows; sent to its LLM' }),
            ),
            decide_at: Type.String({ format: 'date-time' }),
            close_at: Type.String({ format: 'date-time' }),
            actions: Type.Optional(Type.Array(Action, { minItems: 1, maxItems: 16 })),
            slug: Type.Optional(Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            market: Market,
            prior: Type.Union([Prior, Type.Null()], {
              description: 'null while the market is preparing: the prior comes with the opening',
            }),
            prior_error: Type.Union([Type.String(), Type.Null()], {
              description:
                'Why the agent recorded no prior (its LLM failed); the decision opened all the same',
            }),
          }),
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const opened = await openAgentDecision(
        ctx,
        request.principal,
        request.params.id,
        {
          question: body.question,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.context !== undefined ? { context: body.context } : {}),
          decideAt: new Date(body.decide_at),
          closeAt: new Date(body.close_at),
          ...(body.actions
            ? { actions: body.actions.map((a) => ({ label: a.label, description: a.description ?? '' })) }
            : {}),
          ...(body.slug ? { slug: body.slug } : {}),
        },
        requestTrace(request),
      )
      const market = await marketWithDecision(ctx, opened.marketId)
      reply.code(201).header('location', `/v1/markets/${opened.marketId}`)
      return { market, prior: opened.prior, prior_error: opened.priorError }
    },
  )
}
