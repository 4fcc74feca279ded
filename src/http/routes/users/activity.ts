import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import { findProfileByUsername } from '../../../services/identity/profiles.js'
import { listUserTrades } from '../../../services/markets/queries.js'
import { listPositions } from '../../../services/money/portfolio.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { publicReadDb } from '../../read-target.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Page, PageQuery, Position, PublicTrade, Uuid } from '../markets/schemas.js'

const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) })

/**
 * GET /v1/users/{username}/trades and /positions: another trader's activity, as bot authors
 * expect to follow it. Public: every trade is on its market's public tape already (with the
 * trader's username), and positions follow from the trades; cash and the ledger stay private
 * (/v1/me/*).
 */
export const userActivityRoutes: RouteModule = (app, ctx) => {
  async function userIdOf(username: string, db: Parameters<typeof findProfileByUsername>[0]) {
    const profile = await findProfileByUsername(db, username)
    if (!profile) throw errors.notFound('User', `No user named '${username}'`)
    return profile.user_id
  }

  app.get(
    '/v1/users/:username/trades',
    {
      schema: {
        tags: ['community'],
        summary: "A user's trades, newest first",
        params: Username,
        querystring: Type.Object(
          { ...PageQuery, market_id: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: { 200: Page(PublicTrade), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'profile.read')
      const db = publicReadDb(ctx, request)
      const { limit, cursor, market_id } = request.query
      return listUserTrades(db, await userIdOf(request.params.username, db), {
        limit,
        cursor,
        marketId: market_id,
      })
    },
  )

  app.get(
    '/v1/users/:username/positions',
    {
      schema: {
        tags: ['community'],
        summary: "A user's positions, valued at current prices",
        params: Username,
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Union([Type.Literal('open'), Type.Literal('settled'), Type.Literal('all')], {
              default: 'open',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Position), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'profile.read')
      const db = publicReadDb(ctx, request)
      return listPositions(db, await userIdOf(request.params.username, db), request.query)
    },
  )
}
