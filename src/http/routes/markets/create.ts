import { Type } from '@sinclair/typebox'
import { DecisionRule } from '../../../contracts/agents.js'
import { createDecisionMarket } from '../../../services/decisions/create.js'
import { marketWithDecision } from '../../../services/decisions/view.js'
import { createMarket } from '../../../services/markets/create.js'
import { getMarket } from '../../../services/markets/queries.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from './amounts.js'
import { Amount, Market, SignedAmount, Uuid } from './schemas.js'

/** POST /v1/markets: create a market; the subsidy is escrowed from the caller's cash. */
export const createMarketRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets',
    {
      schema: {
        tags: ['markets'],
        summary: 'Create a market',
        description:
          'Binary (YES/NO), categorical (2–32 outcomes) or scalar (a range lo..hi traded as LONG/SHORT). ' +
          'The subsidy is escrowed from your cash; it bounds the market maker’s loss and what is left of it ' +
          'comes back when the market settles. With `branches` (2–16 candidate actions), `decide_at` and ' +
          '`default_branch` it is a decision market: each branch is a conditional market escrowing its own ' +
          'subsidy; at decide_at the rule takes the branch with the best lagging TWAP (if it beats the default by ' +
          'the threshold and the market met its minimums) and refunds the others at cost.',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            question: Type.String({ minLength: 3, maxLength: 300 }),
            description: Type.Optional(Type.String({ maxLength: 20000 })),
            kind: Type.Union([Type.Literal('binary'), Type.Literal('categorical'), Type.Literal('scalar')]),
            outcomes: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 32 }),
            ),
            scalar: Type.Optional(
              Type.Object(
                { lo: SignedAmount, hi: SignedAmount, unit: Type.Optional(Type.String({ maxLength: 32 })) },
                { additionalProperties: false },
              ),
            ),
            subsidy: Amount,
            close_at: Type.String({ format: 'date-time' }),
            resolver_id: Type.Optional(Uuid),
            slug: Type.Optional(Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 })),
            branches: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
                maxItems: 16,
                description: 'Decision markets: 2–16 candidate actions, one conditional branch each',
              }),
            ),
            decide_at: Type.Optional(
              Type.String({ format: 'date-time', description: 'Decision markets: when the rule decides' }),
            ),
            default_branch: Type.Optional(
              Type.Integer({
                minimum: 0,
                description: 'Decision markets: the branch taken unless the market clearly prefers another',
              }),
            ),
            decision_rule: Type.Optional(Type.Partial(DecisionRule)),
            utilities: Type.Optional(
              Type.Array(Type.Number(), {
                maxItems: 32,
                description: 'Categorical decision markets: utility per outcome',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Market, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preValidation: amountsAreStrings(
        ['subsidy'],
        ['scalar', 'lo'],
        ['scalar', 'hi'],
        ['decision_rule', 'min_volume'],
      ),
    },
    async (request, reply) => {
      const principal = authorizeUser(request, 'market.create')
      const body = request.body
      const input = {
        question: body.question,
        description: body.description,
        kind: body.kind,
        outcomes: body.outcomes,
        scalar: body.scalar,
        subsidy: body.subsidy,
        closeAt: new Date(body.close_at),
        resolverId: body.resolver_id,
        slug: body.slug,
      }
      const decisionFields = [body.decide_at, body.default_branch, body.decision_rule, body.utilities]
      if (body.branches !== undefined || decisionFields.some((f) => f !== undefined)) {
        const market = await createDecisionMarket(ctx, principal.userId, {
          ...input,
          branches: body.branches ?? [],
          decideAt: new Date(body.decide_at ?? Number.NaN),
          defaultBranch: body.default_branch ?? 0,
          ...(body.decision_rule ? { rule: body.decision_rule } : {}),
          ...(body.utilities ? { utilities: body.utilities } : {}),
        })
        reply.code(201).header('location', `/v1/markets/${market.id}`)
        return marketWithDecision(ctx, market.id)
      }
      const market = await createMarket(ctx, principal.userId, input)
      reply.code(201).header('location', `/v1/markets/${market.id}`)
      return getMarket(ctx.db, market.id)
    },
  )
}
