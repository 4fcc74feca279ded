import { Type } from '@sinclair/typebox'
import { AgentIdParams } from '../../../contracts/agents.js'
import { findAgent } from '../../../services/agents/agents.js'
import { agentTrackRecord, MAX_RECORD_DECISIONS } from '../../../services/decisions/track-record.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import { TrackRecord } from '../../schemas/track-record.js'
import type { RouteModule } from '../../types.js'

/**
 * GET /v1/agents/{id}/track-record: public, like the agent and its decided decisions (it counts
 * decided decisions only, whose priors are public already).
 */
export const trackRecordRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/agents/:id/track-record',
    {
      schema: {
        tags: ['agents'],
        summary: "An agent's track record: the market against the agent's own prior",
        description: [
          `Computed over the agent's most recent ${MAX_RECORD_DECISIONS} decided decisions.`,
          '',
          '**Overrides.** A decision with a prior (an LLM agent) is overridden when the market chose another action than the prior did.',
          '',
          '**What is scored.** Only the action taken is carried out, so only its outcome is observed; each resolved decision is one event, ' +
            'the realised objective y of the action taken on the decision scores’ [0, 1] scale: binary 1 for YES and 0 for NO; ' +
            'scalar clamp((v − lo) / (hi − lo), 0, 1), what a LONG share paid; categorical the reported outcome’s min-max normalised utility. ' +
            "The market's forecast of y is the chosen branch's decision score (lagging TWAP) at the decision. The prior's is the agent's " +
            'own forecast for the action taken, given with its choice before the market opened (its LLM forecasts every candidate action: ' +
            'the probability that the objective is met if it is taken), so an overridden prior is scored on the action the market preferred. ' +
            'A decision recorded without forecasts per action uses the stated confidence when the market took the agent’s choice, and scores the market only otherwise.',
          '',
          '**Brier score** = mean (forecast − y)² (for scalar and categorical objectives, the squared error of a forecast of the mean); ' +
            'lower is better. `brier.paired` scores both on the decisions both forecast: who was right. Numbers have 6 decimals.',
          '',
          '**Calibration.** Ten buckets of forecast ([0, 0.1) … [0.9, 1]) with their count, mean forecast and the mean y observed, for the prior and the market.',
          '',
          '**Trend.** `by_month` (UTC month of the decision) and `recent` (the last `recent` decisions).',
        ].join('\n'),
        params: AgentIdParams,
        querystring: Type.Object(
          { recent: Type.Integer({ minimum: 1, maximum: 200, default: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: TrackRecord, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'agent.read')
      const agent = await findAgent(ctx.db, request.params.id)
      return {
        agent_id: agent.id,
        ...(await agentTrackRecord(ctx.db, agent.id, { recent: request.query.recent })),
      }
    },
  )
}
