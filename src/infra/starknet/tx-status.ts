/**
 * What the chain says about one transaction now: `starknet_getTransactionStatus`, and the
 * receipt once the transaction is in an accepted block (for its block number and revert
 * reason). One look, no waiting: the batch worker polls, so nothing here loops.
 *
 * Why not starknet.js's `waitForTransaction`: it resolves on a REVERTED transaction unless
 * `errorStates` lists REVERTED, and it sleeps and retries up to 200 times inside a call. A
 * reverted anchor (BATCH_NOT_NEXT, not the owner) must never read as accepted.
 */
import type { RpcProvider } from 'starknet'
import { ChainUnavailableError, RpcCode, rpcCodeOf, toChainError } from './errors.js'
import { parseHexFelt, toHexFelt } from './felts.js'

export type ChainTxStatus =
  | { state: 'unknown' } // the node does not know the hash
  | { state: 'pending'; finality: string } // RECEIVED, PRE_CONFIRMED, CANDIDATE…
  | { state: 'accepted'; finality: 'ACCEPTED_ON_L2' | 'ACCEPTED_ON_L1'; blockNumber: number | null }
  | { state: 'reverted'; reason: string }
  | { state: 'rejected'; reason: string }

/**
 * Before a block is accepted its execution outcome may still change (a pre-confirmed block can
 * be dropped and the transaction re-executed), so these stay pending whatever their
 * execution_status says.
 */
const PENDING = new Set(['RECEIVED', 'CANDIDATE', 'PRE_CONFIRMED'])
const FINAL = new Set(['ACCEPTED_ON_L2', 'ACCEPTED_ON_L1'])
/** Spec 0.7 and older: a transaction the sequencer dropped. Newer nodes forget it (unknown). */
const REJECTED = 'REJECTED'

interface NodeStatus {
  finality_status: string
  execution_status?: string
  failure_reason?: string
}

interface NodeReceipt {
  execution_status: string
  revert_reason?: string
  block_number?: number
}

function malformed(what: string, value: unknown): ChainUnavailableError {
  return new ChainUnavailableError(`${what}: malformed answer (${JSON.stringify(value)?.slice(0, 120)})`)
}

function parseStatus(value: unknown): NodeStatus {
  const status = value as Partial<NodeStatus> | null
  if (typeof status !== 'object' || status === null || typeof status.finality_status !== 'string') {
    throw malformed('getTransactionStatus', value)
  }
  const { execution_status, failure_reason } = status
  if (execution_status !== undefined && execution_status !== 'SUCCEEDED' && execution_status !== 'REVERTED') {
    throw malformed('getTransactionStatus', value)
  }
  if (failure_reason !== undefined && typeof failure_reason !== 'string') {
    throw malformed('getTransactionStatus', value)
  }
  return status as NodeStatus
}

function parseReceipt(value: unknown): NodeReceipt {
  const receipt = value as Partial<NodeReceipt> | null
  if (
    typeof receipt !== 'object' ||
    receipt === null ||
    (receipt.execution_status !== 'SUCCEEDED' && receipt.execution_status !== 'REVERTED') ||
    (receipt.block_number !== undefined && !Number.isSafeInteger(receipt.block_number))
  ) {
    throw malformed('getTransactionReceipt', value)
  }
  return receipt as NodeReceipt
}

async function fetchStatus(provider: RpcProvider, hash: string): Promise<NodeStatus | null> {
  try {
    return parseStatus(await provider.channel.getTransactionStatus(hash))
  } catch (error) {
    if (rpcCodeOf(error) === RpcCode.TXN_HASH_NOT_FOUND) return null
    throw toChainError(error, `status of ${hash}`)
  }
}

async function fetchReceipt(provider: RpcProvider, hash: string): Promise<NodeReceipt> {
  try {
    return parseReceipt(await provider.channel.getTransactionReceipt(hash))
  } catch (error) {
    // The node just said the transaction is in an accepted block: not finding it now is the
    // node's inconsistency (a load balancer between two nodes), not an unknown hash.
    throw toChainError(error, `receipt of ${hash}`)
  }
}

export async function readTransactionStatus(
  provider: RpcProvider,
  transactionHash: string,
): Promise<ChainTxStatus> {
  const hash = toHexFelt(parseHexFelt(transactionHash, 'transactionHash'))
  const status = await fetchStatus(provider, hash)
  if (status === null) return { state: 'unknown' }
  const finality = status.finality_status
  if (finality === REJECTED) return { state: 'rejected', reason: status.failure_reason ?? 'rejected' }
  if (PENDING.has(finality)) return { state: 'pending', finality }
  if (!FINAL.has(finality)) throw malformed('getTransactionStatus', status)

  const receipt = await fetchReceipt(provider, hash)
  // Either source saying REVERTED is enough: a revert must never be taken for an anchor.
  if (status.execution_status === 'REVERTED' || receipt.execution_status === 'REVERTED') {
    return { state: 'reverted', reason: receipt.revert_reason ?? status.failure_reason ?? 'reverted' }
  }
  if (status.execution_status !== 'SUCCEEDED') throw malformed('getTransactionStatus', status)
  return {
    state: 'accepted',
    finality: finality as 'ACCEPTED_ON_L2' | 'ACCEPTED_ON_L1',
    blockNumber: receipt.block_number ?? null,
  }
}
