/**
 * A fake S3 server: s3rver, an S3 emulator in Node that speaks the S3 REST protocol (path-style
 * buckets, SigV4 header and presigned-query authentication with expiry, response-* header
 * overrides), on 127.0.0.1, keeping objects in a temporary folder. Its one credential is
 * S3RVER / S3RVER, as the emulator defines it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'

export const FAKE_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface FakeS3 {
  endpoint: string
  close(): Promise<void>
}

export async function startFakeS3(buckets: string[]): Promise<FakeS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'dm-s3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
