import { Type } from '@sinclair/typebox'
import { listPositions } from '../../../services/money/portfolio.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Page, PageQuery, Position } from '../markets/schemas.js'

/** GET /v1/me/positions: what the caller holds, valued at current prices. */
export const myPositionsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me/positions',
    {
      schema: {
        tags: ['me'],
        summary: 'My positions',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Union([Type.Literal('open'), Type.Literal('settled'), Type.Literal('all')], {
              default: 'open',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Position), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'portfolio.read')
      return listPositions(ctx.db, principal.userId, request.query)
    },
  )
}
