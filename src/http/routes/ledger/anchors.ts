import { Type } from '@sinclair/typebox'
import { anchoringStatus, listBatches } from '../../../services/anchoring/queries.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Nullable, PageQuery } from '../markets/schemas.js'
import { AnchorBatch, AnchoringStatus, Chain } from './schemas.js'

/** GET /v1/ledger/anchors: the anchoring batches, newest first, with where anchoring stands. */
export const listAnchorsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/ledger/anchors',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Anchored batches of the ledger and the decision records',
        description:
          'Every posting and every decision or resolution record is a leaf of one batch; a batch is final once its root is on the chain (status anchored).',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(AnchorBatch),
            next_cursor: Nullable(Type.String()),
            anchoring: AnchoringStatus,
            chain: Chain,
          }),
          ...problemResponses(400),
        },
      },
    },
    async (request) => {
      authorizeRequest(request, 'anchor.read')
      const [page, anchoring] = await Promise.all([
        listBatches(ctx.db, request.query),
        anchoringStatus(ctx.db, ctx.clock.now()),
      ])
      return { ...page, anchoring, chain: chainOf(ctx.config) }
    },
  )
}

/** The contract the roots are anchored on, as configured (null: roots stay local). */
export function chainOf(config: { STARKNET_CONTRACT_ADDRESS?: string }) {
  return { contract_address: config.STARKNET_CONTRACT_ADDRESS ?? null }
}
