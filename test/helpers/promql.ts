/**
 * What the operations tests read from our Prometheus and Grafana files: every PromQL expression
 * of the dashboards and alerts, the metric names they use, and promtool's verdict on them.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../src/config/index.js'

export const PROMETHEUS_DIR = path.join(projectRoot, 'deploy/prometheus')
export const DASHBOARDS_DIR = path.join(projectRoot, 'deploy/grafana/dashboards')

export interface Expression {
  /** Where it comes from: `overview.json: Requests by route (A)`, `alert HighServerErrorRatio`. */
  where: string
  expr: string
}

interface GrafanaPanel {
  title?: string
  targets?: Array<{ expr?: string; refId?: string }>
  panels?: GrafanaPanel[]
}
interface GrafanaDashboard {
  panels?: GrafanaPanel[]
  templating?: { list?: Array<{ name: string; type: string; query?: unknown }> }
}

/** Every panel query of the generated dashboards, and the selectors of their query variables. */
export function dashboardExpressions(dir = DASHBOARDS_DIR): Expression[] {
  const found: Expression[] = []
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as GrafanaDashboard
    const walk = (panels: GrafanaPanel[] = []) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (target.expr !== undefined) {
            found.push({ where: `${file}: ${panel.title} (${target.refId})`, expr: target.expr })
          }
        }
        walk(panel.panels)
      }
    }
    walk(dashboard.panels)
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query' || typeof variable.query !== 'string') continue
      // label_values(<series selector>, <label>): the selector is PromQL.
      const selector = /^label_values\((.+),\s*[a-zA-Z_]\w*\)$/.exec(variable.query)?.[1]
      if (!selector)
        throw new Error(`${file}: variable ${variable.name} is not label_values(…): ${variable.query}`)
      found.push({ where: `${file}: variable ${variable.name}`, expr: selector })
    }
  }
  return found
}

export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** The alerting rules of deploy/prometheus/alerts.yml. */
export function alertRules(file = path.join(PROMETHEUS_DIR, 'alerts.yml')): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }
  return doc.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined)
}

/**
 * Grafana's variables replaced by values Prometheus accepts, as Grafana does before it sends a
 * query: a regex for the multi-value variables, durations for the interval ones.
 */
export function interpolate(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?(job|instance)\}?/g, '.*')
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
])

/**
 * The metric names an expression selects. Strings, label matchers, ranges and grouping label
 * lists are removed first; what is left that is an identifier, neither a keyword nor a function
 * call, is a metric name. (promtool 2.42 has no command that prints the parsed tree.)
 */
export function metricNames(expr: string): string[] {
  const bare = interpolate(expr)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
  const names = new Set<string>()
  for (const match of bare.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const name = match[0]
    if (KEYWORDS.has(name.toLowerCase())) continue
    const next = bare.slice((match.index ?? 0) + name.length).trimStart()
    if (next.startsWith('(')) continue // a function or an aggregation
    names.add(name)
  }
  return [...names].sort()
}

/**
 * promtool's parse of every expression: each becomes a recording rule of a temporary rules file
 * (JSON is YAML) checked with `promtool check rules`, which parses the expression with
 * Prometheus's own parser and names the rule that does not parse.
 */
export function checkWithPromtool(expressions: Expression[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-promql-'))
  try {
    const file = path.join(dir, 'queries.rules.yml')
    const rules = expressions.map((e, i) => ({
      record: `dm_check:expression_${i}`,
      expr: interpolate(e.expr),
      labels: { where: e.where },
    }))
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'queries', rules }] }, null, 2))
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 })
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Families declared by a Prometheus text exposition (`# TYPE name type`) and the samples' names. */
export function parseExposition(text: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line)
    if (type) types.set(type[1] as string, type[2] as string)
    if (line === '' || line.startsWith('#')) continue
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line)
    if (sample) {
      const name = sample[1] as string
      samples.set(name, (samples.get(name) ?? 0) + Number(sample[2]))
    }
  }
  return { types, samples }
}

/** The family a queried name belongs to: `x_bucket`, `x_sum`, `x_count` of a histogram are `x`. */
export function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name
  const histogram = /^(.+)_(bucket|sum|count)$/.exec(name)?.[1]
  if (histogram && (types.get(histogram) === 'histogram' || types.get(histogram) === 'summary'))
    return histogram
  return undefined
}
