/**
 * The remote evidence stores, each through its real client library:
 * - S3 (@aws-sdk/client-s3 and its presigner) against s3rver, a fake S3 server speaking the S3
 *   protocol with SigV4 checks (test/fakes/s3-server.ts): the API configured with
 *   EVIDENCE_STORE=s3 uploads, and the presigned link it hands out serves the same bytes with
 *   the stored type and an attachment disposition; an expired link is refused by the server.
 * - Supabase Storage (@supabase/storage-js) against a fake of its object REST API
 *   (test/helpers/fake-supabase-storage.ts): the store chosen when SUPABASE_URL and the service
 *   key are set, its signed download link, the service key checked.
 * Not run here: real AWS S3, MinIO or another production S3 server (so no check that S3 itself
 * refuses a forged SigV4 signature: s3rver does not verify them), and a real Supabase project.
 */
import { createHash } from 'node:crypto'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvidenceStore, evidenceStoreKind } from '../../src/infra/evidence-store/index.js'
import { evidenceLink, uploadEvidence } from '../../src/services/evidence/index.js'
import { FAKE_S3_CREDENTIALS, type FakeS3, startFakeS3 } from '../fakes/s3-server.js'
import { createTestApp, type TestApp, testConfig } from '../helpers/app.js'
import { FakeSupabaseStorage } from '../helpers/fake-supabase-storage.js'
import { newUser, principalOf } from '../helpers/money.js'
import { createTestUser } from '../helpers/users.js'

const PDF = Buffer.from('%PDF-1.4\n% evidence \u00e9\n%%EOF\n')
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describe('the S3 store, against a fake S3 server (s3rver)', () => {
  let s3: FakeS3
  let t: TestApp

  beforeAll(async () => {
    s3 = await startFakeS3(['evidence-test'])
    t = await createTestApp({
      env: {
        EVIDENCE_STORE: 's3',
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: 'evidence-test',
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
        EVIDENCE_LINK_TTL_S: '120',
      },
    })
  })
  afterAll(async () => {
    await t?.close()
    await s3?.close()
  })

  it('uploads through the API and hands out a presigned link that serves the file as an attachment', async () => {
    const alice = await createTestUser(t)
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/evidence?filename=${encodeURIComponent('rapport été.pdf')}`,
      headers: { ...alice.headers, 'content-type': 'application/pdf' },
      payload: PDF,
    })
    expect(res.statusCode, res.body).toBe(201)
    const file = res.json()
    expect(file).toMatchObject({
      sha256: sha256(PDF),
      size: String(PDF.length),
      content_type: 'application/pdf',
    })

    // The object is in the bucket under its hash, with its type.
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: FAKE_S3_CREDENTIALS,
    })
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'evidence-test', Key: `sha256/${sha256(PDF)}` }),
    )
    expect(
      Buffer.from(
        await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      ),
    ).toEqual(PDF)
    expect(object.ContentType).toBe('application/pdf')
    client.destroy()

    const link = new URL(file.link.url)
    expect(link.origin).toBe(s3.endpoint)
    expect(link.searchParams.get('X-Amz-Expires')).toBe('120')
    const download = await fetch(link)
    expect(download.status, await download.clone().text()).toBe(200)
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="rapport _t_.pdf"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf`,
    )

    // s3rver checks a presigned link's access key and expiry, not its SigV4 signature (its
    // source says so: "Signature version 4 calculation is unimplemented"), so a forged
    // signature is not tested here; a link naming another key id is refused.
    const stranger = new URL(link)
    stranger.searchParams.set(
      'X-Amz-Credential',
      (link.searchParams.get('X-Amz-Credential') ?? '').replace(FAKE_S3_CREDENTIALS.accessKeyId, 'NOBODY'),
    )
    const refused = await fetch(stranger)
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('InvalidAccessKeyId')
  })

  it('signs links that the server refuses once they expire', async () => {
    const bytes = Buffer.from('short-lived')
    await t.ctx.evidence.put(`sha256/${sha256(bytes)}`, bytes, 'text/plain')
    const url = await t.ctx.evidence.signedUrl?.(
      { key: `sha256/${sha256(bytes)}`, contentType: 'text/plain', filename: 'x.txt' },
      1,
    )
    expect(url).toBeDefined()
    expect((await fetch(url as string)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const expired = await fetch(url as string)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('Request has expired')
  })
})

describe('the Supabase Storage store, against a fake of its REST API', () => {
  const SERVICE_KEY = 'service-role-key-of-the-fake-project'
  let storage: FakeSupabaseStorage
  let t: TestApp

  beforeAll(async () => {
    storage = new FakeSupabaseStorage(SERVICE_KEY)
    storage.createBucket('evidence')
    await storage.start()
    // The app itself stays in local auth (its users sign up locally); the store is built from
    // a configuration with SUPABASE_URL, as a Supabase deployment's is.
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.close()
    await storage?.stop()
  })

  const supabaseConfig = (env: Record<string, string> = {}) =>
    testConfig({ SUPABASE_URL: storage.url, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, ...env })

  it('is the store when SUPABASE_URL and the service key are set, unless EVIDENCE_STORE says otherwise', () => {
    expect(evidenceStoreKind(supabaseConfig())).toBe('supabase')
    expect(evidenceStoreKind(supabaseConfig({ EVIDENCE_STORE: 'local' }))).toBe('local')
    expect(evidenceStoreKind(testConfig({ SUPABASE_URL: storage.url }))).toBe('local')
    expect(evidenceStoreKind(testConfig())).toBe('local')
    expect(() => testConfig({ EVIDENCE_STORE: 's3' })).toThrow(/S3_BUCKET must be set/)
    expect(() => testConfig({ EVIDENCE_STORE: 'supabase' })).toThrow(/needs SUPABASE_URL/)
  })

  it('stores the file in the bucket and signs a download link that serves it', async () => {
    const store = await createEvidenceStore(supabaseConfig())
    const user = await newUser(t.ctx.db, '0', t.ctx.clock.now())
    const row = await uploadEvidence(t.ctx, store, principalOf(user), {
      body: PDF,
      contentType: 'application/pdf',
      filename: 'report.pdf',
    })
    expect(row).toMatchObject({
      storage: 'supabase',
      sha256: sha256(PDF),
      storage_key: `sha256/${sha256(PDF)}`,
    })
    expect(storage.buckets.get('evidence')?.get(`sha256/${sha256(PDF)}`)).toMatchObject({
      body: PDF,
      contentType: 'application/pdf',
    })
    // The same bytes again: one object, upserted.
    await uploadEvidence(t.ctx, store, principalOf(user), {
      body: PDF,
      contentType: 'application/pdf',
      filename: 'b.pdf',
    })
    expect(storage.buckets.get('evidence')?.size).toBe(1)

    const link = await evidenceLink(t.ctx, store, row)
    expect(link.url.startsWith(`${storage.url}/storage/v1/object/sign/evidence/sha256/`)).toBe(true)
    const download = await fetch(link.url)
    expect(download.status).toBe(200)
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=report.pdf')

    // A row written by another store is not served from this one.
    const local = await createEvidenceStore(testConfig())
    await expect(evidenceLink(t.ctx, local, row)).rejects.toMatchObject({ status: 404 })
  })

  it('reports a refused service key as a failure, not as stored', async () => {
    const store = await createEvidenceStore(
      testConfig({ SUPABASE_URL: storage.url, SUPABASE_SERVICE_ROLE_KEY: 'not-the-service-key' }),
    )
    await expect(store.put('sha256/abc', Buffer.from('x'), 'text/plain')).rejects.toThrow(/upload failed/)
  })
})
