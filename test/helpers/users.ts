/**
 * Users for HTTP tests, made the way real ones are: through POST /auth/v1/signup (local mode),
 * and made admin through the same function the CLI's `grant-role` calls.
 */
import { randomBytes } from 'node:crypto'
import { grantRole } from '../../src/services/identity/roles.js'
import type { TestApp } from './app.js'

export interface TestUser {
  userId: string
  email: string
  password: string
  accessToken: string
  refreshToken: string
  headers: { authorization: string }
}

export const TEST_PASSWORD = 'correct horse battery staple'

export async function createTestUser(
  t: TestApp,
  opts: { email?: string; password?: string; admin?: boolean; data?: Record<string, unknown> } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${randomBytes(6).toString('hex')}@example.test`
  const password = opts.password ?? TEST_PASSWORD
  const res = await t.app.inject({
    method: 'POST',
    url: '/auth/v1/signup',
    headers: { 'x-supabase-api-version': '2024-01-01' },
    payload: { email, password, data: opts.data ?? {} },
  })
  if (res.statusCode !== 200) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`)
  const session = res.json() as { access_token: string; refresh_token: string; user: { id: string } }
  if (opts.admin) {
    await grantRole(
      t.ctx.db,
      { user: session.user.id, role: 'admin', actor: { kind: 'cli' } },
      t.ctx.clock.now(),
    )
  }
  return {
    userId: session.user.id,
    email,
    password,
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    headers: { authorization: `Bearer ${session.access_token}` },
  }
}

/** A new API key of `user` with `scopes`, created through POST /v1/me/api-keys. */
export async function createTestApiKey(
  t: TestApp,
  user: TestUser,
  scopes: Array<'read' | 'trade' | 'agents'> = ['read', 'trade'],
): Promise<{ id: string; key: string; headers: { authorization: string } }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/me/api-keys',
    headers: user.headers,
    payload: { name: `test key ${scopes.join('+')}`, scopes },
  })
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`)
  const body = res.json() as { id: string; key: string }
  return { id: body.id, key: body.key, headers: { authorization: `Bearer ${body.key}` } }
}
