import { Type } from '@sinclair/typebox'
import { evidenceLink, uploadEvidence } from '../../../services/evidence/index.js'
import { problemResponses } from '../../schemas/problem.js'
import type { App, RouteModule } from '../../types.js'
import { EvidenceFile, evidenceFileJson } from './schemas.js'

/**
 * POST /v1/evidence: the raw file as the body, with its Content-Type (one of EVIDENCE_TYPES),
 * at most EVIDENCE_MAX_BYTES. Its own scope, so this route alone takes bodies other than JSON.
 */
export const uploadEvidenceRoute: RouteModule = (app, ctx) => {
  app.register(async (scope: App) => {
    scope.removeAllContentTypeParsers()
    // Every type is read as bytes; the service answers 415 for types not on the allow-list,
    // naming them (a parser per allowed type would leave Fastify's wording for the rest).
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    scope.post(
      '/v1/evidence',
      {
        bodyLimit: ctx.config.EVIDENCE_MAX_BYTES,
        schema: {
          tags: ['evidence'],
          summary: 'Upload an evidence file',
          description:
            'The file is the body, sent with its Content-Type; attach it by id to a resolution (`evidence.files`) or a dispute (`evidence_files`).',
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) },
            { additionalProperties: false },
          ),
          response: { 201: EvidenceFile, ...problemResponses(400, 401, 403, 413, 415) },
        },
      },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        const row = await uploadEvidence(ctx, ctx.evidence, request.principal, {
          body,
          contentType: request.headers['content-type'],
          filename: request.query.filename,
        })
        return reply.code(201).send(evidenceFileJson(row, await evidenceLink(ctx, ctx.evidence, row)))
      },
    )
  })
}
