import { Type } from '@sinclair/typebox'
import { ProposeActionBody } from '../../../contracts/agents.js'
import { openProposedDecision } from '../../../services/decisions/agent-decisions.js'
import {
  listProposals,
  proposalJson,
  proposeAction,
  reviewProposal,
} from '../../../services/decisions/proposals.js'
import { marketWithDecision } from '../../../services/decisions/view.js'
import { findMarket } from '../../../services/markets/repository.js'
import { requestTrace } from '../../plugins/tracing.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Market, MarketRef, Uuid } from './schemas.js'

const Proposal = Type.Object({
  id: Uuid,
  market_id: Uuid,
  proposer: Type.Union([Type.String(), Type.Null()], { description: "The proposer's username" }),
  label: Type.String(),
  description: Type.String(),
  status: Type.String({ enum: ['pending', 'admitted', 'rejected'] }),
  reviewed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
})

/**
 * Proposals for decisions whose agent takes its actions from users: propose (any signed-in
 * user, while the market is proposing), list (anyone), review (the operator), and open (the
 * operator: admitted proposals become branches and trading starts).
 */
export const proposalRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/v1/markets/:market/proposals',
    {
      schema: {
        tags: ['agents'],
        summary: 'Propose an action for a decision',
        security: [{ bearer: [] }],
        params: MarketRef,
        body: ProposeActionBody,
        response: { 201: Proposal, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const market = await findMarket(ctx.db, request.params.market)
      const proposal = await proposeAction(ctx, request.principal, market.id, request.body)
      return reply.code(201).send(proposalJson(proposal))
    },
  )

  app.get(
    '/v1/markets/:market/proposals',
    {
      schema: {
        tags: ['agents'],
        summary: "A decision's proposals",
        params: MarketRef,
        response: { 200: Type.Object({ items: Type.Array(Proposal) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const market = await findMarket(ctx.db, request.params.market)
      return { items: (await listProposals(ctx.db, market.id)).map(proposalJson) }
    },
  )

  app.post(
    '/v1/markets/:market/proposals/:proposalId/review',
    {
      schema: {
        tags: ['agents'],
        summary: 'Admit or reject a proposal (the operator)',
        security: [{ bearer: [] }],
        params: Type.Object({ market: MarketRef.properties.market, proposalId: Uuid }),
        body: Type.Object(
          { status: Type.Union([Type.Literal('admitted'), Type.Literal('rejected')]) },
          { additionalProperties: false },
        ),
        response: { 200: Proposal, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const market = await findMarket(ctx.db, request.params.market)
      const proposal = await reviewProposal(
        ctx,
        request.principal,
        market.id,
        request.params.proposalId,
        request.body.status,
      )
      return proposalJson(proposal)
    },
  )

  app.post(
    '/v1/markets/:market/open',
    {
      schema: {
        tags: ['agents'],
        summary: 'Open a proposing decision market (the operator)',
        description:
          'Admitted proposals become branches, escrowed from your cash; trading starts; decide_at is set.',
        security: [{ bearer: [] }],
        params: MarketRef,
        response: { 200: Market, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const market = await findMarket(ctx.db, request.params.market)
      await openProposedDecision(ctx, request.principal, market.id, requestTrace(request))
      return marketWithDecision(ctx, market.id)
    },
  )
}
