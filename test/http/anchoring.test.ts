/**
 * The anchoring endpoints over HTTP: the batch list (public, paged), the proofs (a posting's for
 * its owner and admins, records' for anyone) with their problem documents for what is not
 * there yet, not theirs or not a sequence number, and /readyz's anchoring detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyProof } from '../../src/domain/anchoring/index.js'
import { closeDueBatches } from '../../src/services/anchoring/batches.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { call } from '../helpers/http.js'
import { TestClock } from '../helpers/money.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const clock = new TestClock()
let t: TestApp
let alice: TestUser
let bob: TestUser
let admin: TestUser

beforeAll(async () => {
  t = await createTestApp({ clock })
  alice = await createTestUser(t)
  bob = await createTestUser(t)
  admin = await createTestUser(t, { admin: true })
})
afterAll(() => t?.close())

async function aliceLastSeq(): Promise<string> {
  const ledger = await call(t, 'GET', '/v1/me/ledger?limit=1', alice)
  expect(ledger.status).toBe(200)
  return ledger.body.items[0].seq
}

describe('anchoring over HTTP', () => {
  it('answers 409 proof_not_ready until the batch closes, then the proof to its owner', async () => {
    const seq = await aliceLastSeq()
    const early = await t.app.inject({
      method: 'GET',
      url: `/v1/ledger/entries/${seq}/proof`,
      headers: alice.headers,
    })
    expect(early.statusCode).toBe(409)
    expect(early.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(early.headers['retry-after']).toBe('60')
    expect(early.json()).toMatchObject({ code: 'proof_not_ready', status: 409 })

    clock.advance(61_000)
    await closeDueBatches(t.ctx, { maxLeaves: 10_000, intervalMs: 60_000 })
    const proof = await call(t, 'GET', `/v1/ledger/entries/${seq}/proof`, alice)
    expect(proof.status).toBe(200)
    expect(proof.body).toMatchObject({
      proof: { version: 1, kind: 'posting', fields: { seq } },
      batch: { id: '1', status: 'local', final: false },
      chain: { contract_address: null },
    })
    expect(verifyProof(proof.body.proof)).toMatchObject({ ok: true })
    expect((await call(t, 'GET', `/v1/ledger/entries/${seq}/proof`, admin)).status).toBe(200)
    expect((await call(t, 'GET', `/v1/ledger/entries/${seq}/proof`, bob)).status).toBe(403)
    expect((await call(t, 'GET', `/v1/ledger/entries/${seq}/proof`)).status).toBe(401)
  })

  it.each(['0', '01', '-1', 'abc', '1e3', '99999999999999999999'])(
    'refuses the sequence number %s with a 400',
    async (seq) => {
      const res = await call(t, 'GET', `/v1/ledger/entries/${seq}/proof`, admin)
      expect(res.status).toBe(400)
      expect(res.body.code).toBe('validation_failed')
      expect((await call(t, 'GET', `/v1/ledger/records/${seq}/proof`)).status).toBe(400)
    },
  )

  it('answers 404 for what does not exist', async () => {
    expect((await call(t, 'GET', '/v1/ledger/entries/999999999/proof', admin)).body.code).toBe('not_found')
    expect((await call(t, 'GET', '/v1/ledger/records/999999999/proof')).body.code).toBe('not_found')
    expect((await call(t, 'GET', '/v1/markets/no-such-market/decision/proof')).status).toBe(404)
  })

  it('lists batches publicly, newest first, with where anchoring stands', async () => {
    const res = await call(t, 'GET', '/v1/ledger/anchors?limit=10')
    expect(res.status).toBe(200)
    expect(res.body.items[0]).toMatchObject({ id: '1', status: 'local', leaf_count: expect.any(Number) })
    expect(res.body.items[0].root).toMatch(/^0x[0-9a-f]+$/)
    expect(res.body.anchoring).toMatchObject({ pending_batches: 1, last_anchored_batch: null })
    expect(res.body.chain).toEqual({ contract_address: null })
    expect((await call(t, 'GET', '/v1/ledger/anchors?cursor=bad')).status).toBe(400)
    expect((await call(t, 'GET', '/v1/ledger/anchors?limit=0')).status).toBe(400)
  })

  it('shows the backlog in /readyz without failing it', async () => {
    const res = await call(t, 'GET', '/readyz')
    expect(res.status).toBe(200)
    expect(res.body.checks.anchoring).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/1 batch\(es\) not final/),
    })
  })
})
