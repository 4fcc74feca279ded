import { AgentIdParams, AgentWithSecret, UpdateAgentBody } from '../../../contracts/agents.js'
import { agentJson, findAgent, updateAgent } from '../../../services/agents/agents.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from '../markets/amounts.js'

/** PATCH /v1/agents/{id}: the operator changes settings; decisions already open keep theirs. */
export const updateAgentRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'Change an agent',
        security: [{ bearer: [] }],
        params: AgentIdParams,
        body: UpdateAgentBody,
        response: { 200: AgentWithSecret, ...problemResponses(400, 401, 403, 404) },
      },
      preValidation: amountsAreStrings(
        ['liquidity_per_decision'],
        ['decision_rule', 'min_volume'],
        ['objective', 'scalar', 'lo'],
        ['objective', 'scalar', 'hi'],
      ),
    },
    async (request) => {
      const current = await findAgent(ctx.db, request.params.id)
      authorizeUser(request, 'agent.update', { ownerId: current.owner_id })
      const { agent, webhookSecret } = await updateAgent(ctx, current.id, request.body)
      return {
        ...agentJson(agent, { isOperator: true }),
        ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
      }
    },
  )
}
