import { Type } from '@sinclair/typebox'
import { listMarketTrades } from '../../../services/markets/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { MarketRef, Page, PageQuery, PublicTrade } from './schemas.js'

/** GET /v1/markets/{market}/trades: the tape, newest first, with each trader's public username. */
export const listMarketTradesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/markets/:market/trades',
    {
      schema: {
        tags: ['markets'],
        summary: 'Trades of a market',
        params: MarketRef,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(PublicTrade), ...problemResponses(400, 404) },
      },
    },
    async (request) => listMarketTrades(ctx.db, request.params.market, request.query),
  )
}
