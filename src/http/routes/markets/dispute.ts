import { Type } from '@sinclair/typebox'
import { disputeResolution } from '../../../services/markets/lifecycle.js'
import { disputeJson } from '../../../services/markets/present.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Dispute, EvidenceFileIds, MarketRef } from './schemas.js'

/** POST /v1/markets/{market}/disputes: a holder disputes the resolution, posting the bond. */
export const disputeRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/disputes',
    {
      schema: {
        tags: ['markets'],
        summary: 'Dispute a resolution',
        description:
          'Within the dispute window, by a holder of shares; DISPUTE_BOND_CREDITS are held until an admin settles.',
        security: [{ bearer: [] }],
        params: MarketRef,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            evidence_url: Type.Optional(Type.String({ maxLength: 2000, format: 'uri' })),
            evidence_files: Type.Optional(EvidenceFileIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Dispute, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const dispute = await disputeResolution(ctx, request.principal, request.params.market, {
        reason: request.body.reason,
        evidenceUrl: request.body.evidence_url,
        evidenceFiles: request.body.evidence_files,
      })
      return reply.code(201).send(disputeJson(dispute))
    },
  )
}
