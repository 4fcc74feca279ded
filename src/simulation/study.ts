/**
 * The study: many seeded worlds, one market each, every choice rule read off the same market;
 * one parameter swept at a time around a base configuration; and, per world, the budget a
 * manipulator needs to flip each rule's decision, found by bisection on the budget. Pure and
 * deterministic: the result is a function of the options (seed included) alone.
 */
import { type AttackRule, type Manipulator, type MarketRun, simulateMarket } from './market.js'
import { deriveSeed } from './prng.js'
import {
  type Choices,
  choose,
  laggingScores,
  PRODUCT_DEFAULT_RULE,
  productChoice,
  RULES,
  type RuleName,
  type RuleSettings,
} from './rules.js'
import { BASE_WORLD, makeWorld, type World, type WorldConfig } from './world.js'

export interface StudyOptions {
  seed: number
  /** Worlds per point of each decision-quality sweep. */
  worlds: number
  /** Worlds for each manipulation scenario (each costs ~70 market runs). */
  manipulationWorlds: number
  /** Largest manipulator budget tried, credits; a decision that does not flip below it is censored. */
  maxManipulationCredits: number
  base?: WorldConfig
  rule?: RuleSettings
  /** Defaults to MANIPULATION_SCENARIOS; a test picks a small one. */
  manipulationScenarios?: readonly ManipulationScenario[]
}

export const DEFAULT_OPTIONS: StudyOptions = {
  seed: 13,
  worlds: 400,
  manipulationWorlds: 24,
  maxManipulationCredits: 10_000,
}

/** A smaller study for tests and quick looks: the same code, fewer worlds. */
export const QUICK_OPTIONS: StudyOptions = {
  seed: 13,
  worlds: 40,
  manipulationWorlds: 3,
  maxManipulationCredits: 10_000,
}

export interface Sweep {
  name: string
  /** What the x axis shows. */
  label: string
  values: readonly number[]
  /** True when the value changes only how the decision reads the market, not the market itself. */
  ruleOnly: boolean
  apply: (world: WorldConfig, rule: RuleSettings, value: number) => { world: WorldConfig; rule: RuleSettings }
}

export const SWEEPS: readonly Sweep[] = [
  {
    name: 'bias',
    label: "agent's lean toward one action (added success probability)",
    values: [0, 0.05, 0.1, 0.2, 0.3],
    ruleOnly: false,
    apply: (w, r, v) => ({ world: { ...w, bias: v }, rule: r }),
  },
  {
    name: 'traders',
    label: 'honest traders',
    values: [0, 1, 2, 3, 5, 7, 10, 15, 20, 40],
    ruleOnly: false,
    apply: (w, r, v) => ({ world: { ...w, traders: v }, rule: r }),
  },
  {
    name: 'signal_sd',
    label: "median s.d. of a trader's signal (lower = more precise)",
    values: [0.05, 0.1, 0.15, 0.3, 0.5],
    ruleOnly: false,
    apply: (w, r, v) => ({ world: { ...w, signalSd: v }, rule: r }),
  },
  {
    name: 'liquidity',
    label: 'subsidy per branch (credits)',
    values: [10, 30, 100, 300, 1000, 3000],
    ruleOnly: false,
    apply: (w, r, v) => ({ world: { ...w, liquidity: v }, rule: r }),
  },
  {
    name: 'threshold_bps',
    label: 'threshold over the default (bps)',
    values: [0, 50, 100, 200, 500, 1000],
    ruleOnly: true,
    apply: (w, r, v) => ({ world: w, rule: { ...r, thresholdBps: v } }),
  },
  {
    name: 'max_step_bps',
    label: 'TWAP max step per observation (bps)',
    values: [10, 25, 100, 400, 10_000],
    ruleOnly: true,
    apply: (w, r, v) => ({ world: w, rule: { ...r, maxStepBps: v } }),
  },
  {
    name: 'window_hours',
    label: 'TWAP window before the decision (hours; 24 = from the opening)',
    values: [1, 6, 24],
    ruleOnly: true,
    apply: (w, r, v) => ({ world: w, rule: withWindow(r, v, w) }),
  },
]

/** The rule with a TWAP window of `hours`; a window as long as the market is the default (null). */
function withWindow(rule: RuleSettings, hours: number, world: WorldConfig): RuleSettings {
  return { ...rule, windowMs: hours >= world.hours ? null : hours * 3_600_000 }
}

export interface WorldRow {
  sweep: string
  value: number
  world: number
  best: number
  truth: number[]
  choices: Choices
  distinctTraders: number
  trades: number
}

export interface PointSummary {
  sweep: string
  value: number
  worlds: number
  /** Per rule: share of worlds where the truly best action was chosen, 0..1. */
  accuracy: Record<RuleName, number>
  /** Per rule: mean of p(best) − p(chosen). */
  regret: Record<RuleName, number>
  /** Share of worlds where the product's rule took another action than the agent's. */
  overrideRate: number
  /** Of those overrides, the share where the action taken is truly better than the agent's. */
  overrideRight: number
  /** Share of worlds where the product's rule fell back for too few traders or too little volume. */
  minimumsUnmet: number
  /**
   * Standard error of accuracy.product − accuracy.agent, paired by world (both rules read the
   * same world, so most worlds agree and the difference is far less noisy than either share).
   */
  gainSe: number
}

/** Standard error of the mean of per-world differences. */
export function pairedSe(differences: readonly number[]): number {
  const n = differences.length
  if (n < 2) return 0
  const mean = differences.reduce((a, b) => a + b, 0) / n
  const variance = differences.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1)
  return Math.sqrt(variance / n)
}

export interface ManipulationRow {
  scenario: string
  value: number
  world: number
  target: number
  rule: AttackRule
  /** Smallest budget found that flips the decision to the target, credits; null when none ≤ the cap. */
  budget: number | null
  /** What the honest traders brought to the whole decision, credits. */
  honestBudget: number
}

export interface StudyResult {
  options: StudyOptions
  base: WorldConfig
  rule: RuleSettings
  rows: WorldRow[]
  summaries: PointSummary[]
  manipulation: ManipulationRow[]
}

function summarise(sweep: string, value: number, rows: readonly WorldRow[]): PointSummary {
  const accuracy = {} as Record<RuleName, number>
  const regret = {} as Record<RuleName, number>
  for (const rule of RULES) {
    let right = 0
    let loss = 0
    for (const r of rows) {
      const chosen = r.choices[rule]
      if (chosen === r.best) right++
      loss += (r.truth[r.best] as number) - (r.truth[chosen] as number)
    }
    accuracy[rule] = right / rows.length
    regret[rule] = loss / rows.length
  }
  const overrides = rows.filter((r) => r.choices.product !== r.choices.agent)
  const right = overrides.filter(
    (r) => (r.truth[r.choices.product] as number) > (r.truth[r.choices.agent] as number),
  )
  const unmet = rows.filter((r) => r.choices.productReason.startsWith('insufficient_'))
  return {
    sweep,
    value,
    worlds: rows.length,
    accuracy,
    regret,
    overrideRate: overrides.length / rows.length,
    overrideRight: overrides.length === 0 ? 0 : right.length / overrides.length,
    minimumsUnmet: unmet.length / rows.length,
    gainSe: pairedSe(
      rows.map((r) => Number(r.choices.product === r.best) - Number(r.choices.agent === r.best)),
    ),
  }
}

function worldSeed(seed: number, index: number): number {
  return deriveSeed(seed, 'world', index)
}

export function runStudy(
  options: StudyOptions,
  onProgress: (message: string) => void = () => {},
): StudyResult {
  const base = options.base ?? BASE_WORLD
  const rule = options.rule ?? PRODUCT_DEFAULT_RULE
  const rows: WorldRow[] = []
  const summaries: PointSummary[] = []
  // The base configuration's markets, shared by the sweeps that only change how they are read.
  const baseRuns: { world: World; run: MarketRun }[] = []
  for (let i = 0; i < options.worlds; i++) {
    const world = makeWorld(worldSeed(options.seed, i), base)
    baseRuns.push({ world, run: simulateMarket(world) })
  }
  for (const sweep of SWEEPS) {
    for (const value of sweep.values) {
      const point = sweep.apply(base, rule, value)
      const pointRows: WorldRow[] = []
      for (let i = 0; i < options.worlds; i++) {
        const { world, run } = sweep.ruleOnly
          ? (baseRuns[i] as { world: World; run: MarketRun })
          : (() => {
              const w = makeWorld(worldSeed(options.seed, i), point.world)
              return { world: w, run: simulateMarket(w) }
            })()
        pointRows.push({
          sweep: sweep.name,
          value,
          world: i,
          best: world.best,
          truth: world.truth,
          choices: choose(world, run, point.rule),
          distinctTraders: run.distinctTraders,
          trades: run.trades,
        })
      }
      rows.push(...pointRows)
      summaries.push(summarise(sweep.name, value, pointRows))
    }
    onProgress(`sweep ${sweep.name} done`)
  }
  const manipulation: ManipulationRow[] = []
  for (const scenario of options.manipulationScenarios ?? MANIPULATION_SCENARIOS) {
    for (const value of scenario.values) {
      const point = scenario.apply(base, rule, value)
      for (let i = 0; i < options.manipulationWorlds; i++) {
        const world = makeWorld(worldSeed(options.seed, i), point.world)
        manipulation.push(
          ...manipulationCosts(world, point.rule, options.maxManipulationCredits, {
            scenario: scenario.name,
            value,
            index: i,
            rules: scenario.rules,
          }),
        )
      }
    }
    onProgress(`manipulation ${scenario.name} done`)
  }
  return { options, base, rule, rows, summaries, manipulation }
}

export interface ManipulationScenario {
  name: string
  label: string
  values: readonly number[]
  /** The rules attacked; the rule-setting scenarios attack only the product's rule. */
  rules: readonly AttackRule[]
  apply: (world: WorldConfig, rule: RuleSettings, value: number) => { world: WorldConfig; rule: RuleSettings }
}

export const MANIPULATION_SCENARIOS: readonly ManipulationScenario[] = [
  {
    name: 'liquidity',
    label: 'subsidy per branch (credits)',
    values: [30, 100, 1000],
    rules: ['last', 'twap', 'product'],
    apply: (w, r, v) => ({ world: { ...w, liquidity: v }, rule: r }),
  },
  {
    name: 'traders',
    label: 'honest traders',
    values: [3, 5, 20],
    rules: ['last', 'twap', 'product'],
    apply: (w, r, v) => ({ world: { ...w, traders: v }, rule: r }),
  },
  {
    name: 'threshold_bps',
    label: 'threshold over the default (bps)',
    values: [0, 100, 500],
    rules: ['product'],
    apply: (w, r, v) => ({ world: w, rule: { ...r, thresholdBps: v } }),
  },
  {
    name: 'max_step_bps',
    label: 'TWAP max step per observation (bps)',
    values: [25, 400],
    rules: ['product'],
    apply: (w, r, v) => ({ world: w, rule: { ...r, maxStepBps: v } }),
  },
  {
    name: 'window_hours',
    label: 'TWAP window before the decision (hours)',
    values: [1],
    rules: ['twap', 'product'],
    apply: (w, r, v) => ({ world: w, rule: withWindow(r, v, w) }),
  },
]

/** When the manipulator starts pushing, per rule, as ms before decide_at (0 h = the opening). */
function attackStarts(rule: AttackRule, durationMs: number): number[] {
  if (rule === 'last') return [durationMs - 60_000]
  // The opening first: under a TWAP from the opening it is usually the cheapest, and `some` stops
  // at the first start that flips. The late starts matter when the window is short.
  return [0, durationMs - 8 * 3_600_000, durationMs - 3_600_000, durationMs - 10 * 60_000].map((s) =>
    Math.max(0, s),
  )
}

function ruleChoice(world: World, run: MarketRun, rule: RuleSettings, attack: AttackRule): number {
  if (attack === 'product') return productChoice(world, run, rule, laggingScores(world, run, rule)).chosen
  return choose(world, run, rule)[attack]
}

/**
 * Per rule, the smallest budget with which the manipulator gets its target chosen: the target is
 * the truly worst action other than the agent's own choice (what a manipulator with an interest
 * against the agent's objective would push). The manipulator tries each start time with the same
 * budget; the budget is bisected on a log scale (9 steps from 1 credit to the cap, ≈ 4%).
 * Flipping is close to monotone in the budget but not exactly (the honest answers depend on the
 * path), so the figure is the budget this search finds, not a proven minimum.
 */
export function manipulationCosts(
  world: World,
  rule: RuleSettings,
  cap: number,
  at: { scenario: string; value: number; index: number; rules: readonly AttackRule[] },
): ManipulationRow[] {
  const { scenario, value, index } = at
  let target = -1
  world.truth.forEach((p, k) => {
    if (k !== world.agentChoice && (target < 0 || p < (world.truth[target] as number))) target = k
  })
  const honestBudget = world.traders.reduce((s, t) => s + t.budgetCredits, 0)
  const honest = simulateMarket(world)
  return at.rules.map((attack) => {
    const row = { scenario, value, world: index, target, rule: attack, honestBudget }
    if (ruleChoice(world, honest, rule, attack) === target) return { ...row, budget: 0 }
    const flips = (budget: number) =>
      attackStarts(attack, world.durationMs).some((startMs) => {
        const manipulator: Manipulator = {
          target,
          budgetCredits: budget,
          startMs,
          rule: attack,
          thresholdBps: rule.thresholdBps,
          defaultBranch: world.agentChoice,
          twap: rule,
        }
        return ruleChoice(world, simulateMarket(world, manipulator), rule, attack) === target
      })
    if (!flips(cap)) return { ...row, budget: null }
    let lo = 1
    let hi = cap
    if (flips(lo)) return { ...row, budget: lo }
    for (let step = 0; step < 9; step++) {
      const mid = Math.sqrt(lo * hi)
      if (flips(mid)) hi = mid
      else lo = mid
    }
    return { ...row, budget: hi }
  })
}
