import { Type } from '@sinclair/typebox'
import { authorize } from '../../../domain/identity/authorize.js'
import { findAgent } from '../../../services/agents/agents.js'
import { decisionJson, findAgentDecisionRow } from '../../../services/decisions/agent-decisions.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Uuid } from '../markets/schemas.js'
import { Decision } from './decisions-list.js'

/**
 * GET /v1/agents/{id}/decisions/{marketId}/record: one decision as the decisions list shows it,
 * with its part of the track record (`record`: the prior's and the market's forecasts of the
 * action taken, its outcome and both Brier scores; see GET /v1/agents/{id}/track-record). Public
 * as the list is: the prior once decided, failures to the operator.
 */
export const decisionRecordRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/agents/:id/decisions/:marketId/record',
    {
      schema: {
        tags: ['agents'],
        summary: "One of an agent's decisions, with how it scores",
        params: Type.Object({ id: Uuid, marketId: Uuid }),
        response: { 200: Decision, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const principal = authorizeRequest(request, 'agent.read')
      const agent = await findAgent(ctx.db, request.params.id)
      const isOperator = authorize(principal, 'agent.read_private', { ownerId: agent.owner_id }).allowed
      const row = await findAgentDecisionRow(ctx.db, agent.id, request.params.marketId)
      return decisionJson(row, { isOperator })
    },
  )
}
