/** Response shapes of an agent's track record (domain/agents/track-record.ts computes them). */
import { Type } from '@sinclair/typebox'

const Probability = (description: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description })

const Brier = (description: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: `${description} (mean squared error, 6 decimals; lower is better)`,
  })

/** How one decision scores, once decided (null parts until resolved, or when not forecast). */
export const DecisionScore = Type.Object(
  {
    prior_forecast: Probability(
      "The agent's forecast of the action taken, made before the market opened: its forecast for that action (the LLM forecasts each candidate), or, for a decision recorded without those, its confidence when the market took its choice; null otherwise",
    ),
    market_forecast: Probability("The chosen branch's decision score (lagging TWAP) at the decision"),
    outcome: Probability(
      'The realised objective of the action taken on the scores’ scale: binary 1 (YES) or 0 (NO); scalar clamp((v−lo)/(hi−lo)); categorical the outcome’s min-max normalised utility. Null until resolved',
    ),
    brier_prior: Brier('(prior_forecast − outcome)²'),
    brier_market: Brier('(market_forecast − outcome)²'),
  },
  { additionalProperties: false },
)

const Summary = {
  decided: Type.Integer({ minimum: 0, description: 'Decisions the market took' }),
  with_prior: Type.Integer({ minimum: 0, description: 'Of those, with a prior on record' }),
  overridden: Type.Integer({ minimum: 0, description: 'Where the market chose otherwise than the prior' }),
  override_rate: Probability('overridden / with_prior'),
  resolved: Type.Integer({ minimum: 0, description: 'Decided decisions whose outcome is reported' }),
  brier: Type.Object(
    {
      market: Brier('Over the resolved decisions'),
      market_count: Type.Integer({ minimum: 0 }),
      prior: Brier('Over the resolved decisions where the prior forecast the action taken'),
      prior_count: Type.Integer({ minimum: 0 }),
      paired: Type.Object(
        {
          count: Type.Integer({ minimum: 0 }),
          prior: Brier('The prior, on the decisions both forecast'),
          market: Brier('The market, on the same decisions'),
        },
        {
          additionalProperties: false,
          description: 'Both scored on the same events: who was right',
        },
      ),
    },
    { additionalProperties: false },
  ),
}

const Bucket = Type.Object(
  {
    lo: Type.Number(),
    hi: Type.Number(),
    count: Type.Integer({ minimum: 0 }),
    mean_forecast: Probability('Mean forecast in the bucket'),
    observed: Probability('Mean realised objective in the bucket (binary: how often YES came)'),
  },
  { additionalProperties: false },
)

export const TrackRecord = Type.Object(
  {
    agent_id: Type.String({ format: 'uuid' }),
    opened: Type.Integer({ minimum: 0, description: 'Decisions opened, decided or not' }),
    window: Type.Object(
      {
        decisions: Type.Integer({ minimum: 0 }),
        limit: Type.Integer(),
        truncated: Type.Boolean({
          description: 'Older decisions than the most recent `limit` are not counted',
        }),
      },
      { additionalProperties: false },
    ),
    ...Summary,
    calibration: Type.Object(
      {
        prior: Type.Array(Bucket, {
          description: 'Ten buckets of the prior’s forecast: [0, 0.1), … [0.9, 1]',
        }),
        market: Type.Array(Bucket, { description: 'Ten buckets of the market’s forecast' }),
      },
      { additionalProperties: false },
    ),
    by_month: Type.Array(Type.Object({ month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }), ...Summary })),
    recent: Type.Object(
      { size: Type.Integer(), ...Summary },
      { description: 'The most recent `size` decisions' },
    ),
  },
  { additionalProperties: false },
)
