import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import { findActiveApiKeyOwner, revokeApiKey } from '../../../services/identity/api-keys.js'
import { actorOf } from '../../../services/identity/audit.js'
import { requestMeta } from '../../plugins/authenticate.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** DELETE /v1/me/api-keys/{id}: revoked at once; the next request with the key gets a 401. */
export const revokeApiKeyRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/v1/me/api-keys/:id',
    {
      schema: {
        tags: ['me'],
        summary: 'Revoke an API key',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null({ description: 'Revoked' }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ownerId = await findActiveApiKeyOwner(ctx.db, request.params.id)
      // Someone else's key answers as a missing one: a 403 "only the owner" would confirm that
      // the id exists, and ids could be tried one by one.
      if (request.principal && ownerId !== request.principal.userId) {
        throw errors.notFound('API key', `You have no active API key with id ${request.params.id}`)
      }
      const principal = authorizeUser(request, 'api_key.revoke', { ownerId })
      await ctx.db.withTransaction((tx) =>
        revokeApiKey(
          tx,
          {
            id: request.params.id,
            userId: principal.userId,
            actor: actorOf(principal),
            meta: requestMeta(request),
          },
          ctx.clock.now(),
        ),
      )
      return reply.code(204).send(null)
    },
  )
}
