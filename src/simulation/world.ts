/**
 * The world of one simulated decision: K candidate actions with hidden true success
 * probabilities, an agent whose prior leans toward one action, and traders with private noisy
 * signals, budgets and habits. Everything is drawn from a seed, and each part from its own
 * stream (the truth, the agent, trader i), so a sweep that changes one parameter (the number of
 * traders, the bias) keeps everything else in the world the same: common random numbers make
 * the curves of the report differ by the parameter, not by luck.
 */
import { deriveSeed, Rng } from './prng.js'

export interface WorldConfig {
  /** Candidate actions (branches), 2–16. */
  actions: number
  /** How much the agent's prior adds to the success probability of the action it leans toward. */
  bias: number
  /** Standard deviation of the agent's unsystematic error on every action. */
  priorNoise: number
  /** Honest traders. */
  traders: number
  /** Median standard deviation of a trader's signal; each trader's is this × 0.5..2 (log-uniform). */
  signalSd: number
  /** A trader's budget for the whole decision, credits, log-uniform in [lo, hi], split over branches. */
  budget: readonly [number, number]
  /** Scheduled visits per trader, at uniform times in the trading period. */
  visits: number
  /** Subsidy per branch (credits): b = L / ln 2 for the binary branches simulated here. */
  liquidity: number
  feeBps: number
  /** Trading period from opening to decide_at, hours. */
  hours: number
  /** How long an honest trader takes to notice a manipulated price and trade back, minutes (log-uniform). */
  reactionMinutes: readonly [number, number]
}

/** Product defaults where the product has them (fee, min trade), study choices otherwise. */
export const BASE_WORLD: WorldConfig = {
  actions: 4,
  bias: 0.1,
  priorNoise: 0.05,
  traders: 10,
  signalSd: 0.15,
  budget: [20, 200],
  visits: 3,
  liquidity: 100,
  feeBps: 50,
  hours: 24,
  reactionMinutes: [15, 360],
}

/** Range of the hidden success probabilities (uniform). */
export const TRUTH_RANGE: readonly [number, number] = [0.2, 0.8]

export interface Trader {
  id: number
  signalSd: number
  /** Posterior mean of each action's success probability given the trader's signal. */
  beliefs: number[]
  budgetCredits: number
  visitTimesMs: number[]
  reactionMs: number
}

export interface World {
  seed: number
  config: WorldConfig
  truth: number[]
  /** Index of the truly best action. */
  best: number
  /** The agent's prior probability of success per action. */
  prior: number[]
  /** The action the agent's prior leans toward (independent of the truth). */
  favoured: number
  /** argmax of the prior: what the agent would do alone. */
  agentChoice: number
  traders: Trader[]
  durationMs: number
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))

export function argmax(xs: readonly number[]): number {
  let best = 0
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) > (xs[best] as number)) best = i
  return best
}

export function makeWorld(seed: number, config: WorldConfig): World {
  const k = config.actions
  const truthRng = new Rng(deriveSeed(seed, 'truth'))
  const truth = Array.from({ length: k }, () => truthRng.uniform(TRUTH_RANGE[0], TRUTH_RANGE[1]))
  const agentRng = new Rng(deriveSeed(seed, 'agent'))
  const favoured = agentRng.int(k)
  const noise = Array.from({ length: k }, () => agentRng.normal())
  const prior = truth.map((p, i) =>
    clamp(p + (i === favoured ? config.bias : 0) + config.priorNoise * (noise[i] as number), 0.01, 0.99),
  )
  // A trader's posterior mean under a normal approximation of the uniform prior on the truth:
  // the signal is shrunk toward the prior mean by its precision, so noisy traders bet less far.
  const [lo, hi] = TRUTH_RANGE
  const priorMean = (lo + hi) / 2
  const priorVar = (hi - lo) ** 2 / 12
  const durationMs = Math.round(config.hours * 3_600_000)
  const traders: Trader[] = []
  for (let id = 0; id < config.traders; id++) {
    const r = new Rng(deriveSeed(seed, 'trader', id))
    const sd = config.signalSd * r.logUniform(0.5, 2)
    const weight = priorVar / (priorVar + sd * sd)
    const beliefs = truth.map((p) =>
      clamp(priorMean + weight * (p + sd * r.normal() - priorMean), 0.02, 0.98),
    )
    const budgetCredits = r.logUniform(config.budget[0], config.budget[1])
    const visitTimesMs = Array.from({ length: config.visits }, () => Math.floor(r.next() * durationMs)).sort(
      (a, b) => a - b,
    )
    const reactionMs = Math.round(r.logUniform(config.reactionMinutes[0], config.reactionMinutes[1]) * 60_000)
    traders.push({ id, signalSd: sd, beliefs, budgetCredits, visitTimesMs, reactionMs })
  }
  return {
    seed,
    config,
    truth,
    best: argmax(truth),
    prior,
    favoured,
    agentChoice: argmax(prior),
    traders,
    durationMs,
  }
}
