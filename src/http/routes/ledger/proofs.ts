import { Type } from '@sinclair/typebox'
import { marketRecordProof, postingProof, recordProof } from '../../../services/anchoring/proofs.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { MarketRef } from '../markets/schemas.js'
import { ServedProof } from './schemas.js'

const Seq = Type.Object(
  { seq: Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'Sequence number', examples: ['42'] }) },
  { additionalProperties: false },
)

const PROOF_DESCRIPTION =
  'The leaf, its plain fields, its path to the batch root and the batch on the chain. 409 proof_not_ready until the batch holding it has closed.'

/**
 * GET /v1/ledger/entries/{seq}/proof (a posting, for its owner and admins),
 * GET /v1/ledger/records/{seq}/proof, GET /v1/markets/{market}/decision/proof and
 * GET /v1/markets/{market}/resolution/proof (public).
 */
export const proofRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/v1/ledger/entries/:seq/proof',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Proof that a ledger posting is anchored',
        description: PROOF_DESCRIPTION,
        security: [{ bearer: [] }],
        params: Seq,
        response: { 200: ServedProof, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => postingProof(ctx, request.principal, BigInt(request.params.seq)),
  )
  app.get(
    '/v1/ledger/records/:seq/proof',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Proof that a decision or resolution record is anchored',
        description: PROOF_DESCRIPTION,
        params: Seq,
        response: { 200: ServedProof, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'anchor.read')
      return recordProof(ctx, BigInt(request.params.seq))
    },
  )
  app.get(
    '/v1/markets/:market/decision/proof',
    {
      schema: {
        tags: ['ledger'],
        summary: "Proof of a market's decision record",
        description: PROOF_DESCRIPTION,
        params: MarketRef,
        response: { 200: ServedProof, ...problemResponses(404, 409) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'anchor.read')
      return marketRecordProof(ctx, request.params.market, 'decision')
    },
  )
  app.get(
    '/v1/markets/:market/resolution/proof',
    {
      schema: {
        tags: ['ledger'],
        summary:
          "Proof of a market's latest resolution record (a changed resolution or a void is a new record)",
        description: PROOF_DESCRIPTION,
        params: MarketRef,
        response: { 200: ServedProof, ...problemResponses(404, 409) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'anchor.read')
      return marketRecordProof(ctx, request.params.market, 'resolution')
    },
  )
}
