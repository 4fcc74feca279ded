import { marketWithDecision } from '../../../services/decisions/view.js'
import { CACHES, knownMarketId, learnMarketId, marketVersion } from '../../../services/markets/versions.js'
import { sendCached } from '../../plugins/http-cache.js'
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
    async (request, reply) => {
      const ref = request.params.market
      const id = knownMarketId(ctx, ref)
      return sendCached(ctx, request, reply, {
        cache: CACHES.market,
        key: id ?? ref,
        versions: id === undefined ? undefined : [marketVersion(id)],
        async load(db) {
          const market = await marketWithDecision({ db, clock: ctx.clock }, ref)
          learnMarketId(ctx, ref, market.id)
          return market
        },
        // A live decision score moves with the clock between trades: sent, never kept.
        keepable: (market) => market.decision === null || market.decision.result !== null,
      })
    },
  )
}
