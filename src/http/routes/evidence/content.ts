import type { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import { contentDisposition } from '../../../domain/content-disposition.js'
import { errors } from '../../../errors/codes.js'
import { verifiedEvidence } from '../../../services/evidence/index.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Uuid } from '../markets/schemas.js'

/**
 * GET /v1/evidence/{id}/content?expires=…&signature=…: the bytes of a file in the local store,
 * behind the link GET /v1/evidence/{id} signed. Sent as an attachment with its stored type and
 * nosniff, so a browser never renders an uploaded file as a page of this origin.
 */
export const evidenceContentRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/evidence/:id/content',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Download an evidence file (signed link)',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object(
          { expires: Type.String({ maxLength: 20 }), signature: Type.String({ maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<Readable>({
            description: 'The file, as an attachment',
            type: 'string',
            format: 'binary',
          }),
          ...problemResponses(400, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const open = ctx.evidence.open
      if (!open)
        throw errors.notFound(
          'Evidence content',
          'This deployment serves evidence from its store’s own links',
        )
      const row = await verifiedEvidence(ctx, ctx.evidence, request.params.id, request.query)
      const stream = await open(row.storage_key)
      if (!stream)
        throw errors.notFound('Evidence content', `The bytes of evidence file ${row.id} are missing`)
      return reply
        .header('content-type', row.content_type)
        .header('content-length', row.size.toString())
        .header('content-disposition', contentDisposition(row.filename))
        .header('x-content-type-options', 'nosniff')
        .header('x-evidence-sha256', row.sha256)
        .send(stream)
    },
  )
}
