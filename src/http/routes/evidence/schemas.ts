import { Type } from '@sinclair/typebox'
import { type EvidenceLink, type EvidenceRow, evidenceRef } from '../../../services/evidence/index.js'
import { EvidenceFileRef, Timestamp, Uuid } from '../markets/schemas.js'

export const EvidenceRef = Type.Object({ id: Uuid })

/** An uploaded file: what a resolution or dispute will record of it, and a fresh download link. */
export const EvidenceFile = Type.Composite([
  EvidenceFileRef,
  Type.Object({
    uploader_id: Uuid,
    attached: Type.Boolean({ description: 'Attached to a resolution or dispute (then public)' }),
    created_at: Timestamp,
    link: Type.Object({
      url: Type.String({ description: 'Signed link serving the bytes as an attachment' }),
      expires_at: Timestamp,
    }),
  }),
])

export function evidenceFileJson(row: EvidenceRow, link: EvidenceLink) {
  return {
    ...evidenceRef(row),
    uploader_id: row.uploader_id,
    attached: row.attached_at !== null,
    created_at: row.created_at.toISOString(),
    link,
  }
}
