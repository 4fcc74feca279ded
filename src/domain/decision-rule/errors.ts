/**
 * Errors of the decision rule. The module is pure, so it knows nothing of HTTP: callers map a
 * `code` to a status (a bad setting from a request is a 400, a bad price path read from our own
 * database is a bug). Codes are stable identifiers that other layers match on: never rename one.
 */
export const DecisionRuleErrorCode = {
  /** Branch prices are not finite probabilities, or there are too few of them. */
  InvalidPrices: 'invalid_prices',
  /** The YES / LONG index does not name an outcome of the branch. */
  InvalidOutcomeIndex: 'invalid_outcome_index',
  /** Categorical utilities are not finite numbers, or do not match the outcomes one to one. */
  InvalidUtilities: 'invalid_utilities',
  /** All utilities are equal: every branch scores the same, so the market cannot tell them apart. */
  DegenerateUtilities: 'degenerate_utilities',
  /** A scalar range is not finite or has lo ≥ hi, or a score is outside [0, 1]. */
  InvalidScalarRange: 'invalid_scalar_range',
  /** A TWAP setting or the price path is malformed (unsorted, out of range, before opening). */
  InvalidTwapInput: 'invalid_twap_input',
  /** The TWAP would need more observations than the configured ceiling. */
  TwapTooManyIntervals: 'twap_too_many_intervals',
  /** No observation falls in the averaging window, so there is nothing to average. */
  TwapNoObservations: 'twap_no_observations',
  /** Branches, scores, participation figures or thresholds of a decision are malformed. */
  InvalidDecisionInput: 'invalid_decision_input',
  /** The default branch is not one of the branches. */
  UnknownDefaultBranch: 'unknown_default_branch',
  /** Settings of the randomized rule (ε, temperature, random number) are out of range. */
  InvalidRandomizedInput: 'invalid_randomized_input',
} as const

export type DecisionRuleErrorCode = (typeof DecisionRuleErrorCode)[keyof typeof DecisionRuleErrorCode]

export class DecisionRuleError extends Error {
  readonly code: DecisionRuleErrorCode
  /** Machine-readable context (the offending field, index, limit); never contains secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(code: DecisionRuleErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'DecisionRuleError'
    this.code = code
    this.details = details === undefined ? undefined : Object.freeze({ ...details })
  }
}

export function isDecisionRuleError(value: unknown): value is DecisionRuleError {
  return value instanceof DecisionRuleError
}
