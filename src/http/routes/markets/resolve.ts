import { resolveMarket } from '../../../services/markets/lifecycle.js'
import { getMarket } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from './amounts.js'
import { Market, MarketRef, ResolveBody } from './schemas.js'

/**
 * POST /v1/markets/{market}/resolve: the resolver (or an admin) reports the outcome, or the
 * value of a scalar market, with evidence. The dispute window opens; payouts follow it.
 */
export const resolveMarketRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/resolve',
    {
      schema: {
        tags: ['markets'],
        summary: 'Resolve a market',
        security: [{ bearer: [] }],
        params: MarketRef,
        body: ResolveBody,
        response: { 200: Market, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preValidation: amountsAreStrings(['value']),
    },
    async (request) => {
      const market = await resolveMarket(ctx, request.principal, request.params.market, request.body)
      return getMarket(ctx.db, market.id)
    },
  )
}
