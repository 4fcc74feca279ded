/**
 * Where evidence files (attached to resolutions and disputes) are kept: the local filesystem,
 * Supabase Storage or an S3-compatible service, chosen by EVIDENCE_STORE (unset: Supabase when
 * SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set, else local). Files are content-addressed
 * (their key is their SHA-256), so storing the same bytes twice is one object.
 *
 * A remote store hands out its own signed, expiring link (a presigned GET, a Storage signed
 * URL) that serves the stored type and `Content-Disposition: attachment`; the local store has
 * none, and the API serves the bytes itself behind a link it signs (services/evidence).
 */
import type { Readable } from 'node:stream'
import type { Config } from '../../config/index.js'
import { createLocalEvidenceStore } from './local.js'

export interface StoredObject {
  readonly key: string
  readonly contentType: string
  /** The name offered to the browser (Content-Disposition). */
  readonly filename: string
}

export interface EvidenceStore {
  readonly kind: 'local' | 's3' | 'supabase'
  /** Stores the bytes under `key` (a later put of the same key carries the same bytes). */
  put(key: string, body: Buffer, contentType: string): Promise<void>
  /** A link of the store itself, valid `ttlSeconds`; absent: the API serves `open`. */
  signedUrl?(object: StoredObject, ttlSeconds: number): Promise<string>
  /** The bytes, for stores the API serves itself; undefined when the object is missing. */
  open?(key: string): Promise<Readable | undefined>
}

export type EvidenceStoreKind = EvidenceStore['kind']

export function evidenceStoreKind(config: Config): EvidenceStoreKind {
  if (config.EVIDENCE_STORE) return config.EVIDENCE_STORE
  return config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY ? 'supabase' : 'local'
}

/** The configured store; the S3 and Supabase clients are loaded only by the deployments that use them. */
export async function createEvidenceStore(config: Config): Promise<EvidenceStore> {
  switch (evidenceStoreKind(config)) {
    case 's3': {
      const { createS3EvidenceStore } = await import('./s3.js')
      return createS3EvidenceStore({
        bucket: config.S3_BUCKET as string,
        region: config.S3_REGION,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
        ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? {
              credentials: {
                accessKeyId: config.S3_ACCESS_KEY_ID,
                secretAccessKey: config.S3_SECRET_ACCESS_KEY,
              },
            }
          : {}),
      })
    }
    case 'supabase': {
      const { createSupabaseEvidenceStore } = await import('./supabase.js')
      return createSupabaseEvidenceStore({
        url: config.SUPABASE_URL as string,
        serviceKey: config.SUPABASE_SERVICE_ROLE_KEY as string,
        bucket: config.EVIDENCE_BUCKET,
      })
    }
    default:
      return createLocalEvidenceStore(config.EVIDENCE_DIR, config.projectRoot)
  }
}
