import { quoteTradeFor } from '../../../services/trading/quotes.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { tradeAmountsAreStrings } from './amounts.js'
import { MarketRef, QuoteResponse, TradeBody } from './schemas.js'

/** POST /v1/markets/{market}/quote: what the trade would do now; changes nothing. */
export const quoteRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/quote',
    {
      schema: {
        tags: ['trading'],
        summary: 'Quote a trade',
        description:
          'Takes the body of POST /v1/markets/{market}/trades. Signed in, your cash and shares apply ' +
          '(a trade you could not make is refused the same way); anonymous quotes assume enough of both.',
        params: MarketRef,
        body: TradeBody,
        response: { 200: QuoteResponse, ...problemResponses(400, 401, 404, 409, 422) },
      },
      preValidation: tradeAmountsAreStrings,
    },
    // Anyone may quote; a signed-in caller's balances are taken into account.
    async (request) =>
      quoteTradeFor(ctx, request.principal?.userId ?? null, request.params.market, request.body),
  )
}
