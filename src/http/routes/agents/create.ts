import { AgentWithSecret, CreateAgentBody } from '../../../contracts/agents.js'
import { agentJson, createAgent } from '../../../services/agents/agents.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from '../markets/amounts.js'

/** POST /v1/agents: an agent operated by the caller. */
export const createAgentRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Create an AI agent whose decisions a market takes',
        security: [{ bearer: [] }],
        body: CreateAgentBody,
        response: { 201: AgentWithSecret, ...problemResponses(400, 401, 403, 422) },
      },
      preValidation: amountsAreStrings(
        ['liquidity_per_decision'],
        ['decision_rule', 'min_volume'],
        ['objective', 'scalar', 'lo'],
        ['objective', 'scalar', 'hi'],
      ),
    },
    async (request, reply) => {
      const principal = authorizeUser(request, 'agent.create')
      const { agent, webhookSecret } = await createAgent(ctx, principal, request.body)
      return reply.code(201).send({
        ...agentJson(agent, { isOperator: true }),
        ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
      })
    },
  )
}
