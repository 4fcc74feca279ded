import { closeMarketEarly } from '../../../services/markets/lifecycle.js'
import { getMarket } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef } from './schemas.js'

/** POST /v1/markets/{market}/close: the creator (or an admin) stops trading before close_at. */
export const closeMarketRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/close',
    {
      schema: {
        tags: ['markets'],
        summary: 'Close a market early',
        security: [{ bearer: [] }],
        params: MarketRef,
        response: { 200: Market, ...problemResponses(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const market = await closeMarketEarly(ctx, request.principal, request.params.market)
      return getMarket(ctx.db, market.id)
    },
  )
}
