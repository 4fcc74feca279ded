import { Type } from '@sinclair/typebox'
import { createApiKey } from '../../../services/identity/api-keys.js'
import { actorOf } from '../../../services/identity/audit.js'
import { requestMeta } from '../../plugins/authenticate.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { ApiKey, Scope } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { apiKeyBody } from './api-keys-list.js'

/** POST /v1/me/api-keys: a new key, returned this once (only its hash is kept). */
export const createApiKeyRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/me/api-keys',
    {
      schema: {
        tags: ['me'],
        summary: 'Create an API key (shown once)',
        description:
          'Send it as `Authorization: Bearer <key>`. Needs a signed-in session: keys cannot mint keys.',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Composite([
            ApiKey,
            Type.Object({ key: Type.String({ description: 'The key; not shown again' }) }),
          ]),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const principal = authorizeUser(request, 'api_key.create')
      const { key, row } = await ctx.db.withTransaction((tx) =>
        createApiKey(
          tx,
          {
            userId: principal.userId,
            name: request.body.name,
            scopes: request.body.scopes,
            actor: actorOf(principal),
            meta: requestMeta(request),
          },
          ctx.clock.now(),
        ),
      )
      return reply.code(201).send({ ...apiKeyBody(row), key })
    },
  )
}
