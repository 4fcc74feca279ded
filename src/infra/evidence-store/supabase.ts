/**
 * Evidence in Supabase Storage, through @supabase/storage-js with the service-role key, in a
 * private bucket (EVIDENCE_BUCKET, created beforehand: docs/evidence.md). Links are Storage
 * signed URLs with `download`, so Storage answers with an attachment disposition.
 */
import { StorageClient } from '@supabase/storage-js'
import type { EvidenceStore } from './index.js'

export interface SupabaseStoreOptions {
  url: string
  serviceKey: string
  bucket: string
}

export function createSupabaseEvidenceStore(options: SupabaseStoreOptions): EvidenceStore {
  const storage = new StorageClient(`${options.url.replace(/\/+$/, '')}/storage/v1`, {
    apikey: options.serviceKey,
    authorization: `Bearer ${options.serviceKey}`,
  })
  const bucket = () => storage.from(options.bucket)
  return {
    kind: 'supabase',
    async put(key, body, contentType) {
      // upsert: the key is the content's hash, so an existing object already holds these bytes.
      const { error } = await bucket().upload(key, body, { contentType, upsert: true })
      if (error) throw new Error(`Supabase Storage upload failed: ${error.message}`, { cause: error })
    },
    async signedUrl(object, ttlSeconds) {
      const { data, error } = await bucket().createSignedUrl(object.key, ttlSeconds, {
        download: object.filename,
      })
      if (error) throw new Error(`Supabase Storage signing failed: ${error.message}`, { cause: error })
      return data.signedUrl
    },
  }
}
