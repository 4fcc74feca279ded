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
  },
  { additionalProperties: false, description: 'The body of a decision.made webhook' },
)
export type DecisionWebhookPayload = Static<typeof DecisionWebhookPayload>
