/**
 * `decision-markets grant-role <user id | email> admin` and `revoke-role`: the one way to make
 * an admin (tests use the same service function). Works on the configured database, or the
 * embedded one, as `serve` would find it; the change is written to the audit log as `cli`.
 */
import type { Config } from '../config/index.js'
import { createDatabase } from '../db/database.js'
import { systemClock } from '../domain/clock.js'
import { AppError } from '../errors/codes.js'
import type { Logger } from '../infra/logger.js'
import { grantRole, revokeRole } from '../services/identity/roles.js'
import { resolveDatabase } from './database.js'

export const ROLES_HELP = `  grant-role <user id|email> admin    Make a user an admin
  revoke-role <user id|email> admin   Take the admin role back`

export async function runRoleCommand(
  config: Config,
  log: Logger,
  command: 'grant-role' | 'revoke-role',
  args: string[],
): Promise<number> {
  const [user, role] = args
  if (!user || role !== 'admin') {
    process.stderr.write(`Usage: decision-markets ${command} <user id|email> admin\n`)
    return 1
  }
  const target = await resolveDatabase(config, log)
  const db = createDatabase({ connectionString: target.url, max: 1, statementTimeoutMs: 15_000 })
  try {
    const change = command === 'grant-role' ? grantRole : revokeRole
    const result = await change(db, { user, role, actor: { kind: 'cli' } }, systemClock.now())
    const verb = command === 'grant-role' ? 'granted to' : 'revoked from'
    process.stdout.write(
      `${result.changed ? `Role ${role} ${verb}` : `Nothing to do: role ${role} already ${verb}`} ` +
        `${result.email ?? result.userId} (${result.userId})\n`,
    )
    return 0
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.detail ?? error.title}\n`)
      return 1
    }
    throw error
  } finally {
    await db.close()
    await target.embedded?.stop()
  }
}
