import { portfolio } from '../../../services/money/portfolio.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Portfolio } from '../markets/schemas.js'

/** GET /v1/me/portfolio: cash, positions at current prices, invested, realised and unrealised profit. */
export const myPortfolioRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me/portfolio',
    {
      schema: {
        tags: ['me'],
        summary: 'My portfolio',
        security: [{ bearer: [] }],
        response: { 200: Portfolio, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'portfolio.read')
      return portfolio(ctx.db, principal.userId)
    },
  )
}
