/**
 * scripts/audit-deps.mjs, CI's check of the production dependencies, on saved `npm audit --json`
 * answers: it fails on a high or critical advisory, passes below it, and passes saying "NOT
 * CHECKED" when the registry refuses audit queries (as this CI's does), never silently.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/config/index.js'

const dir = mkdtempSync(path.join(tmpdir(), 'dm-audit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function judge(answer: unknown, env: Record<string, string> = {}) {
  const file = path.join(dir, `${Math.random()}.json`)
  writeFileSync(file, JSON.stringify(answer))
  const run = spawnSync(
    process.execPath,
    [path.join(projectRoot, 'scripts/audit-deps.mjs'), '--from', file],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    },
  )
  return { code: run.status, out: run.stdout + run.stderr }
}

const report = (counts: Record<string, number>, vulnerabilities: Record<string, unknown> = {}) => ({
  auditReportVersion: 2,
  vulnerabilities,
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts } },
})

describe('the production dependencies audit', () => {
  it('fails on a high or critical advisory and names the package', () => {
    const result = judge(report({ high: 1 }, { 'some-lib': { severity: 'high', range: '<1.2.3' } }))
    expect(result.code).toBe(1)
    expect(result.out).toMatch(/some-lib \(high\): <1\.2\.3/)
    expect(judge(report({ critical: 2 })).code).toBe(1)
  })

  it('passes below the level, which AUDIT_LEVEL sets', () => {
    expect(judge(report({ low: 3, moderate: 1 })).code).toBe(0)
    expect(judge(report({ moderate: 1 }), { AUDIT_LEVEL: 'moderate' }).code).toBe(1)
  })

  it('says plainly that nothing was checked when the registry refuses audit queries', () => {
    const result = judge({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
    })
    expect(result.code).toBe(0)
    expect(result.out).toMatch(/^NOT CHECKED: the registry does not answer audit queries \(405/)
  })

  it('fails on an answer that is no JSON at all', () => {
    const file = path.join(dir, 'garbage.json')
    writeFileSync(file, 'not json')
    const run = spawnSync(process.execPath, [
      path.join(projectRoot, 'scripts/audit-deps.mjs'),
      '--from',
      file,
    ])
    expect(run.status).toBe(1)
  })
})
