import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import { decodeCursor, listAudit } from '../../../services/identity/audit.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { AuditEntry } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** GET /v1/admin/audit: the audit log, newest first, for admins. */
export const listAuditRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/admin/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log (admins)',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 100 })),
            action: Type.Optional(Type.String({ maxLength: 100, examples: ['auth.sign_in_failed'] })),
            actor_id: Type.Optional(Type.String({ format: 'uuid' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref(AuditEntry)),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      authorizeUser(request, 'audit.read')
      const { limit, cursor, action, actor_id } = request.query
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && after === undefined) {
        throw errors.validation('The cursor is not valid', [
          { field: '/query/cursor', message: 'is not a cursor we issued' },
        ])
      }
      const page = await listAudit(ctx.db, { limit, cursor: after, action, actorId: actor_id })
      return {
        items: page.items.map((row) => ({
          ...row,
          id: String(row.id),
          occurred_at: row.occurred_at.toISOString(),
        })),
        next_cursor: page.nextCursor,
      }
    },
  )
}
