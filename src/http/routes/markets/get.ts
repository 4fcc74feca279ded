import { marketWithDecision } from '../../../services/decisions/view.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef } from './schemas.js'

/**
 * GET /v1/markets/{market}: one market by id or slug, with its branches' prices and activity, and
 * for decision markets each branch's decision score and, once decided, the result.
 */
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
    async (request) => {
      return marketWithDecision(ctx, request.params.market)
    },
  )
}
