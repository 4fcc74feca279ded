import { AgentIdParams } from '../../../contracts/agents.js'
import { findAgent, retireAgent } from '../../../services/agents/agents.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/**
 * DELETE /v1/agents/{id}: the agent opens no more decisions. Its open decision markets carry on
 * to their end (traders' money is in them), and its record stays for the history.
 */
export const deleteAgentRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'Retire an agent',
        security: [{ bearer: [] }],
        params: AgentIdParams,
        response: { 204: { type: 'null', description: 'Retired' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const agent = await findAgent(ctx.db, request.params.id)
      authorizeUser(request, 'agent.delete', { ownerId: agent.owner_id })
      await retireAgent(ctx, agent.id)
      return reply.code(204).send()
    },
  )
}
