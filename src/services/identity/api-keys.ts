/**
 * API keys for bots and agents. A key is `dmk_` + 43 base64url characters (256 random bits);
 * the prefix makes it recognisable (to us, to secret scanners, in a leaked log line). Only its
 * SHA-256 is stored; the key itself is shown once, at creation. A key carries scopes and acts
 * for its owner, never beyond: the owner's current role applies, and what only a session may do
 * (minting keys, admin actions) stays out of reach (src/domain/identity/authorize.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { type Queryable, sql, type Transaction } from '../../db/database.js'
import type { Scope } from '../../domain/identity/principal.js'
import { errors } from '../../errors/codes.js'
import { type AuditActor, type RequestMeta, recordAudit } from './audit.js'

export const API_KEY_PREFIX = 'dmk_'
const API_KEY = /^dmk_[A-Za-z0-9_-]{43}$/
/** Characters of the key kept for display: the prefix and 8 of the random part. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX)
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}

export interface ApiKeyRow {
  id: string
  name: string
  prefix: string
  scopes: Scope[]
  created_at: Date
  last_used_at: Date | null
}

const KEY_COLUMNS = 'id, name, prefix, scopes, created_at, last_used_at'

const InsertApiKey = sql<ApiKeyRow>(
  'InsertApiKey',
  `insert into public.api_keys (user_id, name, prefix, key_hash, scopes, created_at)
   values ($1, $2, $3, $4, $5, $6)
   returning ${KEY_COLUMNS}`,
)

export async function createApiKey(
  tx: Transaction,
  input: { userId: string; name: string; scopes: readonly Scope[]; actor: AuditActor; meta?: RequestMeta },
  now: Date,
): Promise<{ key: string; row: ApiKeyRow }> {
  const name = input.name.trim()
  if (!name)
    throw errors.validation('name must not be blank', [{ field: '/body/name', message: 'must not be blank' }])
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const scopes = [...new Set(input.scopes)].sort()
  const row = await tx.one(InsertApiKey, [
    input.userId,
    name,
    key.slice(0, DISPLAY_LENGTH),
    hashApiKey(key),
    scopes,
    now,
  ])
  await recordAudit(
    tx,
    {
      action: 'api_key.created',
      actor: input.actor,
      subjectType: 'api_key',
      subjectId: row.id,
      details: { name, scopes, prefix: row.prefix },
      meta: input.meta,
    },
    now,
  )
  return { key, row }
}

const ListApiKeys = sql<ApiKeyRow>(
  'ListApiKeys',
  `select ${KEY_COLUMNS} from public.api_keys
    where user_id = $1 and revoked_at is null
    order by created_at desc, id`,
)

export function listApiKeys(q: Queryable, userId: string): Promise<ApiKeyRow[]> {
  return q.many(ListApiKeys, [userId])
}

const FindActiveApiKeyOwner = sql<{ user_id: string }>(
  'FindActiveApiKeyOwner',
  `select user_id from public.api_keys where id = $1 and revoked_at is null`,
)

/** The owner of an active key (the fact authorisation needs before a revocation). */
export async function findActiveApiKeyOwner(q: Queryable, id: string): Promise<string | undefined> {
  return (await q.maybeOne(FindActiveApiKeyOwner, [id]))?.user_id
}

// Revoked at once: the next request with the key is refused, on every process (the update
// notifies dm_auth, which drops the key's owner from every principal cache: auth-cache.ts).
const RevokeApiKey = sql<{ id: string; name: string; prefix: string }>(
  'RevokeApiKey',
  `update public.api_keys set revoked_at = $3
    where id = $1 and user_id = $2 and revoked_at is null
   returning id, name, prefix`,
)

export async function revokeApiKey(
  tx: Transaction,
  input: { id: string; userId: string; actor: AuditActor; meta?: RequestMeta },
  now: Date,
): Promise<void> {
  const revoked = await tx.maybeOne(RevokeApiKey, [input.id, input.userId, now])
  // Someone else's key is "not found" too: its existence is none of the caller's business.
  if (!revoked) throw errors.notFound('API key', `You have no active API key with id ${input.id}`)
  await recordAudit(
    tx,
    {
      action: 'api_key.revoked',
      actor: input.actor,
      subjectType: 'api_key',
      subjectId: revoked.id,
      details: { name: revoked.name, prefix: revoked.prefix },
      meta: input.meta,
    },
    now,
  )
}

export interface ApiKeyOwner {
  key_id: string
  user_id: string
  scopes: Scope[]
  revoked: boolean
  email: string | null
  is_admin: boolean
  user_active: boolean
  last_used_at: Date | null
}

const FindApiKeyOwner = sql<ApiKeyOwner>(
  'FindApiKeyOwner',
  `select k.id as key_id, k.user_id, k.scopes, k.revoked_at is not null as revoked, u.email,
          exists (select 1 from public.user_roles r where r.user_id = k.user_id and r.role = 'admin') as is_admin,
          (u.deleted_at is null and (u.banned_until is null or u.banned_until <= $2)) as user_active,
          k.last_used_at
     from public.api_keys k
     join auth.users u on u.id = k.user_id
    where k.key_hash = $1`,
)

// "Last used" is for humans deciding which key to revoke; minute precision is plenty and
// spares a write on every request of a busy bot. It is touched when the key is looked up, that
// is when it is not in the principal cache (at least every 60 s of use), so it may lag by two
// minutes.
const TouchApiKey = sql(
  'TouchApiKey',
  `update public.api_keys set last_used_at = $2
    where id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`,
)

/** The key's owner, or undefined for a key that does not exist or is malformed. */
export async function findApiKeyOwner(
  q: Queryable,
  key: string,
  now: Date,
): Promise<ApiKeyOwner | undefined> {
  if (!API_KEY.test(key)) return undefined
  const owner = await q.maybeOne(FindApiKeyOwner, [hashApiKey(key), now])
  if (owner && !owner.revoked && owner.user_active) {
    const stale = !owner.last_used_at || now.getTime() - owner.last_used_at.getTime() >= 60_000
    if (stale) await q.execute(TouchApiKey, [owner.key_id, now])
  }
  return owner
}
