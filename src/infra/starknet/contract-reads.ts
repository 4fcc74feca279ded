/**
 * The anchor contract's views, read with `starknet_call` (no account, no fee). The ABI is the
 * one the design fixes: `last_batch() -> u64`, `get_root(batch_id: u64) -> (felt252, u64)`,
 * `owner() -> ContractAddress`. Every answer is range-checked: a u64 the node sends above 2^64-1,
 * a felt above P, or the wrong number of values is a malformed answer, not a root.
 */
import type { RpcProvider } from 'starknet'
import { ChainUnavailableError, toChainError } from './errors.js'
import { feltsFromNode, requireU64, toHexFelt, u64FromNode } from './felts.js'

export interface AnchoredRoot {
  root: bigint
  leafCount: bigint
}

async function call(
  provider: RpcProvider,
  contractAddress: string,
  entrypoint: string,
  calldata: bigint[],
): Promise<unknown> {
  try {
    return await provider.callContract({ contractAddress, entrypoint, calldata: calldata.map(toHexFelt) })
  } catch (error) {
    throw toChainError(error, `reading ${entrypoint} of the anchor contract`)
  }
}

export async function readLastBatch(provider: RpcProvider, contractAddress: string): Promise<bigint> {
  const [lastBatch] = feltsFromNode(
    await call(provider, contractAddress, 'last_batch', []),
    1,
    'last_batch',
  ) as [bigint]
  return u64FromNode(lastBatch, 'last_batch')
}

export async function readRoot(
  provider: RpcProvider,
  contractAddress: string,
  batchId: bigint,
): Promise<AnchoredRoot | null> {
  requireU64(batchId, 'batchId')
  const answer = await call(provider, contractAddress, 'get_root', [batchId])
  const [root, count] = feltsFromNode(answer, 2, 'get_root') as [bigint, bigint]
  const leafCount = u64FromNode(count, 'get_root leaf_count')
  // The contract refuses an empty batch, so a zero count is its "(0, 0): not anchored".
  if (leafCount === 0n) {
    if (root !== 0n) throw new ChainUnavailableError('get_root: malformed answer (a root with no leaves)')
    return null
  }
  return { root, leafCount }
}

export async function readOwner(provider: RpcProvider, contractAddress: string): Promise<bigint> {
  const [owner] = feltsFromNode(await call(provider, contractAddress, 'owner', []), 1, 'owner') as [bigint]
  return owner
}
