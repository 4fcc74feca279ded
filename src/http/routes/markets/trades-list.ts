import { Type } from '@sinclair/typebox'
import { listMarketTrades } from '../../../services/markets/queries.js'
import { CACHES, knownMarketId, marketVersion, PROFILES_VERSION } from '../../../services/markets/versions.js'
import { sendCached } from '../../plugins/http-cache.js'
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
    async (request, reply) => {
      const ref = request.params.market
      const id = knownMarketId(ctx, ref)
      const { limit, cursor } = request.query
      return sendCached(ctx, request, reply, {
        cache: CACHES.tape,
        key: `${id ?? ref}:${limit}:${cursor ?? ''}`,
        // Usernames are on the tape.
        versions: id === undefined ? undefined : [marketVersion(id), PROFILES_VERSION],
        load: (db) => listMarketTrades(db, ref, request.query),
      })
    },
  )
}
