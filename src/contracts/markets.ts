/**
 * The contract of the API requests the services take, as TypeBox schemas: the routes validate
 * with them and the services type their input with `Static<>` of the same schema, so a field
 * is declared once. (Below src/services, which may not import from src/http.)
 */
import { type TSchema, Type } from '@sinclair/typebox'

export const Timestamp = Type.String({ format: 'date-time' })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Amount = Type.String({
  minLength: 1,
  maxLength: 40,
  description:
    'A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"',
  examples: ['12.5'],
})

export const SignedAmount = Type.String({
  minLength: 1,
  maxLength: 41,
  description: 'A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"',
  examples: ['-3.25'],
})

export const Uuid = Type.String({ format: 'uuid' })

export const OutcomeRef = Type.Union(
  [Type.Integer({ minimum: 0, maximum: 31 }), Type.String({ minLength: 1, maxLength: 100 })],
  { description: 'Outcome index, label (case-insensitive) or id', examples: ['YES', 0] },
)

export const BranchRef = Type.Union([Type.Integer({ minimum: 0, maximum: 15 }), Uuid], {
  description: 'Branch index or id; omitted for plain (one-branch) markets',
})

export const TradeBody = Type.Object(
  {
    branch: Type.Optional(BranchRef),
    outcome: OutcomeRef,
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
    amount: Type.Optional({ ...Amount, description: 'Buy: credits to spend, fee included' }),
    shares: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description: 'Shares to buy or sell; "all" sells everything held of the outcome',
        examples: ['10', 'all'],
      }),
    ),
    max_cost: Type.Optional({ ...Amount, description: 'Buy: the most to pay in total (cost + fee)' }),
    min_shares: Type.Optional({ ...Amount, description: 'Buy by amount: the fewest shares to accept' }),
    min_proceeds: Type.Optional({ ...Amount, description: 'Sell: the least to receive after the fee' }),
  },
  { additionalProperties: false },
)

/** Ids of the caller's uploads (POST /v1/evidence) to attach to a resolution or a dispute. */
export const EvidenceFileIds = Type.Array(Uuid, { maxItems: 20, uniqueItems: true })

/** A reported outcome (POST …/resolve, and an agent's POST …/decisions/{id}/outcome). */
export const ResolveBody = Type.Object(
  {
    outcome: Type.Optional(OutcomeRef),
    value: Type.Optional(SignedAmount),
    evidence: Type.Object(
      {
        url: Type.Optional(Type.String({ maxLength: 2000, format: 'uri' })),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
        files: Type.Optional(EvidenceFileIds),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

/** POST /v1/admin/disputes/{id}/settle. */
export const SettleDisputeBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('uphold'), Type.Literal('reject')]),
    outcome: Type.Optional(OutcomeRef),
    value: Type.Optional(SignedAmount),
    void: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)
