import { Type } from '@sinclair/typebox'
import { decisionObservations } from '../../../services/decisions/view.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { MarketRef, Nullable, Timestamp, Uuid } from './schemas.js'

/**
 * GET /v1/markets/{market}/decision/observations: a branch's decision score laid open, so
 * anyone can recompute it from public responses alone: the observations' grid, the window, the
 * lag, and each observation.
 */
export const decisionObservationsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/markets/:market/decision/observations',
    {
      schema: {
        tags: ['markets'],
        summary: "The observations behind a branch's decision score",
        description:
          'Observation k is at `opened_at + k·interval_seconds` (opened_at: when trading opened, after the ' +
          'proposing phase if there was one). Observation 0 is `opening_score`; each next one moves toward ' +
          "the branch's score at that instant (the expected objective at the prices of the last trade at or " +
          'before it, from GET …/history) by at most `max_step_bps`/10000. The score is the mean of the ' +
          'observations in [window_start, window_end]. The rule then takes the best branch if its score beats ' +
          "the default's by threshold_bps/10000 (and min_traders, min_volume are met). Public prices are " +
          'rounded to 12 significant digits, so a recomputation from them agrees to about 1e-12.',
        params: MarketRef,
        querystring: Type.Object(
          {
            branch: Type.Integer({ minimum: 0, maximum: 15, default: 0 }),
            limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
            cursor: Type.Optional(
              Type.String({ pattern: '^\\d{1,9}$', description: 'The last observation index received' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            market_id: Uuid,
            branch: Type.Integer(),
            label: Type.String(),
            decided: Type.Boolean({
              description: 'true: the observations the decision read; false: as of now',
            }),
            opened_at: Timestamp,
            window_start: Timestamp,
            window_end: Timestamp,
            interval_seconds: Type.Integer(),
            max_step_bps: Type.Integer(),
            threshold_bps: Type.Integer(),
            opening_score: Type.Number(),
            score: Type.Number({ description: 'The mean of the observations in the window' }),
            observation_count: Type.Integer({ description: 'Observations in the window' }),
            observations: Type.Array(
              Type.Object({
                index: Type.Integer(),
                at: Timestamp,
                value: Type.Number(),
                in_window: Type.Boolean(),
              }),
            ),
            next_cursor: Nullable(Type.String()),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) =>
      decisionObservations(ctx, request.params.market, {
        branch: request.query.branch,
        limit: request.query.limit,
        ...(request.query.cursor !== undefined ? { after: Number(request.query.cursor) } : {}),
      }),
  )
}
