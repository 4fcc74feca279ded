/**
 * The body of the `decision.made` webhook: the contract receivers implement against (published
 * in the OpenAPI document's `webhooks` section by src/http/schemas/webhooks.ts), and the type of
 * the payload services/decisions/delivery.ts builds, so the two cannot drift apart.
 */
import { type Static, Type } from '@sinclair/typebox'
import { DecisionReasonSchema } from './agents.js'

const BranchLabel = Type.Object(
  { branch: Type.Integer({ minimum: 0 }), label: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
)

export const DecisionWebhookPayload = Type.Object(
  {
    event: Type.Literal('decision.made'),
    delivery_id: Type.String({
      format: 'uuid',
      description: 'The same on every attempt of this delivery (and in DM-Delivery): drop duplicates by it',
    }),
    agent: Type.Object(
      { id: Type.String({ format: 'uuid' }), name: Type.String() },
      { additionalProperties: false },
    ),
    market: Type.Object(
      { id: Type.String({ format: 'uuid' }), slug: Type.String(), question: Type.String() },
      { additionalProperties: false },
    ),
    action: { ...BranchLabel, description: 'The action the market chose: do this' },
    default_action: { ...BranchLabel, description: "The agent's default action" },
    overrode_default: Type.Boolean(),
    reason: DecisionReasonSchema,
    explanation: Type.String(),
    scores: Type.Array(
      Type.Object(
        { branch: Type.Integer({ minimum: 0 }), label: Type.String(), score: Type.Number() },
        { additionalProperties: false },
      ),
      { description: "Each branch's decision score (lagging TWAP) at the decision" },
    ),
    decided_at: Type.String({ format: 'date-time' }),
    evidence: Type.Optional(
      Type.Object(
        {
          distinct_traders: Type.Integer({ minimum: 0, description: 'Distinct traders over all branches' }),
          total_volume: Type.String({ description: 'Credits traded over all branches (decimal string)' }),
          threshold_bps: Type.Integer({ description: "The rule's threshold over the default action" }),
          margin: Type.Number({ description: "The best branch's score minus the default's" }),
          window_start: Type.String({ format: 'date-time' }),
          window_end: Type.String({ format: 'date-time' }),
          branches: Type.Array(
            Type.Object(
              {
                branch: Type.Integer({ minimum: 0 }),
                label: Type.String(),
                score: Type.Number({ description: 'Decision score (lagging TWAP)' }),
                spot: Type.Number({ description: 'The objective at the prices at the decision' }),
                traders: Type.Integer({ minimum: 0 }),
                volume: Type.String({ description: 'Credits traded on the branch (decimal string)' }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: "What the market's choice rests on" },
      ),
    ),
    prior: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              branch: Type.Integer({ minimum: 0 }),
              label: Type.Union([Type.String(), Type.Null()]),
              confidence: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ],
        { description: "The agent's own choice before the market opened (LLM agents); null without one" },
      ),
    ),
    overrode_prior: Type.Optional(
      Type.Union([Type.Boolean(), Type.Null()], {
        description: 'Whether the market chose otherwise than the prior; null without one',
      }),
    ),
  },
  { additionalProperties: false, description: 'The body of a decision.made webhook' },
)
export type DecisionWebhookPayload = Static<typeof DecisionWebhookPayload>
