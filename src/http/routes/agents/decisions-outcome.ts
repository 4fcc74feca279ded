import { Type } from '@sinclair/typebox'
import { reportOutcome } from '../../../services/decisions/agent-decisions.js'
import { marketWithDecision } from '../../../services/decisions/view.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from '../markets/amounts.js'
import { Market, ResolveBody, Uuid } from '../markets/schemas.js'

/**
 * POST /v1/agents/{id}/decisions/{marketId}/outcome: the operator reports the measured outcome
 * of the action taken. It resolves the chosen branch (closing it if it still trades); the dispute
 * window opens, then holders are paid.
 */
export const reportOutcomeRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/agents/:id/decisions/:marketId/outcome',
    {
      schema: {
        tags: ['agents'],
        summary: 'Report the outcome of a decision',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Uuid, marketId: Uuid }),
        body: ResolveBody,
        response: { 200: Market, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preValidation: amountsAreStrings(['value']),
    },
    async (request) => {
      const { id, marketId } = request.params
      await reportOutcome(ctx, request.principal, id, marketId, request.body)
      return marketWithDecision(ctx, marketId)
    },
  )
}
