/**
 * Anchoring end to end, through public interfaces only: a real `serve` process (API and worker)
 * configured for a chain that is the LOCAL STAND-IN Starknet node of test/fakes/starknet-node.ts
 * (checked hashes, signatures, nonces, the contract's rules; not Starknet), the account key
 * sealed by `decision-markets seal-starknet-key`; users trade over HTTP; the service closes
 * batches and anchors them; a user's proof of their own posting, fetched over HTTP, passes
 * `decision-markets verify` offline and against the chain, and a tampered copy does not. Then
 * the service is killed with SIGKILL while its anchor transaction is inside the node, and started
 * again: the chain ends with every batch once, consecutive, equal to the database's.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/config/index.js'
import { createDatabase, type Database, sql } from '../../src/db/database.js'
import { feltToHex, leafFromFields, leafNode, processPath } from '../../src/domain/anchoring/index.js'
import { type LocalStarknetNode, startLocalStarknetNode } from '../fakes/starknet-node.js'
import { TEST_ENCRYPTION_KEYS } from '../helpers/app.js'
import { CLI, type Served, serve, servedTestEnv, waitFor } from '../helpers/cli.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { ledgerViolations } from '../helpers/money.js'
import { freePort } from '../helpers/net.js'

let database: TestDatabase
let db: Database
let node: LocalStarknetNode
let dir: string
const started: Served[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  db = createDatabase({ connectionString: database.url, max: 2, statementTimeoutMs: 30_000 })
  node = await startLocalStarknetNode({ autoMineMs: 100 })
  dir = mkdtempSync(path.join(tmpdir(), 'dm-anchoring-'))
})

afterAll(async () => {
  for (const served of started) {
    if (served.child.exitCode === null && served.child.signalCode === null) kill(served, 'SIGKILL')
  }
  await Promise.all(started.map((served) => served.exited))
  await node?.close()
  await db?.close()
  await database?.drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function kill(served: Served, signal: NodeJS.Signals) {
  try {
    if (served.child.pid !== undefined) process.kill(-served.child.pid, signal)
  } catch {
    // already gone
  }
}

/** Runs the CLI to completion: exit code and output. */
function cli(args: string[], env: Record<string, string> = {}, stdin = '') {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.stderr.on('data', (chunk) => {
      out += chunk
    })
    child.on('exit', (code) => resolve({ code, out }))
    child.stdin.end(stdin)
  })
}

async function json(base: string, method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text, body: text ? JSON.parse(text) : null }
}

const ChainBatches = sql<{ id: bigint; root: string; leaf_count: number; status: string }>(
  'E2eAnchorBatches',
  'select id, root, leaf_count, status from public.anchor_batches order by id',
)

async function waitUntilAnchored(base: string, served: Served, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    if (served.child.exitCode !== null) throw new Error(`service exited:\n${served.output()}`)
    const res = await json(base, 'GET', '/v1/ledger/anchors?limit=1')
    last = res.body?.anchoring
    const a = res.body?.anchoring
    if (a && a.unbatched_postings === '0' && a.unbatched_records === '0' && a.pending_batches === 0)
      return res.body
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`not anchored in ${timeoutMs} ms: ${JSON.stringify(last)}\n${served.output()}`)
}

describe('anchoring a running service on a chain', () => {
  it('anchors what users do, proves it to them, and survives a kill mid-submission', async () => {
    const owner = node.createAccount()
    const contract = node.deployAnchorContract(owner.address)
    const sealed = await cli(
      ['seal-starknet-key', owner.address],
      { ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
      `${owner.privateKey}\n`,
    )
    expect(sealed.code, sealed.out).toBe(0)
    const port = await freePort()
    const metricsPort = await freePort()
    const base = `http://127.0.0.1:${port}`
    const env = {
      ...servedTestEnv(database.url, base),
      PORT: String(port),
      ANCHOR_BATCH_MAX_LEAVES: '8',
      ANCHOR_INTERVAL_SECONDS: '1',
      ANCHOR_POLL_MS: '200',
      STARKNET_RPC_URL: node.url,
      STARKNET_ACCOUNT_ADDRESS: owner.address,
      STARKNET_PRIVATE_KEY: sealed.out.trim(),
      STARKNET_CONTRACT_ADDRESS: contract,
      STARKNET_TIMEOUT_MS: '2000',
      METRICS_PORT: String(metricsPort),
    }
    const start = async () => {
      const served = serve(env)
      started.push(served)
      await waitFor(`${base}/readyz`, served, 90_000)
      return served
    }
    let served = await start()

    const signUp = async (i: number) => {
      const res = await json(base, 'POST', '/auth/v1/signup', undefined, {
        email: `anchor-${i}-${randomBytes(4).toString('hex')}@example.test`,
        password: 'correct horse battery staple',
      })
      expect(res.status, res.text).toBe(200)
      return res.body.access_token as string
    }
    const creator = await signUp(0)
    const traders = await Promise.all([1, 2, 3].map(signUp))
    const market = await json(base, 'POST', '/v1/markets', creator, {
      question: 'Anchored end to end?',
      kind: 'binary',
      subsidy: '100',
      close_at: new Date(Date.now() + 3_600_000).toISOString(),
    })
    expect(market.status, market.text).toBe(201)
    const tradeAll = async () => {
      for (const token of traders) {
        const res = await json(base, 'POST', `/v1/markets/${market.body.id}/trades`, token, {
          outcome: 'YES',
          side: 'buy',
          amount: '2',
        })
        expect(res.status, res.text).toBe(201)
      }
    }
    await tradeAll()
    const anchors = await waitUntilAnchored(base, served)
    expect(anchors.items[0]).toMatchObject({ status: 'anchored', final: true, finality: 'ACCEPTED_ON_L2' })
    expect(anchors.chain.contract_address).toBe(contract)
    const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    expect(scrape).toMatch(/^dm_anchoring_pending_batches 0$/m)
    expect(scrape).toMatch(/^dm_anchoring_last_anchored_batch [1-9]\d*$/m)
    expect((await fetch(`${base}/metrics`)).status).toBe(404) // not on the public port

    // A trader's own posting: its proof, over HTTP, verified by the CLI offline and on the chain.
    const ledger = await json(base, 'GET', '/v1/me/ledger?limit=1', traders[0])
    const seq = ledger.body.items[0].seq as string
    expect((await json(base, 'GET', `/v1/ledger/entries/${seq}/proof`, traders[1])).status).toBe(403)
    const proof = await json(base, 'GET', `/v1/ledger/entries/${seq}/proof`, traders[0])
    expect(proof.status, proof.text).toBe(200)
    expect(proof.body.batch).toMatchObject({ status: 'anchored' })
    const file = path.join(dir, 'proof.json')
    writeFileSync(file, proof.text)
    const offline = await cli(['verify', file])
    expect(offline.code, offline.out).toBe(0)
    expect(offline.out).toMatch(/not checked/)
    const online = await cli(['verify', file, '--rpc-url', node.url, '--contract', contract])
    expect(online.code, online.out).toBe(0)
    const asJson = await cli(['verify', file, '--rpc-url', node.url, '--contract', contract, '--json'])
    expect(asJson.code, asJson.out).toBe(0)
    expect(JSON.parse(asJson.out)).toMatchObject({ ok: true, chain: 'anchored', contract_claimed: contract })
    // The contract a proof file names is its own claim: checking on a chain needs --contract.
    const trusting = await cli(['verify', file, '--rpc-url', node.url])
    expect(trusting.code, trusting.out).toBe(2)
    expect(trusting.out).toMatch(/--rpc-url needs --contract/)
    // Another contract than the one the file names: said, and only --contract is checked.
    const otherContract = node.deployAnchorContract(owner.address)
    const elsewhere = await cli(['verify', file, '--rpc-url', node.url, '--contract', otherContract])
    expect(elsewhere.code, elsewhere.out).toBe(1)
    expect(elsewhere.out).toMatch(/not anchored/)
    expect(elsewhere.out).toMatch(/only --contract is checked/)
    const unreachable = await cli([
      'verify',
      file,
      '--rpc-url',
      `http://127.0.0.1:${await freePort()}`,
      '--contract',
      contract,
    ])
    expect(unreachable.code, unreachable.out).toBe(3)
    expect((await cli(['verify', file, file])).code).toBe(2)
    expect(online.out).toMatch(/is anchored with this root/)
    expect(online.out).toMatch(/VERIFIED/)
    const tampered = JSON.parse(readFileSync(file, 'utf8'))
    tampered.proof.fields.amount = String(BigInt(tampered.proof.fields.amount) * 2n)
    writeFileSync(file, JSON.stringify(tampered))
    const refused = await cli(['verify', file, '--rpc-url', node.url, '--contract', contract])
    expect(refused.code, refused.out).toBe(1)
    expect(refused.out).toMatch(/REFUSED/)
    // A consistent forgery (other fields, their leaf and the root they lead to, recomputed as a
    // forger would) passes offline, where nothing is anchored, and fails against the chain.
    const forged = JSON.parse(proof.text)
    forged.proof.fields.amount = String(BigInt(forged.proof.fields.amount) + 1n)
    const leaf = leafFromFields('posting', forged.proof.fields).hash
    const root = processPath(
      leafNode(leaf, forged.proof.index, forged.proof.leaf_count),
      forged.proof.path.map((p: string) => BigInt(p)),
    )
    forged.proof.leaf = feltToHex(leaf)
    forged.proof.root = feltToHex(root)
    writeFileSync(file, JSON.stringify(forged))
    expect((await cli(['verify', file])).code).toBe(0)
    const caught = await cli(['verify', file, '--rpc-url', node.url, '--contract', contract])
    expect(caught.code, caught.out).toBe(1)
    expect(caught.out).toMatch(/mismatch/)
    const garbage = await cli(['verify', path.join(dir, 'missing.json')])
    expect(garbage.code).toBe(2)

    // Killed while its anchor transaction is inside the node (the answer held back), restarted.
    const sentBefore = node.requests.filter((r) => r.method === 'starknet_addInvokeTransaction').length
    await node.faults.set({ delayMs: 10_000, methods: ['starknet_addInvokeTransaction'] })
    await tradeAll()
    const deadline = Date.now() + 30_000
    while (node.requests.filter((r) => r.method === 'starknet_addInvokeTransaction').length === sentBefore) {
      if (Date.now() > deadline) throw new Error(`no submission reached the node:\n${served.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    kill(served, 'SIGKILL')
    await served.exited
    await node.faults.clear()
    served = await start()
    await tradeAll()
    await waitUntilAnchored(base, served)

    const batches = await db.many(ChainBatches)
    const onChain = node.anchored(contract).batches
    expect(onChain.map((b) => b.batchId)).toEqual(batches.map((b) => b.id))
    expect(onChain.map((b) => `0x${b.root.toString(16)}/${b.leafCount}`)).toEqual(
      batches.map((b) => `${b.root}/${b.leaf_count}`),
    )
    expect(batches.every((b) => b.status === 'anchored')).toBe(true)
    expect(await ledgerViolations(db)).toEqual([])
    kill(served, 'SIGTERM')
    expect(await served.exited).toBe(0)
  }, 180_000)
})
