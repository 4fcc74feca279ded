import { Type } from '@sinclair/typebox'
import { voidMarket } from '../../../services/markets/lifecycle.js'
import { getMarket } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef } from './schemas.js'

/** POST /v1/markets/{market}/void (admins): trading stops and every trade is refunded at cost. */
export const voidMarketRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/void',
    {
      schema: {
        tags: ['markets'],
        summary: 'Void a market (admins)',
        security: [{ bearer: [] }],
        params: MarketRef,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Market, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const market = await voidMarket(ctx, request.principal, request.params.market, request.body.reason)
      return getMarket(ctx.db, market.id)
    },
  )
}
