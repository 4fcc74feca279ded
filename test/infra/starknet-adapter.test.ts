/**
 * The Starknet adapter against the LOCAL STAND-IN node (test/fakes/starknet-node.ts) over a real
 * socket: not Starknet, but a JSON-RPC server that checks signatures, nonces, balances and the
 * anchor contract's rules the way the chain does, and injects faults. What these tests show is
 * how the adapter talks and reacts, not that a real network behaves the same.
 */
import { Account, ETransactionVersion, RpcProvider } from 'starknet'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FIELD_PRIME } from '../../src/infra/starknet/felts.js'
import {
  type AnchorChain,
  ChainRefusedError,
  ChainStartError,
  ChainUnavailableError,
  createAnchorReader,
  createStarknetChain,
  type StarknetChainOptions,
} from '../../src/infra/starknet/index.js'
import { readTransactionStatus } from '../../src/infra/starknet/tx-status.js'
import {
  type LocalNodeAccount,
  type LocalStarknetNode,
  startLocalStarknetNode,
} from '../fakes/starknet-node.js'

const ROOT_1 = 0x1234abcdn
const ROOT_2 = 0x0777_0000_ffff_0000_1111_2222_3333_4444n
/**
 * The node answers in milliseconds, but a loaded CI machine once took more than 400 ms to get an
 * answer through; 2 s keeps the fault tests short (the slow node's case waits it out 4 times).
 */
const TIMEOUT_MS = 2_000
const ONE_STRK = 10n ** 18n

let node: LocalStarknetNode
let owner: LocalNodeAccount
let contractAddress: string
const opened: AnchorChain[] = []

function options(overrides: Partial<StarknetChainOptions> = {}): StarknetChainOptions {
  return {
    rpcUrl: node.url,
    accountAddress: owner.address,
    privateKey: owner.privateKey,
    contractAddress,
    maxFeeFri: ONE_STRK,
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  }
}

async function chain(overrides: Partial<StarknetChainOptions> = {}): Promise<AnchorChain> {
  const made = await createStarknetChain(options(overrides))
  opened.push(made)
  return made
}

/** The nonces of the invoke transactions the node received, in order of arrival. */
function sentNonces(): bigint[] {
  return node.requests
    .filter((request) => request.method === 'starknet_addInvokeTransaction')
    .map((request) =>
      BigInt((request.params as { invoke_transaction: { nonce: string } }).invoke_transaction.nonce),
    )
}

function countOf(method: string): number {
  return node.requests.filter((request) => request.method === method).length
}

/** Another process with the owner's key anchors batch 2 and it is mined: nonce 1 is spent. */
async function spendNonceElsewhere(): Promise<void> {
  const provider = await RpcProvider.create({ nodeUrl: node.url, plugins: false })
  const other = new Account({
    provider,
    address: owner.address,
    signer: owner.privateKey,
    cairoVersion: '1',
    transactionVersion: ETransactionVersion.V3,
    plugins: false,
  })
  await other.execute(
    { contractAddress, entrypoint: 'anchor_root', calldata: ['0x2', '0x99', '0x1'] },
    { tip: 0n },
  )
  node.mine()
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

// A node per test: its request log and nonces then belong to that test alone.
beforeEach(async () => {
  node = await startLocalStarknetNode()
  owner = node.createAccount()
  contractAddress = node.deployAnchorContract(owner.address)
})

afterEach(async () => {
  await node.faults.clear()
  await Promise.all(opened.splice(0).map((made) => made.close()))
  await node.close()
})

describe('Starknet adapter (local stand-in node)', () => {
  it('submits batches 1 and 2, which are pending until a block, then accepted and read back', async () => {
    const anchor = await chain()
    expect(await anchor.lastBatch()).toBe(0n)
    expect(await anchor.getRoot(1n)).toBeNull()

    const first = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 3n })
    expect(first.transactionHash).toMatch(/^0x[0-9a-f]+$/)
    expect(await anchor.status(first.transactionHash)).toEqual({ state: 'pending', finality: 'RECEIVED' })
    const firstBlock = node.mine()
    expect(await anchor.status(first.transactionHash)).toEqual({
      state: 'accepted',
      finality: 'ACCEPTED_ON_L2',
      blockNumber: firstBlock,
    })

    const second = await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 2n ** 40n })
    const secondBlock = node.mine()
    node.acceptOnL1()
    expect(await anchor.status(second.transactionHash)).toEqual({
      state: 'accepted',
      finality: 'ACCEPTED_ON_L1',
      blockNumber: secondBlock,
    })

    expect(await anchor.lastBatch()).toBe(2n)
    expect(await anchor.getRoot(1n)).toEqual({ root: ROOT_1, leafCount: 3n })
    expect(await anchor.getRoot(2n)).toEqual({ root: ROOT_2, leafCount: 2n ** 40n })
    expect(await anchor.getRoot(3n)).toBeNull()
    expect(node.anchored(contractAddress).batches.map((b) => b.transactionHash)).toEqual([
      first.transactionHash,
      second.transactionHash,
    ])
  })

  it('the read-only reader sees the same roots, without an account', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.mine()
    const reader = await createAnchorReader({ rpcUrl: node.url, contractAddress, timeoutMs: TIMEOUT_MS })
    expect(await reader.lastBatch()).toBe(1n)
    expect(await reader.getRoot(1n)).toEqual({ root: ROOT_1, leafCount: 1n })
    expect(await reader.getRoot(2n)).toBeNull()
    await reader.close()
    await expect(reader.lastBatch()).rejects.toThrow('closed')
  })

  it('batch 2 sent twice before a block: the second is reverted (BATCH_NOT_NEXT), never accepted', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.mine()
    const kept = await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 5n })
    const duplicate = await anchor.submit({ batchId: 2n, root: ROOT_1, leafCount: 7n })
    node.mine()

    expect(await anchor.status(kept.transactionHash)).toMatchObject({ state: 'accepted' })
    const status = await anchor.status(duplicate.transactionHash)
    expect(status.state).toBe('reverted')
    expect(status.state === 'reverted' && status.reason).toContain('BATCH_NOT_NEXT')
    expect(await anchor.getRoot(2n)).toEqual({ root: ROOT_2, leafCount: 5n })

    // The trap the adapter avoids: starknet.js's waitForTransaction without errorStates resolves
    // on this reverted transaction as if it had succeeded.
    const provider = await RpcProvider.create({ nodeUrl: node.url, plugins: false })
    const receipt = await provider.waitForTransaction(duplicate.transactionHash, { retryInterval: 10 })
    expect(receipt.isReverted()).toBe(true)
    await expect(
      provider.waitForTransaction(duplicate.transactionHash, {
        retryInterval: 10,
        errorStates: ['REVERTED'],
      }),
    ).rejects.toThrow('REVERTED')
  })

  it('a batch already anchored is refused at the estimate and not sent', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.mine()
    const sent = countOf('starknet_addInvokeTransaction')
    const error = await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    expect(error).toBeInstanceOf(ChainRefusedError)
    expect((error as ChainRefusedError).code).toBe(41)
    expect(error.message).toContain('BATCH_NOT_NEXT')
    expect(countOf('starknet_addInvokeTransaction')).toBe(sent)
    // The nonce was not spent: the next batch goes through with it.
    await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 1n])
  })

  it('reconciles the nonce when another writer spent one (error 52), retrying once', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.mine()

    // Another process with the same key sends a transaction: our local nonce (1) is now stale.
    await spendNonceElsewhere()

    const third = await anchor.submit({ batchId: 3n, root: ROOT_2, leafCount: 4n })
    node.mine()
    expect(await anchor.status(third.transactionHash)).toMatchObject({ state: 'accepted' })
    // Ours at 0, the other writer's at 1, ours refused at 1 then sent at 2.
    expect(sentNonces()).toEqual([0n, 1n, 1n, 2n])
    expect(node.nonceOf(owner.address)).toBe(3n)
    expect(await anchor.lastBatch()).toBe(3n)
  })

  it('reconciles a nonce refused as VALIDATION_FAILURE (55) with the nonce text, as some gateways do', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.mine()
    await spendNonceElsewhere()
    await node.faults.set({ nonceAsValidationFailure: true })
    await anchor.submit({ batchId: 3n, root: ROOT_2, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 1n, 1n, 2n])
  })

  it('a validation failure that is not about the nonce is refused, not retried', async () => {
    const anchor = await chain({ privateKey: node.createAccount().privateKey })
    const error = await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    expect(error).toBeInstanceOf(ChainRefusedError)
    expect((error as ChainRefusedError).code).toBe(55)
    expect(error.message).toContain('invalid signature')
    expect(sentNonces()).toEqual([0n])
  })

  it('pre-confirmed is still pending, and reads at latest do not see it yet', async () => {
    const anchor = await chain()
    const sent = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    node.preConfirm()
    expect(await anchor.status(sent.transactionHash)).toEqual({ state: 'pending', finality: 'PRE_CONFIRMED' })
    expect(await anchor.lastBatch()).toBe(0n)
    node.mine()
    expect(await anchor.status(sent.transactionHash)).toMatchObject({ state: 'accepted' })
    expect(await anchor.lastBatch()).toBe(1n)
  })

  it('refuses a transaction whose bounded fee is above the ceiling, without sending it', async () => {
    const anchor = await chain({ maxFeeFri: 1000n })
    const error = await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    expect(error).toBeInstanceOf(ChainRefusedError)
    expect(error.message).toMatch(/could cost up to \d+ fri, above the ceiling of 1000 fri/)
    expect(countOf('starknet_estimateFee')).toBeGreaterThan(0)
    expect(sentNonces()).toEqual([])
  })

  it('signs explicit resource bounds within the ceiling', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    const sent = node.requests.find((r) => r.method === 'starknet_addInvokeTransaction')
    if (!sent) throw new Error('nothing was sent')
    type Sent = { invoke_transaction: { resource_bounds: Record<string, Record<string, string>> } }
    const bounds = (sent.params as Sent).invoke_transaction.resource_bounds
    const maxFee = Object.values(bounds).reduce(
      (sum, bound) => sum + BigInt(bound.max_amount as string) * BigInt(bound.max_price_per_unit as string),
      0n,
    )
    expect(maxFee).toBeGreaterThan(0n)
    expect(maxFee).toBeLessThanOrEqual(ONE_STRK)
  })

  it('a refused balance is a ChainRefusedError with the node code', async () => {
    const anchor = await chain()
    await node.faults.set({ insufficientBalance: true })
    const error = await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    expect(error).toBeInstanceOf(ChainRefusedError)
    expect((error as ChainRefusedError).code).toBe(54)
  })

  it('serialises submissions from concurrent callers of one account: consecutive nonces, none refused', async () => {
    // Six contracts owned by the same account, each with its own adapter object, all submitting
    // at once: the account has one writer in the process whatever the number of objects.
    const contracts = [
      contractAddress,
      ...Array.from({ length: 5 }, () => node.deployAnchorContract(owner.address)),
    ]
    const anchors = await Promise.all(contracts.map((address) => chain({ contractAddress: address })))
    const results = await Promise.all(
      anchors.map((anchor, index) => anchor.submit({ batchId: 1n, root: BigInt(index + 1), leafCount: 1n })),
    )
    expect(sentNonces()).toEqual([0n, 1n, 2n, 3n, 4n, 5n])
    // Each submission ran alone: its estimate came after the previous one's send.
    const methods = node.requests
      .map((r) => r.method)
      .filter((m) => m === 'starknet_estimateFee' || m === 'starknet_addInvokeTransaction')
    expect(methods).toEqual(
      contracts.flatMap(() => ['starknet_estimateFee', 'starknet_addInvokeTransaction']),
    )
    node.mine()
    for (const [index, anchor] of anchors.entries()) {
      expect(await anchor.status(results[index]?.transactionHash as string)).toMatchObject({
        state: 'accepted',
      })
      expect(await anchor.getRoot(1n)).toEqual({ root: BigInt(index + 1), leafCount: 1n })
    }
  })

  it('batch N+1 before N is in a block is refused at the estimate (not sent, no fee)', async () => {
    const anchor = await chain()
    await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    const error = await failure(anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n }))
    expect(error).toBeInstanceOf(ChainRefusedError)
    expect(error.message).toContain('BATCH_NOT_NEXT')
    node.mine()
    await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 1n])
  })

  it('an answer lost after the node took the transaction: the resend is recognised, anchored once', async () => {
    const anchor = await chain()
    await node.faults.set({ loseAnswer: true, methods: ['starknet_addInvokeTransaction'] })
    const lost = await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    expect(lost).toBeInstanceOf(ChainUnavailableError)
    await node.faults.clear()

    // The caller retries the same batch. The lost transaction is RECEIVED, in no block's nonce,
    // so the nonce read says 0 again and the resend is the very same transaction: DUPLICATE_TX,
    // which means it was sent, under the hash we signed.
    const retry = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 0n])
    node.mine()
    expect(await anchor.status(retry.transactionHash)).toMatchObject({ state: 'accepted' })
    expect(node.anchored(contractAddress).batches.map((b) => b.transactionHash)).toEqual([
      retry.transactionHash,
    ])
    // The next batch goes out with the next nonce.
    await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 0n, 1n])
  })

  it('a lost answer then a different resend: the node names the nonce it expects, the resend reverts', async () => {
    const anchor = await chain()
    await node.faults.set({ loseAnswer: true, methods: ['starknet_addInvokeTransaction'] })
    await failure(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n }))
    await node.faults.clear()
    // Not the same transaction this time (another root): the node refuses nonce 0 (52) and
    // names 1, which the retry uses; executed after the lost one, it reverts.
    const retry = await anchor.submit({ batchId: 1n, root: ROOT_2, leafCount: 1n })
    expect(sentNonces()).toEqual([0n, 0n, 1n])
    node.mine()
    expect(await anchor.status(retry.transactionHash)).toMatchObject({ state: 'reverted' })
    expect(await anchor.getRoot(1n)).toEqual({ root: ROOT_1, leafCount: 1n })
  })

  it('unknown and forgotten hashes are unknown; a dropped transaction becomes unknown', async () => {
    const anchor = await chain()
    expect(await anchor.status('0x1234')).toEqual({ state: 'unknown' })
    const sent = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    await node.faults.set({ forgetTransactions: true })
    expect(await anchor.status(sent.transactionHash)).toEqual({ state: 'unknown' })
    await node.faults.set({ dropReceived: true })
    node.mine()
    await node.faults.clear()
    expect(await anchor.status(sent.transactionHash)).toEqual({ state: 'unknown' })
    await expect(anchor.status('not a hash')).rejects.toThrow(RangeError)
  })

  it.each([
    ['refused', { down: 'refuse' as const }],
    ['reset', { down: 'reset' as const }],
    // Slower than the test's own timeout: only the client's timeout can end these calls in time.
    ['slow', { delayMs: 60_000 }],
    ['invalid JSON', { malformed: 'invalid-json' as const }],
    ['wrong shape', { malformed: 'wrong-shape' as const }],
    ['no result', { malformed: 'no-result' as const }],
    ['an HTML 502', { malformed: 'html-502' as const }],
  ])(
    'a node that is %s: ChainUnavailableError within the timeout, for reads, status and submit',
    async (_, fault) => {
      const anchor = await chain()
      const sent = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
      node.mine()
      await node.faults.set(fault)
      const calls: (() => Promise<unknown>)[] = [
        () => anchor.lastBatch(),
        () => anchor.getRoot(1n),
        () => anchor.status(sent.transactionHash),
        () => anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n }),
      ]
      for (const run of calls) {
        expect(await failure(run())).toBeInstanceOf(ChainUnavailableError)
      }
      await node.faults.clear()
      // Back: the batch that could not be sent goes through, with the next nonce.
      await anchor.submit({ batchId: 2n, root: ROOT_2, leafCount: 1n })
      node.mine()
      expect(await anchor.lastBatch()).toBe(2n)
    },
  )

  it('a status answer of the wrong shape is unavailable, not a status', async () => {
    const anchor = await chain()
    const sent = await anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 1n })
    await node.faults.set({ malformed: 'wrong-shape', methods: ['starknet_getTransactionStatus'] })
    await expect(anchor.status(sent.transactionHash)).rejects.toBeInstanceOf(ChainUnavailableError)
    await node.faults.set({ malformed: 'wrong-shape', methods: ['starknet_call'] })
    await expect(anchor.lastBatch()).rejects.toBeInstanceOf(ChainUnavailableError)
  })

  it.each(['0.8.1', '0.10.1', '0.11.0', '1.0.0'])(
    'a node speaking spec %s is a start error, for the chain and the reader',
    async (specVersion) => {
      await node.faults.set({ specVersion })
      const error = await failure(createStarknetChain(options({ rpcUrl: `${node.url}/rpc?apikey=s3cret` })))
      expect(error).toBeInstanceOf(ChainStartError)
      expect(error.message).toContain(specVersion)
      // The URL's path and query may hold a provider's API key: never in a message.
      expect(error.message).not.toContain('s3cret')
      await expect(
        createAnchorReader({ rpcUrl: node.url, contractAddress, timeoutMs: TIMEOUT_MS }),
      ).rejects.toBeInstanceOf(ChainStartError)
    },
  )

  it('a node down at start is unavailable (retry later), not a start error', async () => {
    await node.faults.set({ down: 'refuse' })
    expect(await failure(createStarknetChain(options()))).toBeInstanceOf(ChainUnavailableError)
  })

  it('an account that does not own the contract, or no contract at the address, is a start error', async () => {
    const stranger = node.createAccount()
    const notOwner = await failure(
      createStarknetChain(options({ accountAddress: stranger.address, privateKey: stranger.privateKey })),
    )
    expect(notOwner).toBeInstanceOf(ChainStartError)
    expect(notOwner.message).toContain('does not own the anchor contract')
    const noContract = await failure(createStarknetChain(options({ contractAddress: '0x5151' })))
    expect(noContract).toBeInstanceOf(ChainStartError)
  })

  it('refuses out-of-range batches before sending anything, and calls after close', async () => {
    const anchor = await chain()
    await expect(anchor.submit({ batchId: 0n, root: ROOT_1, leafCount: 1n })).rejects.toThrow(RangeError)
    await expect(anchor.submit({ batchId: 1n, root: FIELD_PRIME, leafCount: 1n })).rejects.toThrow(RangeError)
    await expect(anchor.submit({ batchId: 1n, root: ROOT_1, leafCount: 0n })).rejects.toThrow(RangeError)
    await expect(anchor.submit({ batchId: 2n ** 64n, root: ROOT_1, leafCount: 1n })).rejects.toThrow(
      RangeError,
    )
    expect(countOf('starknet_estimateFee')).toBe(0)
    await anchor.close()
    await expect(anchor.lastBatch()).rejects.toThrow('closed')
  })
})

/**
 * Answers the stand-in never gives (it has no pre-confirmed blocks and no REJECTED state), fed
 * straight to the status mapping through a provider whose channel answers what each case says.
 */
describe('transaction status mapping', () => {
  function providerAnswering(status: unknown, receipt?: unknown): RpcProvider {
    const channel = {
      getTransactionStatus: async () => status,
      getTransactionReceipt: async () => {
        if (receipt === undefined) throw new Error('no receipt expected')
        return receipt
      },
    }
    return { channel } as unknown as RpcProvider
  }

  it.each([
    [{ finality_status: 'CANDIDATE' }, undefined, { state: 'pending', finality: 'CANDIDATE' }],
    [
      // Executed in a block not yet accepted: the outcome may still change, so still pending.
      { finality_status: 'PRE_CONFIRMED', execution_status: 'REVERTED', failure_reason: 'x' },
      undefined,
      { state: 'pending', finality: 'PRE_CONFIRMED' },
    ],
    [
      { finality_status: 'REJECTED', failure_reason: 'Invalid signature' },
      undefined,
      { state: 'rejected', reason: 'Invalid signature' },
    ],
    [
      // The status says SUCCEEDED but the receipt says REVERTED: reverted.
      { finality_status: 'ACCEPTED_ON_L2', execution_status: 'SUCCEEDED' },
      { execution_status: 'REVERTED', revert_reason: 'BATCH_NOT_NEXT', block_number: 7 },
      { state: 'reverted', reason: 'BATCH_NOT_NEXT' },
    ],
    [
      { finality_status: 'ACCEPTED_ON_L1', execution_status: 'REVERTED', failure_reason: 'EMPTY_BATCH' },
      { execution_status: 'REVERTED', block_number: 7 },
      { state: 'reverted', reason: 'EMPTY_BATCH' },
    ],
    [
      { finality_status: 'ACCEPTED_ON_L2', execution_status: 'SUCCEEDED' },
      { execution_status: 'SUCCEEDED' },
      { state: 'accepted', finality: 'ACCEPTED_ON_L2', blockNumber: null },
    ],
  ])('%o with receipt %o is %o', async (status, receipt, expected) => {
    expect(await readTransactionStatus(providerAnswering(status, receipt), '0xabc')).toEqual(expected)
  })

  it.each([
    [{ finality_status: 'ACCEPTED_ON_L2' }, { execution_status: 'SUCCEEDED' }],
    [{ finality_status: 'FINALISH' }, undefined],
    [{ finality_status: 'RECEIVED', execution_status: 'MAYBE' }, undefined],
    [{ finality_status: 'ACCEPTED_ON_L2', execution_status: 'SUCCEEDED' }, { execution_status: 'OK' }],
    [
      { finality_status: 'ACCEPTED_ON_L2', execution_status: 'SUCCEEDED' },
      { execution_status: 'SUCCEEDED', block_number: '7' },
    ],
    [null, undefined],
    ['ACCEPTED_ON_L2', undefined],
  ])('%o with receipt %o is a malformed answer', async (status, receipt) => {
    await expect(readTransactionStatus(providerAnswering(status, receipt), '0xabc')).rejects.toBeInstanceOf(
      ChainUnavailableError,
    )
  })
})
