/**
 * Tests that need a binary (promtool, prometheus, …). On a laptop without it they skip with the
 * reason shown; with DM_REQUIRE_TOOLS=1 (CI, `.ci/run`) a missing binary is a failing test, so CI
 * can never pass by skipping them.
 */
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { it } from 'vitest'

/** The executable `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/**
 * Whether the tools are all here. When some are missing it registers, in the calling describe
 * block or file, a skipped test naming them and how to install them, or under DM_REQUIRE_TOOLS=1
 * a test that fails; the caller skips its own tests on `false`.
 */
export function haveTools(names: string[], install: string): boolean {
  const missing = names.filter((name) => which(name) === undefined)
  if (missing.length === 0) return true
  reportMissing(`needs ${missing.join(', ')} on PATH (${install})`)
  return false
}

/**
 * Registers, in the calling describe block or file, a skipped test giving `reason`, or under
 * DM_REQUIRE_TOOLS=1 a failing one (for tools found elsewhere than on PATH).
 */
export function reportMissing(reason: string): void {
  if (process.env.DM_REQUIRE_TOOLS === '1') {
    it(`has its tools: ${reason}`, () => {
      throw new Error(`DM_REQUIRE_TOOLS=1 and this test ${reason}`)
    })
  } else {
    it.skip(reason, () => {})
  }
}
