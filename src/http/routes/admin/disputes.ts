import { Type } from '@sinclair/typebox'
import { settleDispute } from '../../../services/markets/lifecycle.js'
import { disputeJson } from '../../../services/markets/present.js'
import { getMarket } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from '../markets/amounts.js'
import { Dispute, Market, SettleDisputeBody, Uuid } from '../markets/schemas.js'

/**
 * POST /v1/admin/disputes/{id}/settle (admins): uphold (correct the outcome, or void the market)
 * or reject a dispute. Final: payouts follow at once.
 */
export const settleDisputeRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/admin/disputes/:id/settle',
    {
      schema: {
        tags: ['admin'],
        summary: 'Settle a dispute (admins)',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        body: SettleDisputeBody,
        response: {
          200: Type.Object({ dispute: Dispute, market: Market }),
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
      preValidation: amountsAreStrings(['value']),
    },
    async (request) => {
      const settled = await settleDispute(ctx, request.principal, request.params.id, request.body)
      return { dispute: disputeJson(settled.dispute), market: await getMarket(ctx.db, settled.market.id) }
    },
  )
}
