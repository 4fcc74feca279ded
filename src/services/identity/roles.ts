/**
 * Roles: `user` for everyone, `admin` granted in public.user_roles. The grant is mirrored into
 * auth.users.raw_app_meta_data.role, the way Supabase projects carry roles in tokens, so local
 * tokens show it too; the table stays the source of truth (a revocation applies at once, not
 * when the token expires). Granted from the CLI (`decision-markets grant-role`), and in tests
 * through the same function.
 */

import type { Database } from '../../db/database.js'
import { sql } from '../../db/database.js'
import type { Role } from '../../domain/identity/principal.js'
import { errors } from '../../errors/codes.js'
import { type AuditActor, recordAudit } from './audit.js'

const FindUser = sql<{ id: string; email: string | null }>(
  'FindUserByIdOrEmail',
  `select id, email from auth.users
    where ($1::uuid is not null and id = $1::uuid) or ($1::uuid is null and lower(email) = lower($2))`,
)

const InsertRole = sql(
  'InsertUserRole',
  `insert into public.user_roles (user_id, role, granted_at) values ($1, $2, $3) on conflict do nothing`,
)
const DeleteRole = sql('DeleteUserRole', `delete from public.user_roles where user_id = $1 and role = $2`)

const MirrorRole = sql(
  'MirrorRoleToAppMetadata',
  `update auth.users
      set raw_app_meta_data = case when $2::text is null
            then coalesce(raw_app_meta_data, '{}') - 'role'
            else coalesce(raw_app_meta_data, '{}') || jsonb_build_object('role', $2::text) end,
          updated_at = $3
    where id = $1`,
)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface RoleChange {
  /** A user id or an email address. */
  user: string
  role: Exclude<Role, 'user'>
  actor: AuditActor
}

export interface RoleChangeResult {
  userId: string
  email: string | null
  /** False when the user already had (or already lacked) the role. */
  changed: boolean
}

async function changeRole(
  db: Database,
  change: RoleChange,
  grant: boolean,
  now: Date,
): Promise<RoleChangeResult> {
  return db.withTransaction(async (tx) => {
    const isId = UUID.test(change.user)
    const user = await tx.maybeOne(FindUser, [isId ? change.user : null, isId ? null : change.user])
    if (!user) throw errors.notFound('User', `No user '${change.user}'`)
    const changed =
      (await tx.execute(grant ? InsertRole : DeleteRole, [user.id, change.role, ...(grant ? [now] : [])])) > 0
    await tx.execute(MirrorRole, [user.id, grant ? change.role : null, now])
    if (changed) {
      await recordAudit(
        tx,
        {
          action: grant ? 'role.granted' : 'role.revoked',
          actor: change.actor,
          subjectType: 'user',
          subjectId: user.id,
          details: { role: change.role },
        },
        now,
      )
    }
    return { userId: user.id, email: user.email, changed }
  })
}

export function grantRole(db: Database, change: RoleChange, now: Date): Promise<RoleChangeResult> {
  return changeRole(db, change, true, now)
}

export function revokeRole(db: Database, change: RoleChange, now: Date): Promise<RoleChangeResult> {
  return changeRole(db, change, false, now)
}
