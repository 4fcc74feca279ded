/**
 * Starknet as the place anchored roots live: the `AnchorChain` the batch worker submits to and
 * polls, and a read-only `AnchorReader` for the `verify` command (no account, no key).
 *
 * Built on starknet.js 10.8.0 (pinned). The node is asked its spec version at start; every HTTP
 * request has a deadline; every answer is shape- and range-checked before it is believed.
 */
import type { StarknetChainOptions } from './config.js'
import { type AnchoredRoot, readLastBatch, readOwner, readRoot } from './contract-reads.js'
import { ChainRefusedError, ChainStartError, ChainUnavailableError, toChainError } from './errors.js'
import { parseHexFelt, toHexFelt } from './felts.js'
import { requirePrivateKey } from './keys.js'
import { connect, nodeOrigin } from './provider.js'
import { type ChainTxStatus, readTransactionStatus } from './tx-status.js'
import { type AnchorBatch, createAnchorWriter } from './writer.js'

export { type StarknetChainOptions, starknetOptionsFromConfig } from './config.js'
export { openStarknetKey, requirePrivateKey, sealStarknetKey, starknetKeyContext } from './keys.js'
export type { AnchorBatch, AnchoredRoot, ChainTxStatus }
export { ChainRefusedError, ChainStartError, ChainUnavailableError }

export interface AnchorChain {
  /** Last anchored batch id on the contract (0n when none). */
  lastBatch(): Promise<bigint>
  /** Root and leaf count anchored for a batch; null when the contract has none for it. */
  getRoot(batchId: bigint): Promise<{ root: bigint; leafCount: bigint } | null>
  /** Sends anchor_root; resolves with the hash once the node accepted the transaction for processing. */
  submit(batch: { batchId: bigint; root: bigint; leafCount: bigint }): Promise<{ transactionHash: string }>
  /** What the chain says about a transaction now (one query, no waiting). */
  status(transactionHash: string): Promise<ChainTxStatus>
  close(): Promise<void>
}

export interface AnchorReader {
  lastBatch(): Promise<bigint>
  getRoot(batchId: bigint): Promise<{ root: bigint; leafCount: bigint } | null>
  close(): Promise<void>
}

export const DEFAULT_TIMEOUT_MS = 10_000

export interface AnchorReaderOptions {
  rpcUrl: string
  contractAddress: string
  timeoutMs?: number
}

function closedError(): Error {
  return new Error('The Starknet adapter is closed')
}

/**
 * Connects, checks the node's spec version, and checks that the account owns the contract (a
 * non-owner's anchors would all revert). Throws ChainStartError for a configuration that cannot
 * work and ChainUnavailableError when the node cannot be reached (try again later).
 */
export async function createStarknetChain(options: StarknetChainOptions): Promise<AnchorChain> {
  const contractAddress = toHexFelt(parseHexFelt(options.contractAddress, 'contractAddress'))
  const accountAddress = parseHexFelt(options.accountAddress, 'accountAddress')
  requirePrivateKey(options.privateKey)
  if (options.maxFeeFri <= 0n) throw new RangeError('maxFeeFri must be positive')
  const provider = await connect({
    rpcUrl: options.rpcUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  })

  const owner = await ownerAtStart(provider, contractAddress)
  if (owner !== accountAddress) {
    throw new ChainStartError(
      `The account ${toHexFelt(accountAddress)} does not own the anchor contract ${contractAddress} ` +
        `(its owner is ${toHexFelt(owner)}): every anchor would revert`,
    )
  }
  let chainId: string
  try {
    chainId = await provider.getChainId()
  } catch (error) {
    throw toChainError(error, 'reading the chain id')
  }
  const writer = createAnchorWriter({ ...options, provider, chainId, contractAddress })
  options.logger?.info(
    { node: nodeOrigin(options.rpcUrl), chainId, contractAddress, specVersion: provider.readSpecVersion() },
    'starknet adapter connected',
  )

  let closed = false
  const open = () => {
    if (closed) throw closedError()
  }
  return {
    async lastBatch() {
      open()
      return readLastBatch(provider, contractAddress)
    },
    async getRoot(batchId) {
      open()
      return readRoot(provider, contractAddress, batchId)
    },
    async submit(batch) {
      open()
      return writer.submit(batch)
    },
    async status(transactionHash) {
      open()
      return readTransactionStatus(provider, transactionHash)
    },
    async close() {
      closed = true
      await writer.drain()
    },
  }
}

export async function createAnchorReader(options: AnchorReaderOptions): Promise<AnchorReader> {
  const contractAddress = toHexFelt(parseHexFelt(options.contractAddress, 'contractAddress'))
  const provider = await connect({
    rpcUrl: options.rpcUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  })
  let closed = false
  return {
    async lastBatch() {
      if (closed) throw closedError()
      return readLastBatch(provider, contractAddress)
    },
    async getRoot(batchId) {
      if (closed) throw closedError()
      return readRoot(provider, contractAddress, batchId)
    },
    async close() {
      closed = true
    },
  }
}

/** owner() at start: a refusal here (no contract at the address, no such view) is configuration. */
async function ownerAtStart(provider: Awaited<ReturnType<typeof connect>>, contractAddress: string) {
  try {
    return await readOwner(provider, contractAddress)
  } catch (error) {
    if (error instanceof ChainRefusedError) {
      throw new ChainStartError(
        `The anchor contract ${contractAddress} cannot be read (${error.message}); check STARKNET_CONTRACT_ADDRESS`,
        { cause: error },
      )
    }
    throw error
  }
}
