#!/usr/bin/env node
/**
 * CI's check of the production dependencies against the registry's advisories: fails on a known
 * vulnerability of severity AUDIT_LEVEL (default high) or above in what `npm start` installs.
 * Some registries (a mirror, a proxy; this CI's) do not answer audit queries: then it says so
 * plainly and passes, since there is nothing to check against, rather than fail every run or
 * pretend the dependencies were checked.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const level = process.env.AUDIT_LEVEL ?? 'high'
// `--from <file>`: judge a saved `npm audit --json` answer instead (the tests' way in).
const from = process.argv.indexOf('--from')
const run =
  from > 0
    ? { status: 0, stdout: readFileSync(process.argv[from + 1], 'utf8'), stderr: '' }
    : spawnSync('npm', ['audit', '--omit=dev', '--json', `--audit-level=${level}`], { encoding: 'utf8' })
let report
try {
  report = JSON.parse(run.stdout)
} catch {
  process.stdout.write(`npm audit answered no JSON (exit ${run.status}):\n${run.stdout}${run.stderr}\n`)
  process.exit(1)
}
if (!report.metadata?.vulnerabilities) {
  // npm answers with the registry's refusal (e.g. 405 on the bulk advisories endpoint) instead
  // of a report.
  const why = report.message ?? report.error?.summary ?? report.error?.code ?? 'no report'
  process.stdout.write(
    `NOT CHECKED: the registry does not answer audit queries (${why}); ` +
      'production dependencies were not checked for known vulnerabilities\n',
  )
  process.exit(0)
}
const counts = report.metadata.vulnerabilities
const order = ['info', 'low', 'moderate', 'high', 'critical']
const failing = order.slice(order.indexOf(level)).reduce((n, severity) => n + (counts[severity] ?? 0), 0)
process.stdout.write(`production dependencies: ${JSON.stringify(counts)} known vulnerabilities by severity\n`)
if (failing > 0) {
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    process.stdout.write(`  ${name} (${v.severity}): ${v.range}\n`)
  }
  process.stdout.write(`FAIL: ${failing} at severity ${level} or above\n`)
  process.exit(1)
}
