import { Type } from '@sinclair/typebox'
import { inSpan } from '../../../infra/tracing.js'
import { placeTrade } from '../../../services/trading/place.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { requestTrace } from '../../plugins/tracing.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { tradeAmountsAreStrings } from './amounts.js'
import { MarketRef, TradeBody, TradeResponse } from './schemas.js'

/**
 * POST /v1/markets/{market}/trades: buy by amount or shares, or sell shares. With an
 * Idempotency-Key, a repeat of the same request returns the first response (marked with
 * `Idempotent-Replayed: true`) and never trades again; the same key with another body is a 409.
 */
export const tradeRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/trades',
    {
      schema: {
        tags: ['trading'],
        summary: 'Trade',
        security: [{ bearer: [] }],
        params: MarketRef,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 255,
              description: 'Makes retries safe: the trade happens once',
            }),
          ),
        }),
        body: TradeBody,
        response: { 201: TradeResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preValidation: tradeAmountsAreStrings,
    },
    async (request, reply) => {
      const principal = authorizeUser(request, 'market.trade')
      const placed = await inSpan(ctx.tracer, 'trade.place', { parent: requestTrace(request) }, () =>
        placeTrade(
          ctx,
          principal.userId,
          request.params.market,
          request.body,
          request.headers['idempotency-key'],
        ),
      )
      if (placed.replayed) reply.header('idempotent-replayed', 'true')
      return reply.code(201).send(placed.response)
    },
  )
}
