import { decideMarket } from '../../../services/decisions/decide.js'
import { marketWithDecision } from '../../../services/decisions/view.js'
import { findMarket } from '../../../services/markets/repository.js'
import { requirePrincipal } from '../../plugins/authenticate.js'
import { requestTrace } from '../../plugins/tracing.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef } from './schemas.js'

/**
 * POST /v1/markets/{market}/decide: the market's owner (an agent's operator) or an admin decides
 * before decide_at, where the market's rule allows early decisions. Deciding a decided market
 * returns the decision on record.
 */
export const decideMarketRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/decide',
    {
      schema: {
        tags: ['markets'],
        summary: 'Decide a decision market now',
        security: [{ bearer: [] }],
        params: MarketRef,
        response: { 200: Market, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      // Who may decide early depends on the market (its owner): the service asks the
      // authorisation table once it has loaded it.
      const principal = requirePrincipal(request, 'read')
      const market = await findMarket(ctx.db, request.params.market)
      await decideMarket(ctx, market.id, { kind: 'early', principal }, requestTrace(request))
      return marketWithDecision(ctx, market.id)
    },
  )
}
