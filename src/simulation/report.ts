/**
 * The study's output as files: the Markdown report, its SVG charts and the raw CSVs. Pure: it
 * returns paths and contents; scripts/simulate.ts writes them. Every number in the text is
 * computed from the result, so the report says what this run found, for this seed.
 */
import type { AttackRule } from './market.js'
import { RULES, type RuleName } from './rules.js'
import {
  MANIPULATION_SCENARIOS,
  type ManipulationRow,
  type PointSummary,
  pairedSe,
  type StudyResult,
  SWEEPS,
} from './study.js'
import { barChart, lineChart } from './svg.js'
import { TRUTH_RANGE } from './world.js'

export const REPORT_PATH = 'docs/decision-quality.md'
export const ASSET_DIR = 'docs/decision-quality'

const COLOR: Record<RuleName, string> = {
  agent: '#555555',
  product: '#d62728',
  last: '#1f77b4',
  twap: '#2ca02c',
}
const SHORT: Record<RuleName, string> = {
  agent: 'agent',
  product: 'product',
  last: 'last price',
  twap: 'plain TWAP',
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} pts`
const credits = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))

function point(result: StudyResult, sweep: string, value: number): PointSummary {
  const found = result.summaries.find((s) => s.sweep === sweep && s.value === value)
  if (!found) throw new Error(`no summary for ${sweep}=${value}`)
  return found
}

function points(result: StudyResult, sweep: string): PointSummary[] {
  return result.summaries.filter((s) => s.sweep === sweep)
}

/** Standard error of a share over n worlds. */
const se = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n)

function csv(rows: readonly (readonly (string | number)[])[]): string {
  return `${rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)).join(',')).join('\n')}\n`
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')
}

function summaryCsv(result: StudyResult): string {
  const rows: (string | number)[][] = [
    [
      'sweep',
      'value',
      'worlds',
      'rule',
      'accuracy',
      'accuracy_se',
      'mean_regret',
      'override_rate',
      'override_right',
      'minimums_unmet',
    ],
  ]
  for (const s of result.summaries) {
    for (const rule of RULES) {
      rows.push([
        s.sweep,
        s.value,
        s.worlds,
        rule,
        s.accuracy[rule],
        se(s.accuracy[rule], s.worlds),
        s.regret[rule],
        s.overrideRate,
        s.overrideRight,
        s.minimumsUnmet,
        s.gainSe,
      ])
    }
  }
  return csv(rows)
}

function worldsCsv(result: StudyResult): string {
  const rows: (string | number)[][] = [
    ['sweep', 'value', 'world', 'best', ...RULES, 'product_reason', 'distinct_traders', 'trades'],
  ]
  for (const r of result.rows) {
    rows.push([
      r.sweep,
      r.value,
      r.world,
      r.best,
      ...RULES.map((rule) => r.choices[rule]),
      r.choices.productReason,
      r.distinctTraders,
      r.trades,
    ])
  }
  return csv(rows)
}

/** The hidden success probabilities, once per world: a world's truth is the same at every sweep point. */
function truthCsv(result: StudyResult): string {
  const truth = new Map<number, number[]>()
  for (const r of result.rows) if (!truth.has(r.world)) truth.set(r.world, r.truth)
  const k = result.base.actions
  const rows: (string | number)[][] = [['world', ...Array.from({ length: k }, (_, i) => `p_${i}`)]]
  for (const [world, ps] of [...truth.entries()].sort((a, b) => a[0] - b[0])) rows.push([world, ...ps])
  return csv(rows)
}

function manipulationCsv(result: StudyResult): string {
  const rows: (string | number)[][] = [
    ['scenario', 'value', 'world', 'target', 'rule', 'budget', 'honest_budget'],
  ]
  for (const m of result.manipulation) {
    rows.push([
      m.scenario,
      m.value,
      m.world,
      m.target,
      m.rule,
      m.budget === null ? '' : m.budget,
      m.honestBudget,
    ])
  }
  return csv(rows)
}

interface ManipulationStats {
  n: number
  median: number
  q1: number
  q3: number
  /** Worlds the rule picked the target without any manipulation. */
  free: number
  /** Worlds not flipped under the cap. */
  censored: number
}

/** Quantiles with the censored worlds counted as +∞ (at or above the cap). */
function manipulationStats(rows: readonly ManipulationRow[]): ManipulationStats {
  const budgets = rows.map((r) => r.budget ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b)
  // An empty scenario (a study run with fewer scenarios) has no quantiles: NaN, shown as '–'.
  const q = (f: number) => budgets[Math.min(budgets.length - 1, Math.floor(f * budgets.length))] ?? Number.NaN
  return {
    n: budgets.length,
    median: q(0.5),
    q1: q(0.25),
    q3: q(0.75),
    free: budgets.filter((b) => b === 0).length,
    censored: budgets.filter((b) => b === Number.POSITIVE_INFINITY).length,
  }
}

function manipulationOf(result: StudyResult, scenario: string, value: number, rule: AttackRule) {
  return manipulationStats(
    result.manipulation.filter((m) => m.scenario === scenario && m.value === value && m.rule === rule),
  )
}

const shown = (x: number, cap: number) => {
  if (Number.isNaN(x)) return '–'
  return Number.isFinite(x) ? credits(x) : `≥ ${credits(cap)}`
}

function accuracyChart(result: StudyResult, sweep: string): string {
  const spec = SWEEPS.find((s) => s.name === sweep)
  const ps = points(result, sweep)
  return lineChart({
    title: `Truly best action chosen, by ${sweep.replace(/_/g, ' ')}`,
    xLabel: spec?.label ?? sweep,
    yLabel: '% of worlds',
    xs: ps.map((p) => String(p.value)),
    series: RULES.map((rule) => ({
      name: SHORT[rule],
      color: COLOR[rule],
      values: ps.map((p) => p.accuracy[rule]),
    })),
    yMin: 0.4,
    yMax: 1,
    yFormat: (y) => `${Math.round(y * 100)}%`,
  })
}

function regretChart(result: StudyResult, sweep: string): string {
  const spec = SWEEPS.find((s) => s.name === sweep)
  const ps = points(result, sweep)
  const top = Math.max(0.02, ...ps.flatMap((p) => RULES.map((r) => p.regret[r])))
  return lineChart({
    title: `Mean regret, by ${sweep.replace(/_/g, ' ')}`,
    xLabel: spec?.label ?? sweep,
    yLabel: 'p(best) − p(chosen)',
    xs: ps.map((p) => String(p.value)),
    series: RULES.map((rule) => ({
      name: SHORT[rule],
      color: COLOR[rule],
      values: ps.map((p) => p.regret[rule]),
    })),
    yMin: 0,
    yMax: Math.ceil(top * 100) / 100,
    yFormat: (y) => y.toFixed(3),
  })
}

function manipulationChart(result: StudyResult): string {
  const scenario = MANIPULATION_SCENARIOS[0]
  if (!scenario) throw new Error('no manipulation scenario')
  const rules: AttackRule[] = ['last', 'twap', 'product']
  const cap = result.options.maxManipulationCredits
  const medians = rules.map((rule) =>
    scenario.values.map((v) => Math.min(cap, manipulationOf(result, scenario.name, v, rule).median) || 0),
  )
  const top = Math.max(10, ...medians.flat())
  return barChart({
    title: 'Median budget to flip a decision to the worst action',
    xLabel: scenario.label,
    yLabel: 'credits',
    xs: scenario.values.map(String),
    series: rules.map((rule, i) => ({
      name: SHORT[rule],
      color: COLOR[rule],
      values: medians[i] as number[],
    })),
    yMin: 0,
    yMax: Math.ceil(top / 50) * 50,
    yFormat: (y) => y.toFixed(0),
  })
}

function sweepTable(result: StudyResult, sweep: string): string {
  const lines = [
    `| value | ${RULES.map((r) => `${SHORT[r]}: best chosen`).join(' | ')} | ${RULES.map((r) => `${SHORT[r]}: regret`).join(' | ')} | product overrides agent | … and is right | minimums unmet |`,
    `|---|${RULES.map(() => '---:').join('|')}|${RULES.map(() => '---:').join('|')}|---:|---:|---:|`,
  ]
  for (const p of points(result, sweep)) {
    lines.push(
      `| ${p.value} | ${RULES.map((r) => pct(p.accuracy[r])).join(' | ')} | ${RULES.map((r) => p.regret[r].toFixed(4)).join(' | ')} | ${pct(p.overrideRate)} | ${p.overrideRate === 0 ? '–' : pct(p.overrideRight)} | ${pct(p.minimumsUnmet)} |`,
    )
  }
  return lines.join('\n')
}

/** The sweep value with the lowest product-rule regret (ties: the first). */
function bestValue(result: StudyResult, sweep: string): PointSummary {
  return points(result, sweep).reduce((a, b) => (b.regret.product < a.regret.product - 1e-12 ? b : a))
}

export function renderReport(result: StudyResult, command: string): Map<string, string> {
  const files = new Map<string, string>()
  const { base, rule, options } = result
  const n = options.worlds
  const b0 = point(result, 'bias', base.bias)
  const biasPoints = points(result, 'bias')
  const strongest = biasPoints[biasPoints.length - 1] as PointSummary
  const traderPoints = points(result, 'traders')
  const worseThanAgent = (p: PointSummary, r: RuleName) => p.accuracy[r] < p.accuracy.agent
  const noisy = points(result, 'signal_sd').filter(
    (p) => worseThanAgent(p, 'last') || worseThanAgent(p, 'product'),
  )
  const deep = points(result, 'liquidity').filter((p) => p.overrideRate === 0)
  const bestThreshold = bestValue(result, 'threshold_bps')
  const current = point(result, 'threshold_bps', rule.thresholdBps)
  const cap = options.maxManipulationCredits
  const m = (scenario: string, value: number, r: AttackRule) => manipulationOf(result, scenario, value, r)
  const baseL = base.liquidity
  const mLast = m('liquidity', baseL, 'last')
  const mTwap = m('liquidity', baseL, 'twap')
  const mProduct = m('liquidity', baseL, 'product')
  const honestTotal =
    result.manipulation
      .filter((r) => r.scenario === 'liquidity' && r.value === baseL && r.rule === 'product')
      .reduce((s, r) => s + r.honestBudget, 0) / Math.max(1, mProduct.n)

  const thin = traderPoints.filter(
    (p) => p.value > 0 && p.value < rule.minTraders && worseThanAgent(p, 'last'),
  )
  const atFloor = traderPoints.find((p) => p.value === rule.minTraders)
  const productBelow = traderPoints.filter((p) => p.value >= rule.minTraders && worseThanAgent(p, 'product'))
  const list = (ps: readonly PointSummary[], f: (p: PointSummary) => string) => ps.map(f).join('; ')
  const notHelping = [
    '- **Where the market does not help.**',
    thin.length > 0
      ? `With fewer traders than the rule's minimum of ${rule.minTraders}, the market's price is worse than the agent alone (${list(thin, (p) => `${p.value} trader(s): last price ${pct(p.accuracy.last)} vs ${pct(p.accuracy.agent)}`)}): one or two traders' noise replaces the agent's. The product's rule falls back to the agent there; that minimum is what protects it.`
      : '',
    atFloor
      ? `At exactly ${atFloor.value} traders the product's rule's gain over the agent is ${pts(atFloor.accuracy.product - atFloor.accuracy.agent)} ± ${pts(atFloor.gainSe).slice(1)} (paired standard error), and its overrides are right ${pct(atFloor.overrideRight)} of the time.`
      : '',
    productBelow.length > 0
      ? `At ${list(productBelow, (p) => `${p.value} traders`)} the product's rule is below the agent.`
      : '',
    noisy.length > 0
      ? `With imprecise traders the market stops helping: ${list(noisy, (p) => `median signal s.d. ${p.value}: product ${pct(p.accuracy.product)}, last price ${pct(p.accuracy.last)}, agent ${pct(p.accuracy.agent)}`)}.`
      : '',
    deep.length > 0
      ? `With a deep subsidy (${deep.map((p) => p.value).join(', ')} credits per branch, against traders who bring ${base.budget[0]}–${base.budget[1]} credits each for all branches) the traders cannot move the scores ${rule.thresholdBps} bps apart, so the product's rule never overrides the agent (${list(deep, (p) => `${p.value}: ${pct(p.accuracy.product)}, while the last price of the same markets reaches ${pct(p.accuracy.last)}`)}): the threshold is in score points, and how far money moves a score depends on the subsidy.`
      : '',
  ]
    .filter((line) => line.length > 0)
    .join(' ')
  const order = [
    { name: 'the last-price rule', s: mLast },
    { name: 'a plain TWAP', s: mTwap },
    { name: "the product's rule", s: mProduct },
  ]
  const fromTime = mTwap.median - mLast.median
  const fromThreshold = mProduct.median - mTwap.median
  const manipulationFinding = `- **Manipulation.** Flipping a decision to the worst action other than the agent's own took a median of ${order.map((o) => `${shown(o.s.median, cap)} credits under ${o.name}`).join(', ')} (subsidy ${baseL}, ${base.traders} honest traders who brought ${credits(honestTotal)} credits in all)${
    Number.isFinite(mLast.median) && mLast.median > 0 && Number.isFinite(mProduct.median)
      ? `: the product's rule costs a manipulator ${(mProduct.median / mLast.median).toFixed(1)}× what the last price does`
      : ''
  }. ${
    fromTime > fromThreshold
      ? 'Most of the difference comes from the TWAP, which gives honest traders time to answer; the threshold adds the rest.'
      : 'The threshold adds more than the TWAP does.'
  }`

  /** Paired difference of the product rule's accuracy between two points of the same worlds. */
  const pairedDiff = (a: { sweep: string; value: number }, b: { sweep: string; value: number }) => {
    const right = (sweep: string, value: number) => {
      const byWorld = new Map<number, number>()
      for (const r of result.rows) {
        if (r.sweep === sweep && r.value === value) byWorld.set(r.world, Number(r.choices.product === r.best))
      }
      return byWorld
    }
    const ra = right(a.sweep, a.value)
    const rb = right(b.sweep, b.value)
    const d = [...ra.entries()].map(([w, x]) => x - (rb.get(w) ?? 0))
    return { mean: d.reduce((s, x) => s + x, 0) / Math.max(1, d.length), se: pairedSe(d) }
  }
  const significant = (mean: number, err: number) => Math.abs(mean) > 2 * err
  const noise = (mean: number, err: number) =>
    `${pts(mean)} ± ${pts(err).slice(1)}${significant(mean, err) ? '' : ' (within noise)'}`

  const steps = points(result, 'max_step_bps')
  const stepSpread =
    Math.max(...steps.map((p) => p.accuracy.product)) - Math.min(...steps.map((p) => p.accuracy.product))
  const stepNote =
    stepSpread === 0
      ? `With honest traders alone the step changes no decision here: honest prices move slowly compared with any of these steps over a ${base.hours} h window. What a lag could buy is against manipulation (below).`
      : `The step moves the product's rule by up to ${pts(stepSpread)} with honest traders alone.`
  const gainText = (p: PointSummary | undefined) =>
    p ? noise(p.accuracy.product - p.accuracy.agent, p.gainSe) : '–'
  // The smallest trader count at or above the current floor where the rule's gain over the agent
  // clears two paired standard errors: below it, the market's say is close to a coin toss.
  const worthIt = traderPoints.find(
    (p) => p.value >= rule.minTraders && p.accuracy.product - p.accuracy.agent > 2 * p.gainSe,
  )
  const m3 = m('traders', MANIPULATION_SCENARIOS[1]?.values[0] ?? 3, 'product')
  const thresholdCost = (v: number) => (v === rule.thresholdBps ? mProduct : m('threshold_bps', v, 'product'))
  const thresholdDiff = pairedDiff(
    { sweep: 'threshold_bps', value: bestThreshold.value },
    { sweep: 'threshold_bps', value: rule.thresholdBps },
  )
  const short = points(result, 'window_hours')[0]
  const windowDiff = short
    ? pairedDiff({ sweep: 'window_hours', value: short.value }, { sweep: 'bias', value: base.bias })
    : { mean: 0, se: 0 }
  const mWindowTwap = m('window_hours', 1, 'twap')
  const mWindowProduct = m('window_hours', 1, 'product')
  const thinL = MANIPULATION_SCENARIOS[0]?.values[0] ?? 30
  const recommendations = [
    `- **threshold_bps** (default ${rule.thresholdBps}): ${
      bestThreshold.value === rule.thresholdBps
        ? `the lowest product-rule regret in the sweep is at the default (${current.regret.product.toFixed(4)}).`
        : `the lowest product-rule regret in the sweep is at ${bestThreshold.value} bps (${bestThreshold.regret.product.toFixed(4)}, best action ${pct(bestThreshold.accuracy.product)}) against ${current.regret.product.toFixed(4)} and ${pct(current.accuracy.product)} at ${rule.thresholdBps} bps: ${noise(thresholdDiff.mean, thresholdDiff.se)} in the best action chosen.`
    } The threshold's other effects: on manipulation, a median of ${[0, 100, rule.thresholdBps, 500].map((v) => `${shown(thresholdCost(v).median, cap)} credits at ${v} bps`).join(', ')}; on how often an override is right, ${pct(current.overrideRight)} at ${rule.thresholdBps} bps and ${pct(point(result, 'threshold_bps', 0).overrideRight)} at 0. ${
      significant(thresholdDiff.mean, thresholdDiff.se) && thresholdDiff.mean > 0
        ? `The study recommends ${bestThreshold.value} bps for accuracy, at the manipulation cost shown.`
        : `The study finds no reason to change ${rule.thresholdBps} bps.`
    }`,
    worthIt && worthIt.value > rule.minTraders
      ? `- **min_traders** (default ${rule.minTraders}): at ${rule.minTraders} traders the rule's gain over the agent is ${gainText(atFloor)} and its overrides are right ${pct(atFloor?.overrideRight ?? 0)} of the time, while a manipulator flips such a market for a median of ${shown(m3.median, cap)} credits (${shown(mProduct.median, cap)} with ${base.traders} traders). The gain first clears two paired standard errors at ${worthIt.value} traders (${gainText(worthIt)}; the sweep's points are ${traderPoints
          .filter((p) => p.value >= rule.minTraders)
          .map((p) => `${p.value}: ${pts(p.accuracy.product - p.accuracy.agent)}`)
          .join(
            ', ',
          )}). **The study recommends raising min_traders to ${worthIt.value}**: below that an override is close to a coin toss and cheap to buy, and the fallback (the agent's own choice) loses little. A floor of traders is easy to fake with several accounts, though (not modelled here).`
      : `- **min_traders** (default ${rule.minTraders}): keep it; at ${rule.minTraders} traders the rule's gain over the agent clears two paired standard errors (${gainText(atFloor)}), and with fewer the rule takes the agent's choice. (The default was 3 until this study: the report of commit 172b5a3, run with it, found the gain within noise at 3 and 5 traders, overrides right about half the time at 3, and such markets flipped for a fraction of what 10 traders make a manipulator pay.)`,
    `- **Subsidy (liquidity_per_decision, no default)**: the threshold only works if traders can move a score by it. Keep the subsidy per branch at or below what the expected traders bring to one branch (here about ${credits(honestTotal / base.actions)} credits): at ${deep.map((p) => p.value).join(' and ') || 'none of the tested values'} credits the rule never overrode the agent. A thin subsidy did not hurt accuracy, nor much resistance under the product's rule (median ${shown(m('liquidity', thinL, 'product').median, cap)} credits at ${thinL}, against ${shown(m('liquidity', thinL, 'last').median, cap)} under the last price): what a manipulator pays for under a TWAP is the honest traders' answers, more than the market maker.`,
    `- **twap_max_step_bps** (default ${rule.maxStepBps}): ${
      mProduct.median === m('max_step_bps', 25, 'product').median &&
      mProduct.median === m('max_step_bps', 400, 'product').median
        ? 'the step changed neither accuracy nor the median cost of manipulation (25, 100 and 400 bps alike): with the window from the opening the cheapest attack starts early, where the lag costs the manipulator minutes. Keep it; it costs nothing.'
        : `manipulation costs a median of ${[25, rule.maxStepBps, 400].map((v) => `${shown(v === rule.maxStepBps ? mProduct.median : m('max_step_bps', v, 'product').median, cap)} credits at ${v} bps`).join(', ')}.`
    }`,
    short
      ? `- **twap_window_seconds** (default: from the opening): a ${short.value} h window changes accuracy by ${noise(windowDiff.mean, windowDiff.se)}, and makes manipulation cheaper: a median of ${shown(mWindowProduct.median, cap)} credits under the product's rule (${shown(mProduct.median, cap)} with the whole period), ${shown(mWindowTwap.median, cap)} under a plain TWAP with that window. Keep the default; where a short window is wanted, the lag and the threshold are what keep it from being much cheaper to push.`
      : '',
  ]
    .filter((line) => line.length > 0)
    .join('\n')

  for (const sweep of ['bias', 'traders', 'signal_sd', 'liquidity', 'threshold_bps']) {
    files.set(`${ASSET_DIR}/accuracy-${sweep.replace(/_/g, '-')}.svg`, accuracyChart(result, sweep))
  }
  files.set(`${ASSET_DIR}/regret-bias.svg`, regretChart(result, 'bias'))
  files.set(`${ASSET_DIR}/manipulation-liquidity.svg`, manipulationChart(result))
  files.set(`${ASSET_DIR}/summary.csv`, summaryCsv(result))
  files.set(`${ASSET_DIR}/worlds.csv`, worldsCsv(result))
  files.set(`${ASSET_DIR}/truth.csv`, truthCsv(result))
  files.set(`${ASSET_DIR}/manipulation.csv`, manipulationCsv(result))

  const img = (name: string, alt: string) => `![${alt}](decision-quality/${name})`
  const manipulationTable = (scenario: string, values: readonly number[], rules: readonly AttackRule[]) => {
    const lines = [
      '| scenario | rule | worlds | median budget | 25%–75% | flipped for free | not flipped ≤ cap |',
      '|---|---|---:|---:|---:|---:|---:|',
    ]
    for (const v of values) {
      for (const r of rules) {
        const s = m(scenario, v, r)
        if (s.n === 0) continue
        lines.push(
          `| ${scenario.replace(/_/g, ' ')} = ${v} | ${SHORT[r]} | ${s.n} | ${shown(s.median, cap)} | ${shown(s.q1, cap)}–${shown(s.q3, cap)} | ${s.free} | ${s.censored} |`,
        )
      }
    }
    return lines.join('\n')
  }

  const text = `# Does the market reduce the agent's bias? A simulation study

Generated by \`${command}\` (seed ${options.seed}, ${n} worlds per point, ${options.manipulationWorlds} worlds per
manipulation scenario). Do not edit by hand: change \`src/simulation/\` and run the command again; the same
seed gives the same report, byte for byte. Raw results: [summary.csv](decision-quality/summary.csv) (one row
per sweep point and rule), [worlds.csv](decision-quality/worlds.csv) (one row per simulated world and sweep point: the action each rule chose),
[truth.csv](decision-quality/truth.csv) (each world's hidden success probabilities, the same at every point),
[manipulation.csv](decision-quality/manipulation.csv) (one row per world, scenario and rule).

## What it finds

- **With the default configuration** (${base.traders} traders, bias ${base.bias}, subsidy ${baseL} credits per branch,
  the product's default rule) the agent alone picks the truly best of ${base.actions} actions in ${pct(b0.accuracy.agent)}
  of worlds, the product's rule in ${pct(b0.accuracy.product)} (${gainText(b0)}); mean
  regret goes from ${b0.regret.agent.toFixed(4)} to ${b0.regret.product.toFixed(4)}. The rule overrides the agent in
  ${pct(b0.overrideRate)} of worlds and is right (the action taken is truly better) in ${pct(b0.overrideRight)} of those.
- **The stronger the bias, the more the market is worth.** At bias ${strongest.value} the agent alone is right in
  ${pct(strongest.accuracy.agent)}, the product's rule in ${pct(strongest.accuracy.product)}; at bias 0 they are
  ${pct(biasPoints[0]?.accuracy.agent ?? 0)} and ${pct(biasPoints[0]?.accuracy.product ?? 0)} (${gainText(biasPoints[0])}):
  an unbiased agent with a small error has less for a market of ${base.traders} noisy traders to correct.
${notHelping}
${manipulationFinding}

## The model

Each world is one decision with ${base.actions} candidate actions; action k succeeds with a hidden probability drawn
uniformly from ${TRUTH_RANGE[0]}–${TRUTH_RANGE[1]}. Every branch is a binary market (does the action succeed?) with
the product's LMSR market maker and a subsidy of ${baseL} credits (b = L / ln 2), trading through the product's trade engine
(\`quote\`: fees of ${base.feeBps} bps, rounding against the trader, cash checks, the default trade limits).

- **The agent** has a prior: the true probability, plus \`bias\` on one action it leans toward (chosen at random,
  independent of the truth: a systematic lean), plus normal noise of s.d. ${base.priorNoise} on every action. Alone it takes
  the action its prior rates highest. In every market rule below that action is the default (the product falls back to the
  operator's default action; the study assumes the operator made the agent's choice the default).
- **Honest traders** (${base.traders} by default) each see a private signal of every action's probability with normal noise
  (median s.d. ${base.signalSd}, each trader 0.5–2× that), and believe the Bayesian posterior mean (the signal shrunk toward
  0.5 by its precision). Each brings a budget log-uniform in ${base.budget[0]}–${base.budget[1]} credits, split evenly
  over the branches, and visits ${base.visits} times at uniform times over a ${base.hours} h trading period. At a visit
  it trades every branch as a **Kelly bettor**: it buys the YES or NO shares that maximise its expected log wealth given
  its belief and what it already holds there (and skips edges under 1 percentage point). With LMSR, Kelly bettors' prices
  converge to a wealth-weighted average of their beliefs (Beygelzimer, Langford & Pennock, 2012).
- **The rules** read the same market: *agent* (argmax prior); *product* (per branch the lagging TWAP of P(success)
  from the opening, one observation per ${rule.intervalMs / 1000} s, max step ${rule.maxStepBps} bps, opening
  observation 0.5; then the domain's \`decide\` with threshold ${rule.thresholdBps} bps, at least ${rule.minTraders}
  distinct traders and ${rule.minVolume} credits of volume: the product's \`DEFAULT_RULE\`); *last price* (highest
  final price); *plain TWAP* (highest unlagged TWAP over the same window, no threshold, no minimums). Ties go to the
  default.
- **Regret** is p(best action) − p(chosen action). Worlds are shared across sweep points (world i has the same truth,
  agent and traders at every point; a sweep changes one parameter), so differences between points are paired. With
  ${n} worlds a share has a standard error of about ${pct(se(0.8, n))} at 80%: differences of a point or two between
  rules at one setting are within noise (summary.csv has the standard errors).

## Results

### Bias of the agent

${img('accuracy-bias.svg', 'accuracy by bias')}
${img('regret-bias.svg', 'regret by bias')}

${sweepTable(result, 'bias')}

### Number of traders

${img('accuracy-traders.svg', 'accuracy by number of traders')}

${sweepTable(result, 'traders')}

### Precision of the traders' signals

${img('accuracy-signal-sd.svg', 'accuracy by signal noise')}

${sweepTable(result, 'signal_sd')}

### Liquidity (subsidy per branch)

${img('accuracy-liquidity.svg', 'accuracy by liquidity')}

${sweepTable(result, 'liquidity')}

### Threshold over the default

${img('accuracy-threshold-bps.svg', 'accuracy by threshold')}

${sweepTable(result, 'threshold_bps')}

### TWAP max step

The same markets read with other steps (honest trading only):

${sweepTable(result, 'max_step_bps')}

${stepNote}

### TWAP window

The same markets read with a window of the last hours before the decision instead of the whole trading period:

${sweepTable(result, 'window_hours')}

## Manipulation

Per world a manipulator wants the truly worst action other than the agent's own choice. It starts pushing at a chosen
time and, until its budget runs out, keeps that branch's YES price at the level the rule needs: for the last price just above
the best other branch; for a TWAP rule the constant level that, held to the decision while the other branches stay where they
are, lifts its TWAP over theirs (over the default's by the threshold, for the product's rule), plus what the lag loses while
the observation climbs. It re-aims after every honest trade (its bot answers within a second) and every 30 minutes. Each push
alerts the honest traders: each comes back after its own reaction time (log-uniform ${base.reactionMinutes[0]}–${base.reactionMinutes[1]}
minutes) and trades on its beliefs again, so a rule that gives them time lets them answer; a push a minute before the decision
is answered by nobody. Start times tried: 1 minute before the decision for the last price; the opening, 8 h, 1 h and 10 minutes
before the decision for the TWAP rules (any that flips counts). The budget is bisected on a log scale from 1 credit to ${cap} credits
(9 steps, about 4%); flipping is nearly but not exactly monotone in the budget, so a figure is the budget this search found,
not a proven minimum. The agent alone cannot be moved through the market at all (it does not read it).

${img('manipulation-liquidity.svg', 'manipulation cost by liquidity')}

${manipulationTable('liquidity', MANIPULATION_SCENARIOS[0]?.values ?? [], ['last', 'twap', 'product'])}

${manipulationTable('traders', MANIPULATION_SCENARIOS[1]?.values ?? [], ['last', 'twap', 'product'])}

The product's rule with other settings (same worlds as the liquidity = ${baseL} rows):

${manipulationTable('threshold_bps', MANIPULATION_SCENARIOS[2]?.values ?? [], ['product'])}

${manipulationTable('max_step_bps', MANIPULATION_SCENARIOS[3]?.values ?? [], ['product'])}

With a 1 h window instead of the whole period, where the lag has something to do:

${manipulationTable('window_hours', MANIPULATION_SCENARIOS[4]?.values ?? [], ['twap', 'product'])}

## Recommended settings

${recommendations}

## What the model leaves out

Traders here do not learn from prices or from each other, do not move money between branches, and never sell (buying NO is
their way of selling YES); their signals are independent given the truth. Correlated errors (traders sharing the agent's
bias) would make the market help less. Every branch is binary; categorical and scalar objectives are not simulated. The
manipulator pushes only its own branch (it does not also push others down) and is a single account; sybils splitting one
budget over many accounts to meet the minimum of traders are not modelled.
`
  files.set(REPORT_PATH, text)
  return files
}
