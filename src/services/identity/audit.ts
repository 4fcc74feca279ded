/**
 * The audit log: who did what, from where. Written in the same transaction as the change it
 * records (a grant, a revocation), or on its own for events that change nothing (a failed
 * sign-in). Read by admins at GET /v1/admin/audit; each user can read their own entries
 * through row-level security.
 */

import { type Queryable, sql } from '../../db/database.js'
import type { Principal } from '../../domain/identity/principal.js'

export type AuditActor =
  | { readonly kind: 'session' | 'api_key'; readonly userId: string }
  | { readonly kind: 'cli' | 'system' | 'anonymous'; readonly userId?: string | null }

/** Where a request came from, for the record. */
export interface RequestMeta {
  readonly ip?: string | undefined
  readonly userAgent?: string | undefined
}

export interface AuditEntry {
  /** Dotted and stable, e.g. `auth.signed_in`, `api_key.created`, `role.granted`. */
  readonly action: string
  readonly actor: AuditActor
  readonly subjectType?: string
  readonly subjectId?: string
  readonly details?: Record<string, unknown>
  readonly meta?: RequestMeta
}

export function actorOf(principal: Principal | null): AuditActor {
  if (!principal) return { kind: 'anonymous' }
  return { kind: principal.via === 'api_key' ? 'api_key' : 'session', userId: principal.userId }
}

const InsertAudit = sql(
  'InsertAudit',
  `insert into public.audit_log
     (occurred_at, actor_id, actor_kind, action, subject_type, subject_id, ip, user_agent, details)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
)

export async function recordAudit(q: Queryable, entry: AuditEntry, now: Date): Promise<void> {
  await q.execute(InsertAudit, [
    now,
    entry.actor.userId ?? null,
    entry.actor.kind,
    entry.action,
    entry.subjectType ?? null,
    entry.subjectId ?? null,
    entry.meta?.ip ?? null,
    entry.meta?.userAgent?.slice(0, 512) ?? null,
    JSON.stringify(entry.details ?? {}),
  ])
}

export interface AuditRow {
  id: bigint
  occurred_at: Date
  actor_id: string | null
  actor_kind: string
  action: string
  subject_type: string | null
  subject_id: string | null
  ip: string | null
  user_agent: string | null
  details: Record<string, unknown>
}

// Newest first; the cursor is the last id seen, so pages are stable while entries are added.
const ListAudit = sql<AuditRow>(
  'ListAudit',
  `select id, occurred_at, actor_id, actor_kind, action, subject_type, subject_id, host(ip) as ip,
          user_agent, details
     from public.audit_log
    where ($1::bigint is null or id < $1)
      and ($2::text is null or action = $2)
      and ($3::uuid is null or actor_id = $3)
    order by id desc
    limit $4`,
)

export interface AuditPage {
  items: AuditRow[]
  nextCursor: string | null
}

export async function listAudit(
  q: Queryable,
  filter: {
    limit: number
    cursor?: bigint | undefined
    action?: string | undefined
    actorId?: string | undefined
  },
): Promise<AuditPage> {
  const rows = await q.many(ListAudit, [
    filter.cursor ?? null,
    filter.action ?? null,
    filter.actorId ?? null,
    filter.limit + 1,
  ])
  const items = rows.slice(0, filter.limit)
  const last = items[items.length - 1]
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last.id) : null }
}

export function encodeCursor(id: bigint): string {
  return Buffer.from(`audit:${id}`).toString('base64url')
}

/** undefined when the cursor is not one we issued. */
export function decodeCursor(cursor: string): bigint | undefined {
  const match = /^audit:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match) return undefined
  const id = BigInt(match[1] as string)
  // 19 digits reach past int8: such an id was never issued, and the database would refuse it.
  return id <= 9_223_372_036_854_775_807n ? id : undefined
}
