import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import { sampledHistory, tradeHistory } from '../../../services/markets/queries.js'
import { CACHES, knownMarketId, learnMarketId, marketVersion } from '../../../services/markets/versions.js'
import { sendCached } from '../../plugins/http-cache.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { MarketRef, OutcomeJson, PricePoint, Uuid } from './schemas.js'

/**
 * GET /v1/markets/{market}/history: one price point per trade (paged by trade number), or with
 * `points`, a downsampled series of at most that many buckets for charts.
 */
export const marketHistoryRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/markets/:market/history',
    {
      schema: {
        tags: ['markets'],
        summary: 'Price history of a branch',
        params: MarketRef,
        querystring: Type.Object(
          {
            branch: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, default: 0 })),
            points: Type.Optional(
              Type.Integer({
                minimum: 2,
                maximum: 1000,
                description: 'Downsample to at most this many buckets',
              }),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
            cursor: Type.Optional(
              Type.String({ pattern: '^\\d{1,18}$', description: 'The last seq received' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            market_id: Uuid,
            branch_id: Uuid,
            outcomes: Type.Array(OutcomeJson),
            interval_seconds: Type.Optional(Type.Number()),
            points: Type.Array(PricePoint),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { branch, points, limit, cursor } = request.query
      const ref = request.params.market
      if (points !== undefined) {
        if (cursor !== undefined) throw errors.validation('A downsampled series is not paged; drop cursor')
        // Buckets of an open market widen with the clock: not kept (Cache-Control still applies).
        return sendCached(ctx, request, reply, {
          cache: CACHES.history,
          key: ref,
          versions: undefined,
          load: (db) => sampledHistory({ db, clock: ctx.clock }, ref, { branch, points }),
        })
      }
      const id = knownMarketId(ctx, ref)
      return sendCached(ctx, request, reply, {
        cache: CACHES.history,
        key: `${id ?? ref}:${branch}:${limit}:${cursor ?? ''}`,
        versions: id === undefined ? undefined : [marketVersion(id)],
        async load(db) {
          const history = await tradeHistory(db, ref, {
            branch,
            limit,
            after: cursor === undefined ? undefined : Number(cursor),
          })
          learnMarketId(ctx, ref, history.market_id)
          return history
        },
      })
    },
  )
}
