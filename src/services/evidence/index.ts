/**
 * Evidence files: uploaded once (POST /v1/evidence), then attached by id to a resolution or a
 * dispute, which copies the file's hash, size, type and name into its own evidence; for a
 * resolution that is markets.resolution_evidence, so the anchored resolution record (a trigger
 * of 20261201140000_anchoring.sql) binds the file's SHA-256.
 *
 * Downloads go through signed, expiring links: the remote stores sign their own; for the local
 * store the API signs `GET /v1/evidence/{id}/content?expires=…&signature=…` with an HMAC key
 * derived from ENCRYPTION_KEYS, so any replica sharing the keys verifies any replica's link.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { cleanFilename } from '../../domain/content-disposition.js'
import { authorize } from '../../domain/identity/authorize.js'
import type { Principal } from '../../domain/identity/principal.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import type { EvidenceStore } from '../../infra/evidence-store/index.js'
import { assertAllowed } from '../markets/access.js'

export interface EvidenceRow {
  id: string
  uploader_id: string
  sha256: string
  size: bigint
  content_type: string
  filename: string
  storage: EvidenceStore['kind']
  storage_key: string
  attached_at: Date | null
  created_at: Date
}

/** What a resolution or a dispute keeps of each attached file (and so what is anchored). */
export interface EvidenceFileRef {
  id: string
  sha256: string
  size: string
  content_type: string
  filename: string
}

const COLUMNS =
  'id, uploader_id, sha256, size, content_type, filename, storage, storage_key, attached_at, created_at'

const InsertEvidence = sql<EvidenceRow>(
  'InsertEvidenceFile',
  `insert into public.evidence_files (uploader_id, sha256, size, content_type, filename, storage, storage_key, created_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8)
   returning ${COLUMNS}`,
)

const GetEvidence = sql<EvidenceRow>(
  'GetEvidenceFile',
  `select ${COLUMNS} from public.evidence_files where id = $1`,
)

// Attaching makes the files public; only the caller's own uploads can be attached.
const AttachEvidence = sql<EvidenceRow>(
  'AttachEvidenceFiles',
  `update public.evidence_files set attached_at = coalesce(attached_at, $3)
    where id = any($1::uuid[]) and uploader_id = $2
   returning ${COLUMNS}`,
)

/** The media type without parameters, lower-case (`Text/Plain; charset=utf-8` → `text/plain`). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** POST /v1/evidence: checks the type, stores the bytes under their hash, records the upload. */
export async function uploadEvidence(
  ctx: AppContext,
  store: EvidenceStore,
  principal: Principal | null,
  input: { body: Buffer; contentType: string | undefined; filename: string | undefined },
): Promise<EvidenceRow> {
  const actor = assertAllowed(principal, 'evidence.upload')
  const type = mediaType(input.contentType)
  if (!ctx.config.EVIDENCE_TYPES.includes(type)) {
    throw errors.unsupportedMediaType(type || 'none', ctx.config.EVIDENCE_TYPES.join(', '))
  }
  if (input.body.length === 0) {
    throw errors.validation('An evidence file is not empty', [{ field: '/body', message: 'is empty' }])
  }
  const sha256 = createHash('sha256').update(input.body).digest('hex')
  const key = `sha256/${sha256}`
  // Charset and other parameters are kept: a text file is served as it was sent.
  const contentType = (input.contentType ?? type).trim()
  if (contentType.length > 200) {
    throw errors.validation('The Content-Type is too long', [
      { field: '/headers/content-type', message: 'must be at most 200 characters' },
    ])
  }
  await store.put(key, input.body, contentType)
  const filename = cleanFilename(input.filename, `evidence-${sha256.slice(0, 12)}`)
  return ctx.db.one(InsertEvidence, [
    actor.userId,
    sha256,
    input.body.length,
    contentType,
    filename,
    store.kind,
    key,
    ctx.clock.now(),
  ])
}

/** A file's row, for its uploader and admins, or anyone once attached; 404 otherwise. */
export async function getEvidence(
  ctx: AppContext,
  principal: Principal | null,
  id: string,
): Promise<EvidenceRow> {
  const row = await ctx.db.maybeOne(GetEvidence, [id])
  const visible =
    row !== undefined &&
    (row.attached_at !== null ||
      authorize(principal, 'evidence.read_private', { ownerId: row.uploader_id }).allowed)
  // Unattached files of others are not confirmed to exist.
  if (!row || !visible) throw errors.notFound('Evidence file', `No evidence file ${id}`)
  return row
}

export function evidenceRef(row: EvidenceRow): EvidenceFileRef {
  return {
    id: row.id,
    sha256: row.sha256,
    size: row.size.toString(),
    content_type: row.content_type,
    filename: row.filename,
  }
}

/**
 * Attaches the caller's files, in the order given, inside the resolving (or disputing)
 * transaction. An id that is not one of the caller's uploads is refused with its field.
 */
export async function attachEvidence(
  tx: Transaction,
  uploaderId: string,
  ids: readonly string[],
  field: string,
  now: Date,
): Promise<EvidenceFileRef[]> {
  if (ids.length === 0) return []
  const rows = await tx.many(AttachEvidence, [ids, uploaderId, now])
  const byId = new Map(rows.map((r) => [r.id, r]))
  const missing = ids.flatMap((id, i) =>
    byId.has(id) ? [] : [{ field: `${field}/${i}`, message: `${id} is not a file you uploaded` }],
  )
  if (missing.length > 0)
    throw errors.validation('Evidence files must be your own uploads (POST /v1/evidence)', missing)
  return ids.map((id) => evidenceRef(byId.get(id) as EvidenceRow))
}

// ---------------------------------------------------------------------------------------
// Signed links
// ---------------------------------------------------------------------------------------

function linkSignature(ctx: AppContext, id: string, expires: number): string {
  return createHmac('sha256', ctx.secrets.deriveKey('evidence-links'))
    .update(`${id}.${expires}`)
    .digest('base64url')
}

export interface EvidenceLink {
  url: string
  expires_at: string
}

/** A fresh link to the file's bytes, valid EVIDENCE_LINK_TTL_S. */
export async function evidenceLink(
  ctx: AppContext,
  store: EvidenceStore,
  row: EvidenceRow,
): Promise<EvidenceLink> {
  const ttl = ctx.config.EVIDENCE_LINK_TTL_S
  const now = ctx.clock.now().getTime()
  const expiresAt = new Date(now + ttl * 1000).toISOString()
  if (row.storage !== store.kind) throw storedElsewhere(row)
  if (store.signedUrl) {
    const url = await store.signedUrl(
      { key: row.storage_key, contentType: row.content_type, filename: row.filename },
      ttl,
    )
    return { url, expires_at: expiresAt }
  }
  const expires = Math.floor(now / 1000) + ttl
  const query = new URLSearchParams({
    expires: String(expires),
    signature: linkSignature(ctx, row.id, expires),
  })
  return { url: `${ctx.config.publicUrl}/v1/evidence/${row.id}/content?${query}`, expires_at: expiresAt }
}

function storedElsewhere(row: EvidenceRow): AppError {
  return errors.notFound(
    'Evidence content',
    `The file was stored in the ${row.storage} store, which this deployment no longer uses`,
  )
}

/** The row behind a signed local link; 403 when the link is forged or expired. */
export async function verifiedEvidence(
  ctx: AppContext,
  store: EvidenceStore,
  id: string,
  link: { expires: string; signature: string },
): Promise<EvidenceRow> {
  const expires = Number(link.expires)
  const expected = Buffer.from(linkSignature(ctx, id, expires))
  const given = Buffer.from(link.signature)
  if (
    !/^\d{1,12}$/.test(link.expires) ||
    expected.length !== given.length ||
    !timingSafeEqual(expected, given)
  ) {
    throw new AppError({
      code: ErrorCode.InvalidLink,
      status: 403,
      title: 'Invalid link',
      detail: 'The link signature does not match; ask GET /v1/evidence/{id} for a fresh one',
    })
  }
  if (ctx.clock.now().getTime() >= expires * 1000) {
    throw new AppError({
      code: ErrorCode.LinkExpired,
      status: 403,
      title: 'Link expired',
      detail: 'The link has expired; ask GET /v1/evidence/{id} for a fresh one',
    })
  }
  const row = await ctx.db.maybeOne(GetEvidence, [id])
  if (!row) throw errors.notFound('Evidence file', `No evidence file ${id}`)
  if (row.storage !== store.kind) throw storedElsewhere(row)
  return row
}
