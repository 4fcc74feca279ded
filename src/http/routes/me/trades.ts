import { Type } from '@sinclair/typebox'
import { listUserTrades } from '../../../services/markets/queries.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Page, PageQuery, PublicTrade, Uuid } from '../markets/schemas.js'

/** GET /v1/me/trades: the caller's trades, newest first. */
export const myTradesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me/trades',
    {
      schema: {
        tags: ['me'],
        summary: 'My trades',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          { ...PageQuery, market_id: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: { 200: Page(PublicTrade), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'portfolio.read')
      const { limit, cursor, market_id } = request.query
      return listUserTrades(ctx.db, principal.userId, { limit, cursor, marketId: market_id })
    },
  )
}
