import { Type } from '@sinclair/typebox'
import { listMarkets, MARKET_SORTS } from '../../../services/markets/queries.js'
import { CACHES, LIST_VERSION } from '../../../services/markets/versions.js'
import { sendCached } from '../../plugins/http-cache.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, Page, PageQuery, Uuid } from './schemas.js'

/**
 * GET /v1/markets: newest first, or by volume, closing time or traders; filtered by status,
 * kind, creator, agent and full-text search.
 */
export const listMarketsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/markets',
    {
      schema: {
        tags: ['markets'],
        summary: 'List markets',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(
              Type.Union(
                [
                  'preparing',
                  'proposing',
                  'open',
                  'closed',
                  'decided',
                  'resolved',
                  'finalized',
                  'voided',
                ].map((s) => Type.Literal(s)),
              ),
            ),
            kind: Type.Optional(Type.Union(['binary', 'categorical', 'scalar'].map((k) => Type.Literal(k)))),
            creator: Type.Optional(Uuid),
            agent: Type.Optional(Type.String({ format: 'uuid', description: "An agent's decision markets" })),
            sort: Type.Optional(
              Type.Union(
                MARKET_SORTS.map((s) => Type.Literal(s)),
                {
                  default: 'newest',
                  description:
                    'newest: by creation, newest first; volume: by volume traded, largest first; ' +
                    'closing_soon: open markets by closing time, soonest first; traders: by number of traders, most first. ' +
                    'A cursor belongs to the order it came from.',
                },
              ),
            ),
            q: Type.Optional(
              Type.String({
                maxLength: 200,
                description: 'Full-text search of question and description (words, "a phrase", -excluded)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Market), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      const { limit, cursor, status, kind, creator, agent, q, sort } = request.query
      return sendCached(ctx, request, reply, {
        cache: CACHES.list,
        key: JSON.stringify([limit, cursor, status, kind, creator, agent, q, sort]),
        versions: [LIST_VERSION],
        load: (db) =>
          listMarkets(db, {
            limit,
            cursor,
            status: status as never,
            kind: kind as never,
            creatorId: creator,
            agentId: agent,
            q,
            sort,
          }),
      })
    },
  )
}
