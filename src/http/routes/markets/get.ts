import { getMarket } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef } from './schemas.js'

/** GET /v1/markets/{market}: one market by id or slug, with its branches' prices and activity. */
export const getMarketRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/markets/:market',
    {
      schema: {
        tags: ['markets'],
        summary: 'A market by id or slug',
        params: MarketRef,
        response: { 200: Market, ...problemResponses(404) },
      },
    },
    async (request) => getMarket(ctx.db, request.params.market),
  )
}
