/**
 * The choice rules the study compares, all read off one simulated market:
 * - agent: the agent alone, argmax of its prior (the market is not consulted);
 * - product: the product's rule exactly as the decide service applies it: lagging TWAP scores
 *   (domain laggingTwap with the rule's interval, window and step), then domain `decide` with
 *   the threshold, the minimum traders and volume, and the agent's choice as the default;
 * - last: the highest last price (ties to the agent's choice);
 * - twap: the highest plain TWAP over the same window, no lag, no threshold, no minimums.
 */
import { DEFAULT_RULE } from '../domain/agents/settings.js'
import { decide, laggingTwap } from '../domain/decision-rule/index.js'
import { type MarketRun, type TwapSettings, twapInputFor } from './market.js'
import type { World } from './world.js'

export const RULES = ['agent', 'product', 'last', 'twap'] as const
export type RuleName = (typeof RULES)[number]

export interface RuleSettings extends TwapSettings {
  thresholdBps: number
  minTraders: number
  /** Credits. */
  minVolume: number
}

/** The product's DEFAULT_RULE (domain/agents/settings.ts), in the study's units. */
export const PRODUCT_DEFAULT_RULE: RuleSettings = {
  thresholdBps: DEFAULT_RULE.threshold_bps,
  minTraders: DEFAULT_RULE.min_traders,
  minVolume: Number(DEFAULT_RULE.min_volume),
  intervalMs: DEFAULT_RULE.twap_interval_seconds * 1000,
  windowMs: DEFAULT_RULE.twap_window_seconds === null ? null : DEFAULT_RULE.twap_window_seconds * 1000,
  maxStepBps: DEFAULT_RULE.twap_max_step_bps,
}

/** argmax with ties to the default: the status quo needs no market to justify it. */
function argmaxOr(values: readonly number[], fallback: number): number {
  let best = fallback
  values.forEach((v, i) => {
    if (v > (values[best] as number)) best = i
  })
  return best
}

export interface Choices {
  agent: number
  product: number
  last: number
  twap: number
  /** Why the product's rule chose what it did (domain DecisionReason). */
  productReason: string
}

export function laggingScores(world: World, run: MarketRun, rule: TwapSettings): number[] {
  return run.branches.map((b) => laggingTwap(twapInputFor(b.changes, rule, world.durationMs)).twap)
}

export function productChoice(world: World, run: MarketRun, rule: RuleSettings, scores: readonly number[]) {
  const verdict = decide({
    branches: run.branches.map((b, i) => ({
      id: String(i),
      score: scores[i] as number,
      traders: b.traders,
      volume: b.volume,
    })),
    defaultBranchId: String(world.agentChoice),
    thresholdBps: rule.thresholdBps,
    minTraders: rule.minTraders,
    minVolume: BigInt(Math.round(rule.minVolume * 1_000_000)),
    distinctTraders: run.distinctTraders,
  })
  return { chosen: Number(verdict.chosenBranchId), reason: verdict.reason }
}

export function choose(world: World, run: MarketRun, rule: RuleSettings): Choices {
  const product = productChoice(world, run, rule, laggingScores(world, run, rule))
  const plain = run.branches.map(
    (b) => laggingTwap(twapInputFor(b.changes, rule, world.durationMs, true)).twap,
  )
  return {
    agent: world.agentChoice,
    product: product.chosen,
    productReason: product.reason,
    last: argmaxOr(
      run.branches.map((b) => b.finalPrice),
      world.agentChoice,
    ),
    twap: argmaxOr(plain, world.agentChoice),
  }
}
