/**
 * The SDK's generated types are those of the document the app serves now: regenerated here and
 * compared with the committed file, so a route schema changed without `npm run sdk:generate`
 * fails this test. With SDK_WRITE=1 (what that script sets) it writes the file instead.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SDK_TYPES_FILE, sdkTypes } from '../../scripts/sdk-types.js'
import { createTestApp, type TestApp } from '../helpers/app.js'

const file = path.resolve(import.meta.dirname, '../..', SDK_TYPES_FILE)

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('SDK types', () => {
  it('are generated from the current /openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const generated = await sdkTypes(res.json())
    if (process.env.SDK_WRITE === '1') writeFileSync(file, generated)
    // The committed file, byte for byte: a stale one names the operations it misses in the diff.
    expect(readFileSync(file, 'utf8')).toBe(generated)
    // What the SDK's hand-written layer relies on is there (a generator that wrote nothing
    // useful would also compare equal after SDK_WRITE).
    expect(generated).toContain('"/v1/markets/{market}/trades": {')
    expect(generated).toContain('"idempotency-key"?: string')
    expect(generated).toMatch(/Problem: \{/)
  })
})
