/**
 * `decision-markets grant-role` / `revoke-role`: the one way to make an admin, run as the real
 * command against the test database.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/config/index.js'
import { createTestApp, TEST_ENCRYPTION_KEYS, type TestApp } from '../helpers/app.js'
import { CLI } from '../helpers/cli.js'
import { createTestUser } from '../helpers/users.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

function cli(...args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: t.database.url,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      LOG_LEVEL: 'silent',
    },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('grant-role and revoke-role', () => {
  it('grant admin by email, then revoke it by id; both are audited', async () => {
    const user = await createTestUser(t)
    const granted = cli('grant-role', user.email, 'admin')
    expect(granted.stderr).toBe('')
    expect(granted.status).toBe(0)
    expect(granted.stdout).toContain(`Role admin granted to ${user.email}`)
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: user.headers })
    expect(me.json().role).toBe('admin')

    expect(cli('grant-role', user.email, 'admin').stdout).toContain('Nothing to do')
    // Mirrored into app_metadata, as Supabase projects carry roles: new tokens say so.
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/auth/v1/token?grant_type=password',
      payload: { email: user.email, password: user.password },
    })
    expect(signIn.json().user.app_metadata.role).toBe('admin')
    const claims = JSON.parse(Buffer.from(signIn.json().access_token.split('.')[1], 'base64url').toString())
    expect(claims.app_metadata.role).toBe('admin')

    const revoked = cli('revoke-role', user.userId, 'admin')
    expect(revoked.status).toBe(0)
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: user.headers })).json().role).toBe(
      'user',
    )
    const metadata = await t.ctx.db.pool.query('select raw_app_meta_data from auth.users where id = $1', [
      user.userId,
    ])
    expect(metadata.rows[0].raw_app_meta_data.role).toBeUndefined()

    const audit = await t.ctx.db.pool.query(
      `select action, actor_kind from public.audit_log where subject_id = $1 and action like 'role.%' order by id`,
      [user.userId],
    )
    expect(audit.rows).toEqual([
      { action: 'role.granted', actor_kind: 'cli' },
      { action: 'role.revoked', actor_kind: 'cli' },
    ])
  })

  it('refuses an unknown user and a bad usage', () => {
    const unknown = cli('grant-role', 'nobody@example.test', 'admin')
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain("No user 'nobody@example.test'")
    const usage = cli('grant-role', 'someone@example.test', 'emperor')
    expect(usage.status).toBe(1)
    expect(usage.stderr).toContain('Usage: decision-markets grant-role')
    expect(cli('--help').stdout).toContain('grant-role')
  })
})
