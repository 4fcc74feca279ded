/**
 * Lagging TWAP of a branch's score, as MetaDAO's futarchy oracle does it: the price a trader
 * can move in one block is not what the decision reads. Three defences stack up:
 *  - observations are taken on a fixed grid (openedAtMs + k·intervalMs), one per interval, so
 *    many trades in one interval count once;
 *  - each observation moves from the previous one toward the then-current score by at most
 *    `maxStep`, so a last-minute spike moves the average by at most maxStep per interval left;
 *  - observation 0 is the opening score the market sets, not the first trader's price, so being
 *    first to trade buys nothing.
 * The TWAP is the plain mean of the observations that fall in [windowStartMs, windowEndMs].
 * Observations before the window still run, because the lag carries their history into it.
 */
import { DecisionRuleError, DecisionRuleErrorCode } from './errors.js'

/** The score right after a trade at `atMs`; the path is constant until the next change. */
export interface ScoreChange {
  atMs: number
  score: number
}

export interface TwapInput {
  /** Sorted by `atMs` (ties allowed: the later entry wins); none before `openedAtMs`. */
  changes: readonly ScoreChange[]
  /** The score the market opened at (e.g. from the LMSR's initial prices), in [0, 1]. */
  openingScore: number
  openedAtMs: number
  intervalMs: number
  /** Largest |observation_k - observation_{k-1}|; Infinity turns the lag off. */
  maxStep: number
  windowStartMs: number
  /** The decision time. */
  windowEndMs: number
  /** Ceiling on observations from opening to windowEndMs; defaults to DEFAULT_MAX_TWAP_INTERVALS. */
  maxIntervals?: number
}

export interface TwapObservation {
  /** k: the observation is at openedAtMs + k·intervalMs. */
  index: number
  atMs: number
  value: number
}

export interface TwapResult {
  /** Mean of the observations in the window, in [0, 1]. */
  twap: number
  /** How many observations fell in the window (≥ 1). */
  observationCount: number
  /** The last observation at or before windowEndMs: where the lag had got to at decision time. */
  lastObservation: number
  firstObservationAtMs: number
  lastObservationAtMs: number
}

/**
 * One observation a minute for 9.5 years, or one a second for 58 days: far beyond any real
 * market, yet a loop of this length still runs in tens of milliseconds. Anything larger is a
 * unit mix-up (seconds passed as milliseconds, an interval of 1 ms) and should fail loudly
 * rather than stall a worker.
 */
export const DEFAULT_MAX_TWAP_INTERVALS = 5_000_000

/** The lagging TWAP over the window. O(intervals from opening to windowEndMs + changes). */
export function laggingTwap(input: TwapInput): TwapResult {
  const plan = validate(input)
  // Neumaier summation: millions of observations summed naively drift in the last digits,
  // and two branches can legitimately be that close.
  let sum = 0
  let compensation = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let count = 0
  let last = input.openingScore
  let lastAtMs = input.openedAtMs
  walk(input, plan.lastIndex, (k, atMs, value) => {
    last = value
    lastAtMs = atMs
    if (k < plan.firstWindowIndex) return
    const t = sum + value
    // Stryker disable next-line EqualityOperator: when |sum| = |value| both corrections are the same (sum = value) or 0 (sum = −value)
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - t + value : value - t + sum
    sum = t
    // Stryker disable next-line EqualityOperator: ties change nothing
    if (value < min) min = value
    // Stryker disable next-line EqualityOperator: ties change nothing
    if (value > max) max = value
    count++
  })
  const mean = (sum + compensation) / count
  return {
    // The mean of values in [min, max] is in [min, max]; clamping only removes rounding, so a
    // constant path averages to exactly that constant.
    twap: Math.min(max, Math.max(min, mean)),
    observationCount: count,
    lastObservation: last,
    firstObservationAtMs: input.openedAtMs + plan.firstWindowIndex * input.intervalMs,
    lastObservationAtMs: lastAtMs,
  }
}

/**
 * Every observation from opening up to windowEndMs, including those before the window: for
 * price charts that show what the decision reads, and for tests of the lag itself. `range`
 * keeps only the observations after index `after`, at most `limit` of them: a page of a market
 * with millions of intervals walks them all (the lag needs its history) but keeps only the page.
 */
export function twapObservations(
  input: TwapInput,
  range: { after?: number; limit?: number } = {},
): TwapObservation[] {
  const plan = validate(input)
  const after = range.after ?? -1
  const limit = range.limit ?? Number.POSITIVE_INFINITY
  const out: TwapObservation[] = []
  walk(input, plan.lastIndex, (index, atMs, value) => {
    if (index > after && out.length < limit) out.push({ index, atMs, value })
  })
  return out
}

/** observation_{k} = prev moved toward target by at most maxStep. */
export function stepToward(previous: number, target: number, maxStep: number): number {
  const delta = target - previous
  // Landing exactly on the target (rather than previous ± |delta|) keeps a settled observation
  // bit-identical to the score, so a flat path never drifts by rounding.
  // Stryker disable next-line EqualityOperator: measured: for scores in [0, 1], previous ± |target − previous| is exactly target (no counterexample in 10^6 random pairs)
  if (Math.abs(delta) <= maxStep) return target
  // Stryker disable next-line EqualityOperator: delta = 0 returned on the line above
  return delta > 0 ? previous + maxStep : previous - maxStep
}

function walk(
  input: TwapInput,
  lastIndex: number,
  visit: (index: number, atMs: number, value: number) => void,
): void {
  const { changes, openedAtMs, intervalMs, maxStep } = input
  let observation = input.openingScore
  let current = input.openingScore
  let next = 0
  visit(0, openedAtMs, observation)
  for (let k = 1; k <= lastIndex; k++) {
    const atMs = openedAtMs + k * intervalMs
    // The path is right-continuous: a trade at exactly atMs is already in the price observed
    // at atMs. Either convention is sound; this one matches "score right after a trade".
    while (next < changes.length && (changes[next] as ScoreChange).atMs <= atMs) {
      current = (changes[next] as ScoreChange).score
      next++
    }
    observation = stepToward(observation, current, maxStep)
    visit(k, atMs, observation)
  }
}

interface Plan {
  /** Index of the last observation at or before windowEndMs. */
  lastIndex: number
  /** Index of the first observation at or after windowStartMs. */
  firstWindowIndex: number
}

function validate(input: TwapInput): Plan {
  const { changes, openingScore, openedAtMs, intervalMs, maxStep, windowStartMs, windowEndMs } = input
  const maxIntervals = input.maxIntervals ?? DEFAULT_MAX_TWAP_INTERVALS
  for (const [name, value] of [
    ['openedAtMs', openedAtMs],
    ['windowStartMs', windowStartMs],
    ['windowEndMs', windowEndMs],
  ] as const) {
    if (!Number.isSafeInteger(value)) invalid(`${name} must be an integer number of ms (got ${value})`, name)
  }
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
    invalid(`intervalMs must be a positive integer (got ${intervalMs})`, 'intervalMs')
  }
  if (Number.isNaN(maxStep) || maxStep < 0) {
    invalid(`maxStep must be ≥ 0 (got ${maxStep})`, 'maxStep')
  }
  if (!isUnit(openingScore)) invalid(`openingScore must be in [0, 1] (got ${openingScore})`, 'openingScore')
  if (windowStartMs > windowEndMs) {
    invalid(`window starts (${windowStartMs}) after it ends (${windowEndMs})`, 'windowStartMs')
  }
  if (!Number.isSafeInteger(maxIntervals) || maxIntervals < 1) {
    invalid(`maxIntervals must be a positive integer (got ${maxIntervals})`, 'maxIntervals')
  }
  let previousAtMs = openedAtMs
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as ScoreChange
    if (!Number.isSafeInteger(change.atMs)) invalid(`changes[${i}].atMs must be an integer`, 'changes', i)
    if (change.atMs < openedAtMs) {
      invalid(`changes[${i}] is at ${change.atMs}, before the market opened at ${openedAtMs}`, 'changes', i)
    }
    if (change.atMs < previousAtMs) invalid(`changes must be sorted by atMs (changes[${i}])`, 'changes', i)
    if (!isUnit(change.score))
      invalid(`changes[${i}].score must be in [0, 1] (got ${change.score})`, 'changes', i)
    previousAtMs = change.atMs
  }

  // Stryker disable next-line ConditionalExpression,CallExpression: without it lastIndex < 0 ≤ firstWindowIndex and the same error is thrown below
  if (windowEndMs < openedAtMs) noObservations(input)
  // Division before the ceiling check keeps this exact and overflow-free for any safe integers.
  const lastIndex = Math.floor((windowEndMs - openedAtMs) / intervalMs)
  if (lastIndex + 1 > maxIntervals) {
    throw new DecisionRuleError(
      DecisionRuleErrorCode.TwapTooManyIntervals,
      `the TWAP would take ${lastIndex + 1} observations, more than the limit of ${maxIntervals}; ` +
        'check that intervalMs and the timestamps are in milliseconds',
      { observations: lastIndex + 1, maxIntervals },
    )
  }
  const firstWindowIndex = Math.max(0, Math.ceil((windowStartMs - openedAtMs) / intervalMs))
  if (firstWindowIndex > lastIndex) noObservations(input)
  return { lastIndex, firstWindowIndex }
}

function isUnit(x: number): boolean {
  return Number.isFinite(x) && x >= 0 && x <= 1
}

function invalid(message: string, field: string, index?: number): never {
  throw new DecisionRuleError(
    DecisionRuleErrorCode.InvalidTwapInput,
    message,
    index === undefined ? { field } : { field, index },
  )
}

function noObservations(input: TwapInput): never {
  throw new DecisionRuleError(
    DecisionRuleErrorCode.TwapNoObservations,
    `no observation (every ${input.intervalMs} ms from ${input.openedAtMs}) falls in the window ` +
      `[${input.windowStartMs}, ${input.windowEndMs}]`,
    { openedAtMs: input.openedAtMs, windowStartMs: input.windowStartMs, windowEndMs: input.windowEndMs },
  )
}
