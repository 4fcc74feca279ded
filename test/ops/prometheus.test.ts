/**
 * deploy/prometheus: the configuration and the alert rules pass promtool's checks, the alerts'
 * unit tests (alerts.test.yml) pass, every alert has a firing and a quiet case there, and every
 * alert carries what the on-call person needs (severity, summary, description, a runbook entry
 * that exists).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { projectRoot } from '../../src/config/index.js'
import { alertRules, PROMETHEUS_DIR } from '../helpers/promql.js'
import { haveTools } from '../helpers/tools.js'

const ALERTS = path.join(PROMETHEUS_DIR, 'alerts.yml')
const ALERT_TESTS = path.join(PROMETHEUS_DIR, 'alerts.test.yml')
const RUNBOOK = path.join(projectRoot, 'docs/operations/runbook.md')

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000, cwd: PROMETHEUS_DIR })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>
}

describe('the alert rules', () => {
  it('cover what the service must page for, each with for, severity, summary, description and runbook', () => {
    const rules = alertRules()
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'AnchoringLagHigh',
      'DatabasePoolSaturated',
      'DecisionMarketsDown',
      'HighServerErrorRatio',
      'LedgerAuditStale',
      'LedgerAuditViolation',
      'QueueLagHigh',
      'RedisUnreachable',
      'TradeLatencyP99High',
      'WebhookDeliveriesFailing',
    ])
    const runbook = readFileSync(RUNBOOK, 'utf8')
    // GitHub's anchors of the runbook's headings: lower case, punctuation dropped.
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    )
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/)
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary, rule.alert).toBeTruthy()
      expect(rule.annotations?.description, rule.alert).toBeTruthy()
      const runbookUrl = rule.annotations?.runbook_url ?? ''
      expect(runbookUrl, rule.alert).toBe(`docs/operations/runbook.md#${rule.alert.toLowerCase()}`)
      expect(anchors.has(rule.alert.toLowerCase()), `runbook has a section ${rule.alert}`).toBe(true)
    }
  })

  it('each have a firing and a quiet case in alerts.test.yml', () => {
    const doc = parse(readFileSync(ALERT_TESTS, 'utf8')) as { rule_files: string[]; tests: RuleTest[] }
    expect(doc.rule_files).toEqual(['alerts.yml'])
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? [])
    for (const { alert } of alertRules()) {
      const mine = cases.filter((c) => c.alertname === alert)
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} has a case where it fires`,
      ).toBe(true)
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} has a case where it does not fire`,
      ).toBe(true)
    }
  })
})

describe('promtool', () => {
  if (!haveTools(['promtool'], 'apt-get install prometheus')) return
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-promtool-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('check config: prometheus.yml and the rule files it names', () => {
    const result = promtool('check', 'config', 'prometheus.yml')
    expect(result.output).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax')
    expect(result.output).toContain(`SUCCESS: ${alertRules().length} rules found`)
    expect(result.status, result.output).toBe(0)
  })

  it('check rules: alerts.yml', () => {
    const result = promtool('check', 'rules', 'alerts.yml')
    expect(result.output).toContain(`SUCCESS: ${alertRules().length} rules found`)
    expect(result.status, result.output).toBe(0)
  })

  it('test rules: alerts.test.yml passes', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml')
    expect(result.output).toContain('SUCCESS')
    expect(result.status, result.output).toBe(0)
  })

  it('test rules fails when an alert no longer fires where its test expects it', () => {
    // The same tests against a copy of the rules where Redis counts as down only at 2: the firing
    // case of RedisUnreachable must now fail, and be named.
    const alerts = readFileSync(ALERTS, 'utf8')
    const broken = alerts.replace(
      'max by (job, instance) (dm_redis_up) == 0',
      'max by (job, instance) (dm_redis_up) == 2',
    )
    expect(broken).not.toBe(alerts)
    writeFileSync(path.join(dir, 'alerts.yml'), broken)
    copyFileSync(ALERT_TESTS, path.join(dir, 'alerts.test.yml'))
    const result = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' })
    expect(result.status).not.toBe(0)
    expect(`${result.stdout}${result.stderr}`).toContain('alertname: RedisUnreachable')
  })
})
