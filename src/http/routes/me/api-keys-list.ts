import { type Static, Type } from '@sinclair/typebox'
import { type ApiKeyRow, listApiKeys } from '../../../services/identity/api-keys.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { ApiKey } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** GET /v1/me/api-keys: the caller's active keys (never the keys themselves). */
export const listApiKeysRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me/api-keys',
    {
      schema: {
        tags: ['me'],
        summary: 'Your active API keys',
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(ApiKey)) }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'api_key.list')
      const rows = await listApiKeys(ctx.db, principal.userId)
      return { items: rows.map(apiKeyBody) }
    },
  )
}

export function apiKeyBody(row: ApiKeyRow): Static<typeof ApiKey> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
  }
}
