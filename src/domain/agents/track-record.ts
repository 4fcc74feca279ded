/**
 * An agent's track record, pure: from its decisions (the prior the agent stated before the market
 * opened, the market's choice and its score at the decision, the outcome reported afterwards) to
 * how often the market overrode the agent, and who forecast the action taken better.
 *
 * What is scored. Only the chosen action is ever carried out, so only its outcome is observed;
 * the actions not taken were voided and have no outcome. Each resolved decision is one event:
 * the realised objective of the action taken, y in [0, 1], on the scale the decision scores use
 * (domain/decision-rule/score.ts): binary 1 for YES, 0 for NO; scalar the LONG payout
 * clamp((v - lo) / (hi - lo), 0, 1); categorical the reported outcome's min-max normalised
 * utility. Two forecasts of y are set against it:
 *   - the market's: the chosen branch's decision score (its lagging TWAP) at the decision;
 *   - the prior's: the agent's own forecast for the action taken, given before the market opened
 *     (the LLM forecasts every candidate action); for a decision recorded without those, its
 *     stated confidence when the action taken is the one it chose (its confidence is its
 *     forecast for its own choice). Without either (an override, recorded before forecasts per
 *     action) the decision scores the market only.
 * Brier score = mean of (forecast - y)^2 (for scalar and categorical, the squared error of a
 * forecast of the mean, the same proper rule). Lower is better; "who was right" compares both on
 * the decisions where both forecast (paired), so neither is judged on easier events.
 */

export type ObjectiveKind = 'binary' | 'scalar' | 'categorical'

export interface DecisionEntry {
  decidedAt: Date
  priorBranch: number | null
  priorConfidence: number | null
  /** The prior's forecast per branch index, null where (or when) it gave none. */
  priorForecasts: ReadonlyArray<number | null> | null
  chosenBranch: number
  /** The chosen branch's decision score at the decision, in [0, 1]. */
  marketForecast: number | null
  /** The realised objective of the action taken, in [0, 1]; null until resolved. */
  outcome: number | null
}

export interface ResolutionFacts {
  kind: ObjectiveKind
  outcome: number | null
  /** Scalar markets: the reported value and the range, all in micro-units. */
  value: bigint | null
  scalarLo: bigint | null
  scalarHi: bigint | null
  utilities: readonly number[] | null
}

/** The realised objective on the scores' [0, 1] scale, or null when it cannot be read. */
export function realisedObjective(r: ResolutionFacts): number | null {
  switch (r.kind) {
    case 'binary':
      // Outcome 0 is YES (markets/create.ts BINARY_OUTCOMES), what a binary objective wants.
      return r.outcome === null ? null : r.outcome === 0 ? 1 : 0
    case 'scalar': {
      if (r.value === null || r.scalarLo === null || r.scalarHi === null || r.scalarHi <= r.scalarLo)
        return null
      if (r.value <= r.scalarLo) return 0
      if (r.value >= r.scalarHi) return 1
      return Number(r.value - r.scalarLo) / Number(r.scalarHi - r.scalarLo)
    }
    case 'categorical': {
      const u = r.utilities
      if (r.outcome === null || !u || r.outcome >= u.length) return null
      const min = Math.min(...u)
      const max = Math.max(...u)
      if (!(max > min)) return null
      return ((u[r.outcome] as number) - min) / (max - min)
    }
  }
}

/** The prior's forecast of the action taken: its forecast for it, else its confidence if it chose it. */
export function priorForecast(
  e: Pick<DecisionEntry, 'priorBranch' | 'priorConfidence' | 'priorForecasts' | 'chosenBranch'>,
): number | null {
  if (e.priorBranch === null) return null
  const forecast = e.priorForecasts?.[e.chosenBranch]
  if (forecast !== undefined && forecast !== null) return forecast
  return e.priorBranch === e.chosenBranch ? e.priorConfidence : null
}

/** Fixed precision for scores and frequencies in the API (6 decimals, like amounts). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

export interface DecisionScore {
  prior_forecast: number | null
  market_forecast: number | null
  outcome: number | null
  brier_prior: number | null
  brier_market: number | null
}

/** One decision's part of the record. */
export function scoreDecision(e: DecisionEntry): DecisionScore {
  const prior = priorForecast(e)
  const brier = (f: number | null) => (f === null || e.outcome === null ? null : round6((f - e.outcome) ** 2))
  return {
    prior_forecast: prior,
    market_forecast: e.marketForecast,
    outcome: e.outcome === null ? null : round6(e.outcome),
    brier_prior: brier(prior),
    brier_market: brier(e.marketForecast),
  }
}

export interface CalibrationBucket {
  /** Forecasts in [lo, hi) (the last bucket includes 1). */
  lo: number
  hi: number
  count: number
  mean_forecast: number | null
  /** The mean realised objective (for binary: how often YES came). */
  observed: number | null
}

export const CALIBRATION_BUCKETS = 10

function calibration(pairs: ReadonlyArray<{ f: number; y: number }>): CalibrationBucket[] {
  const sums = Array.from({ length: CALIBRATION_BUCKETS }, () => ({ n: 0, f: 0, y: 0 }))
  for (const { f, y } of pairs) {
    const s = sums[Math.min(CALIBRATION_BUCKETS - 1, Math.floor(f * CALIBRATION_BUCKETS))] as (typeof sums)[0]
    s.n += 1
    s.f += f
    s.y += y
  }
  return sums.map((s, i) => ({
    lo: i / CALIBRATION_BUCKETS,
    hi: (i + 1) / CALIBRATION_BUCKETS,
    count: s.n,
    mean_forecast: s.n ? round6(s.f / s.n) : null,
    observed: s.n ? round6(s.y / s.n) : null,
  }))
}

export interface Summary {
  /** Decisions the market took (decided). */
  decided: number
  /** Of those, how many had a prior on record. */
  with_prior: number
  /** How many the market decided otherwise than the prior. */
  overridden: number
  /** overridden / with_prior; null without priors. */
  override_rate: number | null
  /** Decided decisions whose outcome is reported. */
  resolved: number
  brier: {
    /** Mean over the resolved decisions with a market forecast. */
    market: number | null
    market_count: number
    /** Mean over the resolved decisions where the prior forecast the action taken. */
    prior: number | null
    prior_count: number
    /** Both on the decisions both forecast: the fair comparison. */
    paired: { count: number; prior: number | null; market: number | null }
  }
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? round6(xs.reduce((a, b) => a + b, 0) / xs.length) : null
}

export function summarise(entries: readonly DecisionEntry[]): Summary {
  const withPrior = entries.filter((e) => e.priorBranch !== null)
  const overridden = withPrior.filter((e) => e.priorBranch !== e.chosenBranch).length
  const resolved = entries.filter((e) => e.outcome !== null)
  const market: number[] = []
  const prior: number[] = []
  const pairedPrior: number[] = []
  const pairedMarket: number[] = []
  for (const e of resolved) {
    const y = e.outcome as number
    const p = priorForecast(e)
    if (e.marketForecast !== null) market.push((e.marketForecast - y) ** 2)
    if (p !== null) prior.push((p - y) ** 2)
    if (p !== null && e.marketForecast !== null) {
      pairedPrior.push((p - y) ** 2)
      pairedMarket.push((e.marketForecast - y) ** 2)
    }
  }
  return {
    decided: entries.length,
    with_prior: withPrior.length,
    overridden,
    override_rate: withPrior.length ? round6(overridden / withPrior.length) : null,
    resolved: resolved.length,
    brier: {
      market: mean(market),
      market_count: market.length,
      prior: mean(prior),
      prior_count: prior.length,
      paired: { count: pairedPrior.length, prior: mean(pairedPrior), market: mean(pairedMarket) },
    },
  }
}

export interface TrackRecord extends Summary {
  calibration: { prior: CalibrationBucket[]; market: CalibrationBucket[] }
  /** Per calendar month (UTC) of the decision, oldest first. */
  by_month: Array<{ month: string } & Summary>
  /** The most recent `recent` decisions alone: whether the lean is being corrected. */
  recent: { size: number } & Summary
}

/** The whole record; `entries` in any order. */
export function trackRecord(entries: readonly DecisionEntry[], recentSize = 20): TrackRecord {
  const sorted = [...entries].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime())
  const priorPairs: Array<{ f: number; y: number }> = []
  const marketPairs: Array<{ f: number; y: number }> = []
  for (const e of sorted) {
    if (e.outcome === null) continue
    const p = priorForecast(e)
    if (p !== null) priorPairs.push({ f: p, y: e.outcome })
    if (e.marketForecast !== null) marketPairs.push({ f: e.marketForecast, y: e.outcome })
  }
  const months = new Map<string, DecisionEntry[]>()
  for (const e of sorted) {
    const month = e.decidedAt.toISOString().slice(0, 7)
    const list = months.get(month) ?? []
    list.push(e)
    months.set(month, list)
  }
  return {
    ...summarise(sorted),
    calibration: { prior: calibration(priorPairs), market: calibration(marketPairs) },
    by_month: [...months].map(([month, list]) => ({ month, ...summarise(list) })),
    recent: { size: recentSize, ...summarise(sorted.slice(-recentSize)) },
  }
}

/**
 * The record as the agent's LLM is told it before a new decision: how often the market overrode
 * it and who forecast better, so it can correct its own lean. Empty when nothing is decided yet.
 */
export function describeForPrompt(s: Summary): string {
  if (s.decided === 0) return ''
  const lines = [`Your track record: the market has taken ${s.decided} of your decisions.`]
  if (s.with_prior > 0) {
    lines.push(
      `It overrode your own choice in ${s.overridden} of the ${s.with_prior} decisions where you gave one (${Math.round((s.override_rate ?? 0) * 100)}%).`,
    )
  }
  const { paired } = s.brier
  if (paired.count > 0 && paired.prior !== null && paired.market !== null) {
    const verdict =
      paired.prior < paired.market
        ? 'you forecast better than the market'
        : paired.prior > paired.market
          ? 'the market forecast better than you'
          : 'you and the market forecast equally well'
    lines.push(
      `On the ${paired.count} resolved decisions where you both forecast the action taken, your Brier score was ${paired.prior.toFixed(4)} and the market's ${paired.market.toFixed(4)} (lower is better): ${verdict}.`,
    )
  }
  if (s.brier.market !== null) {
    lines.push(
      `Over all ${s.brier.market_count} resolved decisions the market's Brier score was ${s.brier.market.toFixed(4)}.`,
    )
  }
  lines.push('If the market keeps overriding you and forecasts better, your choices lean: correct for it.')
  return lines.join(' ')
}
