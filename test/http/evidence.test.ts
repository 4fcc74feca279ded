/**
 * Evidence files over HTTP with the local store (the default): upload with its limits, the
 * signed link that serves the same bytes as an attachment (and refuses a forged or expired
 * link), who may see a file before and after it is attached, a resolution and a dispute that
 * attach files, and the file's SHA-256 in the anchored resolution record, bound by its proof.
 * The S3 and Supabase Storage stores are test/infra/evidence-stores.test.ts.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyProof } from '../../src/domain/anchoring/index.js'
import { closeDueBatches } from '../../src/services/anchoring/batches.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/money.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const clock = new TestClock(new Date())
const HOUR = 3_600_000
// A PNG signature and a few bytes: what matters is that the bytes come back unchanged.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('evidence \u00e9 bytes\n')])
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

let t: TestApp
let dir: string
let alice: TestUser
let bob: TestUser

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dm-evidence-'))
  t = await createTestApp({
    clock,
    env: {
      EVIDENCE_DIR: dir,
      EVIDENCE_MAX_BYTES: '4096',
      EVIDENCE_LINK_TTL_S: '60',
      DISPUTE_WINDOW_S: '600',
    },
  })
  ;[alice, bob] = await Promise.all([createTestUser(t), createTestUser(t)])
})
afterAll(async () => {
  await t?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

function upload(user: TestUser | null, body: Buffer, contentType: string, filename?: string) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/evidence${filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`}`,
    headers: { ...(user?.headers ?? {}), 'content-type': contentType },
    payload: body,
  })
}

/** The path and query of a link the API signed for itself. */
function local(url: string): string {
  const parsed = new URL(url)
  expect(parsed.origin).toBe(new URL(t.ctx.config.publicUrl).origin)
  return `${parsed.pathname}${parsed.search}`
}

async function newMarket(user: TestUser) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question: `Evidence market ${Math.random()}`,
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

describe('uploading', () => {
  it('stores the bytes under their hash and answers the record with a signed link', async () => {
    const res = await upload(alice, PNG, 'image/png', 'Résultat "final".png')
    expect(res.statusCode, res.body).toBe(201)
    const file = res.json()
    expect(file).toMatchObject({
      sha256: sha256(PNG),
      size: String(PNG.length),
      content_type: 'image/png',
      filename: 'Résultat final.png',
      uploader_id: alice.userId,
      attached: false,
    })
    expect(await readdir(path.join(dir, 'sha256'))).toContain(sha256(PNG))

    const download = await t.app.inject({ method: 'GET', url: local(file.link.url) })
    expect(download.statusCode, download.body).toBe(200)
    expect(download.rawPayload.equals(PNG)).toBe(true)
    expect(download.headers['content-type']).toBe('image/png')
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="R_sultat final.png"; filename*=UTF-8''R%C3%A9sultat%20final.png`,
    )
    expect(download.headers['x-content-type-options']).toBe('nosniff')
    expect(download.headers['content-length']).toBe(String(PNG.length))
  })

  it('keeps a text file’s charset and names a file without a name by its hash', async () => {
    const text = Buffer.from('temperature,12\n')
    const res = await upload(alice, text, 'text/csv; charset=utf-8')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      content_type: 'text/csv; charset=utf-8',
      filename: `evidence-${sha256(text).slice(0, 12)}`,
    })
    const download = await t.app.inject({ method: 'GET', url: local(res.json().link.url) })
    expect(download.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(download.body).toBe('temperature,12\n')
  })

  it('refuses a type off the list (415), a file over the limit (413), an empty one, and anonymous callers', async () => {
    const html = await upload(alice, Buffer.from('<script>alert(1)</script>'), 'text/html')
    expect(html.statusCode).toBe(415)
    expect(html.json()).toMatchObject({ code: 'unsupported_media_type' })
    expect(html.json().detail).toContain('image/png')
    const none = await t.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: alice.headers,
      payload: PNG,
    })
    expect(none.statusCode).toBe(415)

    const big = await upload(alice, Buffer.alloc(4097, 1), 'application/pdf')
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ code: 'payload_too_large', detail: expect.stringContaining('4096') })
    expect((await upload(alice, Buffer.alloc(4096, 1), 'application/pdf')).statusCode).toBe(201)

    const long = await upload(alice, PNG, `text/plain; x=${'y'.repeat(200)}`)
    expect(long.statusCode).toBe(400)
    expect(long.json().errors).toEqual([
      { field: '/headers/content-type', message: 'must be at most 200 characters' },
    ])
    const empty = await upload(alice, Buffer.alloc(0), 'text/plain')
    expect(empty.statusCode).toBe(400)
    expect((await upload(null, PNG, 'image/png')).statusCode).toBe(401)
  })
})

describe('links', () => {
  it('refuses a forged link and an expired one with 403; GET /v1/evidence/{id} signs a fresh one', async () => {
    const file = (await upload(alice, PNG, 'image/png', 'a.png')).json()
    const link = new URL(file.link.url)
    const forged = new URL(link)
    forged.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3600))
    const refused = await t.app.inject({ method: 'GET', url: local(forged.toString()) })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'invalid_link' })
    // Another file's id with this file's signature.
    const other = (await upload(alice, Buffer.from('other'), 'text/plain')).json()
    const swapped = `/v1/evidence/${other.id}/content${link.search}`
    expect((await t.app.inject({ method: 'GET', url: swapped })).json()).toMatchObject({
      code: 'invalid_link',
    })

    clock.advance(61_000)
    const expired = await t.app.inject({ method: 'GET', url: local(file.link.url) })
    expect(expired.statusCode).toBe(403)
    expect(expired.json()).toMatchObject({ code: 'link_expired' })
    const fresh = await t.app.inject({
      method: 'GET',
      url: `/v1/evidence/${file.id}`,
      headers: alice.headers,
    })
    expect(fresh.statusCode).toBe(200)
    const again = await t.app.inject({ method: 'GET', url: local(fresh.json().link.url) })
    expect(again.statusCode).toBe(200)
    expect(again.rawPayload.equals(PNG)).toBe(true)
  })
})

describe('attaching', () => {
  it('a resolution records the file’s hash, which the anchored record and its proof bind', async () => {
    const market = await newMarket(alice)
    const file = (await upload(alice, PNG, 'image/png', 'result.png')).json()
    // Not attached yet: only its uploader sees it.
    expect((await t.app.inject({ method: 'GET', url: `/v1/evidence/${file.id}` })).statusCode).toBe(404)
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/evidence/${file.id}`, headers: bob.headers }))
        .statusCode,
    ).toBe(404)

    // Someone else's upload cannot be attached.
    const bobs = (await upload(bob, Buffer.from('bob'), 'text/plain')).json()
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { files: [file.id, bobs.id] } },
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().errors).toEqual([
      { field: '/body/evidence/files/1', message: `${bobs.id} is not a file you uploaded` },
    ])

    const resolved = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { note: 'see the photo', files: [file.id] } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    const ref = {
      id: file.id,
      sha256: sha256(PNG),
      size: String(PNG.length),
      content_type: 'image/png',
      filename: 'result.png',
    }
    expect(resolved.json().resolution.evidence).toEqual({ note: 'see the photo', files: [ref] })

    // Attached: public, like the resolution.
    const anyone = await t.app.inject({ method: 'GET', url: `/v1/evidence/${file.id}` })
    expect(anyone.statusCode).toBe(200)
    expect(anyone.json()).toMatchObject({ ...ref, attached: true })

    clock.advance(61_000)
    await closeDueBatches(t.ctx, { maxLeaves: 10_000, intervalMs: 60_000 })
    const proof = await t.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/resolution/proof` })
    expect(proof.statusCode, proof.body).toBe(200)
    const served = proof.json().proof
    expect(served.fields.record.evidence.files).toEqual([ref])
    expect(verifyProof(served).ok).toBe(true)
    const tampered = structuredClone(served)
    tampered.fields.record.evidence.files[0].sha256 = sha256(Buffer.from('other bytes'))
    expect(verifyProof(tampered).ok).toBe(false)
  })

  it('a dispute attaches the disputer’s files', async () => {
    const market = await newMarket(alice)
    const trade = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/trades`,
      headers: bob.headers,
      payload: { outcome: 'NO', side: 'buy', amount: '5' },
    })
    expect(trade.statusCode, trade.body).toBe(201)
    const resolved = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/resolve`,
      headers: alice.headers,
      payload: { outcome: 'YES', evidence: { note: 'yes' } },
    })
    expect(resolved.statusCode, resolved.body).toBe(200)
    const doc = Buffer.from('{"measured": "no"}')
    const file = (await upload(bob, doc, 'application/json', 'station.json')).json()
    const dispute = await t.app.inject({
      method: 'POST',
      url: `/v1/markets/${market.id}/disputes`,
      headers: bob.headers,
      payload: { reason: 'the station says no', evidence_files: [file.id] },
    })
    expect(dispute.statusCode, dispute.body).toBe(201)
    expect(dispute.json().evidence_files).toEqual([
      {
        id: file.id,
        sha256: sha256(doc),
        size: String(doc.length),
        content_type: 'application/json',
        filename: 'station.json',
      },
    ])
    expect((await t.app.inject({ method: 'GET', url: `/v1/evidence/${file.id}` })).json().attached).toBe(true)
  })
})
