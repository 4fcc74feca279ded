import { Type } from '@sinclair/typebox'
import { Agent } from '../../../contracts/agents.js'
import { errors } from '../../../errors/codes.js'
import { agentJson, listAgents, viewerOf } from '../../../services/agents/agents.js'
import { encodeCursor } from '../../../services/markets/queries.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { after } from './cursor.js'

/** GET /v1/agents: active agents, newest first; `owner=me` for the caller's own. */
export const listAgentsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'List agents',
        querystring: Type.Object(
          {
            owner: Type.Optional(Type.Literal('me')),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Agent),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => {
      const principal = authorizeRequest(request, 'agent.read')
      const { owner, limit, cursor } = request.query
      if (owner === 'me' && !principal) throw errors.unauthorized('owner=me needs a signed-in caller')
      const rows = await listAgents(ctx.db, {
        ...(owner === 'me' && principal ? { ownerId: principal.userId } : {}),
        ...(cursor ? { cursor: after('agents', cursor) } : {}),
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map((agent) => agentJson(agent, viewerOf(principal, agent))),
        next_cursor: rows.length > limit && last ? encodeCursor('agents', last.created_at, last.id) : null,
      }
    },
  )
}
