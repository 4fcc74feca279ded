/**
 * `npm run demo` as a person runs it (its own embedded PostgreSQL in .data/demo-postgres, free
 * ports): a demo that fails must say so with a non-zero exit, and must not leave its server
 * behind; a setting from the environment that the story cannot run with must not hang it.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/config/index.js'

function demo(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // As `npm run demo` with no key configured: the key generated in .data/ encrypts the demo's
  // secrets, as on every other run of it in this folder.
  const { ENCRYPTION_KEYS: _keys, ENCRYPTION_KEY_ID: _kid, ...inherited } = process.env
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/demo.ts')], {
      cwd: projectRoot,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, output }))
  })
}

const demoServerLeft = () => existsSync(path.join(projectRoot, '.data', 'demo-postgres', 'postmaster.pid'))

describe('npm run demo', () => {
  it('exits non-zero when the story fails, and stops its database', async () => {
    // No sign-up grant: the operator cannot fund the decision market.
    const { code, output } = await demo({ SIGNUP_GRANT_CREDITS: '0' })
    expect(output).toContain('you have 0')
    expect(code).toBe(1)
    expect(demoServerLeft()).toBe(false)
  }, 120_000)

  it('runs the whole story with PROCESS_ROLE=api in the environment, and exits 0', async () => {
    const { code, output } = await demo({ PROCESS_ROLE: 'api' })
    expect(output).toContain('the market overrode it')
    expect(output).toContain('Done.')
    expect(code).toBe(0)
    expect(demoServerLeft()).toBe(false)
  }, 240_000)
})
