import { Type } from '@sinclair/typebox'
import { evidenceLink, getEvidence } from '../../../services/evidence/index.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Uuid } from '../markets/schemas.js'
import { EvidenceFile, evidenceFileJson } from './schemas.js'

/** GET /v1/evidence/{id}: the file's record and a fresh signed link (links expire; ids do not). */
export const getEvidenceRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/evidence/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'An evidence file and a fresh download link',
        description:
          'Public once attached to a resolution or dispute; before that, its uploader and admins only.',
        params: Type.Object({ id: Uuid }),
        response: { 200: EvidenceFile, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const row = await getEvidence(ctx, request.principal, request.params.id)
      return evidenceFileJson(row, await evidenceLink(ctx, ctx.evidence, row))
    },
  )
}
