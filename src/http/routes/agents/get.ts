import { Agent, AgentIdParams } from '../../../contracts/agents.js'
import { agentJson, findAgent, viewerOf } from '../../../services/agents/agents.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** GET /v1/agents/{id}: public; secrets are never part of an agent. */
export const getAgentRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'Get an agent',
        params: AgentIdParams,
        response: { 200: Agent, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const principal = authorizeRequest(request, 'agent.read')
      const agent = await findAgent(ctx.db, request.params.id)
      return agentJson(agent, viewerOf(principal, agent))
    },
  )
}
