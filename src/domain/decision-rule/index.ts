/**
 * The decision rule: from branch prices to a score, from a price path to a manipulation-resistant
 * lagging TWAP, and from TWAPs to the action taken, deterministically or at random. Pure: time
 * and randomness come in as arguments, so the API, the decide job and the tests share it.
 */
export {
  type BranchScore,
  type DecideInput,
  type Decision,
  type DecisionBranch,
  DecisionReason,
  decide,
} from './decide.js'
export { DecisionRuleError, DecisionRuleErrorCode, isDecisionRuleError } from './errors.js'
export {
  applyPayoutScale,
  type BranchProbability,
  decideRandomized,
  MAX_RANDOMIZED_BRANCHES,
  type RandomizedBranch,
  type RandomizedDecision,
  type RandomizedDistribution,
  type RandomizedInput,
  type Rational,
  randomizedDistribution,
  type Weighting,
} from './randomized.js'
export {
  binaryScore,
  branchScore,
  categoricalScore,
  normaliseUtilities,
  type Objective,
  scalarScore,
  scalarValueFromScore,
} from './score.js'
export {
  DEFAULT_MAX_TWAP_INTERVALS,
  laggingTwap,
  type ScoreChange,
  stepToward,
  type TwapInput,
  type TwapObservation,
  type TwapResult,
  twapObservations,
} from './twap.js'
