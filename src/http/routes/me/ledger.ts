import { Type } from '@sinclair/typebox'
import { listLedger } from '../../../services/money/portfolio.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { LedgerLine, Page, PageQuery } from '../markets/schemas.js'

/** GET /v1/me/ledger: every movement of the caller's cash, newest first, with running balance. */
export const myLedgerRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me/ledger',
    {
      schema: {
        tags: ['me'],
        summary: 'My ledger',
        security: [{ bearer: [] }],
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(LedgerLine), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'portfolio.read')
      return listLedger(ctx.db, principal.userId, request.query)
    },
  )
}
