/**
 * Real binaries a test needs (nginx, promtool, …). Absent, the test skips and says why; with
 * DM_REQUIRE_TOOLS=1 (CI) an absent binary fails the run instead, so CI cannot go green by
 * skipping what it was meant to check.
 */
import { spawnSync } from 'node:child_process'

/** The binary's path, or undefined when it is not installed (and not required). */
export function findBinary(name: string, installHint: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  const binary = found.status === 0 ? found.stdout.trim() : ''
  if (binary) return binary
  if (process.env.DM_REQUIRE_TOOLS === '1') {
    throw new Error(`${name} is required (DM_REQUIRE_TOOLS=1) but not installed: ${installHint}`)
  }
  process.stderr.write(`SKIPPED: ${name} is not installed (${installHint})\n`)
  return undefined
}
