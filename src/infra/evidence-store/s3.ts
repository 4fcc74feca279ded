/**
 * Evidence in S3 or an S3-compatible service (MinIO, R2, Ceph, …) through the AWS SDK. Links
 * are presigned GETs that make the service answer with the stored type and an attachment
 * disposition (ResponseContentType / ResponseContentDisposition), whatever the object says.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { contentDisposition } from '../../domain/content-disposition.js'
import type { EvidenceStore } from './index.js'

export interface S3StoreOptions {
  bucket: string
  region: string
  endpoint?: string
  forcePathStyle: boolean
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

export function createS3EvidenceStore(options: S3StoreOptions): EvidenceStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    // The SDK's default integrity checksums (CRC32 headers, x-amz-checksum-mode on GETs) are
    // not understood by every S3-compatible server, and a presigned GET must not need a header
    // a browser will not send: checksums only where an operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  })
  return {
    kind: 's3',
    async put(key, body, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ContentType: contentType }),
      )
    },
    signedUrl(object, ttlSeconds) {
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: options.bucket,
          Key: object.key,
          ResponseContentType: object.contentType,
          ResponseContentDisposition: contentDisposition(object.filename),
        }),
        { expiresIn: ttlSeconds },
      )
    },
  }
}
