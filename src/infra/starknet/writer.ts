/**
 * The one writer of an account: sends `anchor_root` transactions one at a time, with the nonce
 * kept here and explicit, bounded fees.
 *
 * Why a queue: two submissions that overlap would both read nonce n, and the second would be
 * refused (or, on a node that queues future nonces, wait behind a gap). So every submission of
 * an account in this process goes through one promise chain (a lane), shared by every chain
 * object made for the same account on the same network.
 *
 * Why a local nonce: reading it from the node before each send sees only what is in a block, not
 * our own transaction still in the mempool, so two quick batches would collide. It is read once,
 * incremented when the node accepts a transaction, and read again when the node says it is wrong
 * (error 52, or 55 with the nonce text: another writer spent one) or when a send ended without
 * an answer (the node may or may not have taken it).
 *
 * Why explicit resource bounds: without them starknet.js estimates and signs whatever the
 * estimate says, with no upper limit. We estimate, add starknet.js's overhead (50% on amounts and
 * prices), and refuse to sign when the most the transaction could cost exceeds the ceiling.
 */
import {
  Account,
  BlockTag,
  type Call,
  ETransactionVersion,
  type ResourceBoundsBN,
  type RpcProvider,
  type Signature,
  Signer,
} from 'starknet'
import type { Logger } from '../logger.js'
import {
  ChainRefusedError,
  ChainUnavailableError,
  nonceRefusal,
  RpcCode,
  rpcCodeOf,
  toChainError,
} from './errors.js'
import { feltFromNode, parseHexFelt, requireFelt, requireU64, toHexFelt } from './felts.js'

export interface AnchorBatch {
  batchId: bigint
  root: bigint
  leafCount: bigint
}

export interface WriterOptions {
  provider: RpcProvider
  chainId: string
  accountAddress: string
  privateKey: string
  contractAddress: string
  maxFeeFri: bigint
  logger?: Logger
}

interface Lane {
  /** The next nonce to use; undefined = read it from the node first. */
  nonce: bigint | undefined
  tail: Promise<unknown>
}

const lanes = new Map<string, Lane>()

function laneFor(key: string): Lane {
  let lane = lanes.get(key)
  if (!lane) {
    lane = { nonce: undefined, tail: Promise.resolve() }
    lanes.set(key, lane)
  }
  return lane
}

/** Runs `task` after every task queued before it on the lane, whatever their outcome. */
function enqueue<T>(lane: Lane, task: () => Promise<T>): Promise<T> {
  const run = lane.tail.then(task, task)
  lane.tail = run.catch(() => undefined)
  return run
}

/** The most a v3 transaction may cost: every resource's limit times its price limit (tip 0). */
export function maxFeeOf(bounds: ResourceBoundsBN): bigint {
  return (
    bounds.l1_gas.max_amount * bounds.l1_gas.max_price_per_unit +
    bounds.l1_data_gas.max_amount * bounds.l1_data_gas.max_price_per_unit +
    bounds.l2_gas.max_amount * bounds.l2_gas.max_price_per_unit
  )
}

/**
 * Tip 0: an anchor is not urgent, and a tip of starknet.js's choosing ('recommendedTip', read
 * from recent blocks) would be one more unbounded amount and several more requests.
 */
const TIP = 0n

/**
 * A Signer that remembers the last hash it signed: the transaction hash, known before the node
 * answers. It lets a resend of a transaction whose answer was lost be recognised (the node
 * answers DUPLICATE_TX for the very same hash) and checks the hash the node answers with.
 */
class HashRecordingSigner extends Signer {
  signedHash: string | undefined
  protected override async signRaw(msgHash: string): Promise<Signature> {
    this.signedHash = msgHash
    return super.signRaw(msgHash)
  }
}

export interface AnchorWriter {
  submit(batch: AnchorBatch): Promise<{ transactionHash: string }>
  /** Resolves once the submissions queued so far have ended. */
  drain(): Promise<void>
}

export function createAnchorWriter(options: WriterOptions): AnchorWriter {
  const { provider, contractAddress, maxFeeFri, logger } = options
  const accountAddress = toHexFelt(parseHexFelt(options.accountAddress, 'accountAddress'))
  const signer = new HashRecordingSigner(options.privateKey)
  const account = new Account({
    provider,
    address: accountAddress,
    signer,
    // Known, so starknet.js does not fetch the account's class to find out.
    cairoVersion: '1',
    transactionVersion: ETransactionVersion.V3,
    plugins: false,
  })
  const lane = laneFor(`${options.chainId}:${accountAddress}`)

  async function readNonce(): Promise<bigint> {
    try {
      // pre_confirmed: a transaction of ours already in the block being built counts as spent.
      const nonce = await provider.getNonceForAddress(accountAddress, BlockTag.PRE_CONFIRMED)
      return feltFromNode(nonce, 'getNonce')
    } catch (error) {
      throw toChainError(error, 'reading the account nonce')
    }
  }

  async function boundedResources(call: AnchorCall, nonce: bigint): Promise<ResourceBoundsBN> {
    let estimate: Awaited<ReturnType<Account['estimateInvokeFee']>>
    try {
      estimate = await account.estimateInvokeFee(call.call, { nonce, tip: TIP })
    } catch (error) {
      throw toChainError(error, `estimating the fee of anchoring batch ${call.batchId}`)
    }
    if (estimate.unit !== 'FRI') {
      throw new ChainUnavailableError(
        `estimateFee: malformed answer (unit ${String(estimate.unit)}, not FRI)`,
      )
    }
    const maxFee = maxFeeOf(estimate.resourceBounds)
    if (maxFee > maxFeeFri) {
      throw new ChainRefusedError(
        `anchoring batch ${call.batchId} could cost up to ${maxFee} fri, above the ceiling of ` +
          `${maxFeeFri} fri (STARKNET_MAX_FEE_FRI): not sent`,
      )
    }
    return estimate.resourceBounds
  }

  async function sendOnce(call: AnchorCall): Promise<{ transactionHash: string }> {
    lane.nonce ??= await readNonce()
    const nonce = lane.nonce
    const resourceBounds = await boundedResources(call, nonce)
    signer.signedHash = undefined
    let answer: unknown
    try {
      answer = await account.execute(call.call, { nonce, resourceBounds, tip: TIP })
    } catch (error) {
      // The same transaction (same hash: same fields, same nonce) is already with the node: a
      // resend after a lost answer. It was sent; its hash is the one we signed.
      if (rpcCodeOf(error) === RpcCode.DUPLICATE_TX && signer.signedHash !== undefined) {
        return accepted(call, nonce, signer.signedHash, 'starknet anchor was already with the node')
      }
      const failure = toChainError(error, `sending the anchor of batch ${call.batchId}`)
      // No answer: the node may have taken the transaction, so our nonce may be spent.
      if (failure instanceof ChainUnavailableError) lane.nonce = undefined
      throw failure
    }
    // The node answered, so it took the transaction: the nonce is spent even if the hash is garbled.
    lane.nonce = nonce + 1n
    const answered = feltFromNode(
      (answer as { transaction_hash?: unknown } | null)?.transaction_hash,
      'addInvokeTransaction',
    )
    const signed = signer.signedHash === undefined ? undefined : BigInt(signer.signedHash)
    if (signed !== answered) {
      throw new ChainUnavailableError(
        `addInvokeTransaction: malformed answer (hash ${toHexFelt(answered)}, but the transaction signed ` +
          `has hash ${signed === undefined ? '(none)' : toHexFelt(signed)})`,
      )
    }
    return accepted(call, nonce, toHexFelt(answered), 'starknet anchor submitted')
  }

  function accepted(call: AnchorCall, nonce: bigint, hash: string, message: string) {
    lane.nonce = nonce + 1n
    const transactionHash = toHexFelt(BigInt(hash))
    logger?.info({ batchId: String(call.batchId), transactionHash, nonce: String(nonce) }, message)
    return { transactionHash }
  }

  /**
   * The nonce to retry with after a nonce refusal: the higher of what the node reads and what its
   * refusal says it expects. A read alone is not enough: a transaction of ours still RECEIVED (its
   * answer lost) is in no block's nonce, and the node's text then names the nonce after it.
   */
  async function reconciledNonce(expected: bigint | null): Promise<bigint> {
    const read = await readNonce()
    return expected !== null && expected > read ? expected : read
  }

  async function submitSerially(call: AnchorCall): Promise<{ transactionHash: string }> {
    try {
      return await sendOnce(call)
    } catch (error) {
      const refusal = nonceRefusal((error as Error).cause)
      if (!refusal) throw error
      const stale = lane.nonce
      lane.nonce = await reconciledNonce(refusal.expected)
      logger?.warn(
        { batchId: String(call.batchId), staleNonce: String(stale), nonce: String(lane.nonce) },
        'starknet nonce reconciled with the node; retrying once',
      )
      try {
        return await sendOnce(call)
      } catch (retryError) {
        // Twice wrong: whoever else writes with this account is still at it. Read again next time.
        if (nonceRefusal((retryError as Error).cause)) lane.nonce = undefined
        throw retryError
      }
    }
  }

  return {
    submit(batch) {
      const call = anchorCall(contractAddress, batch)
      return enqueue(lane, () => submitSerially(call))
    },
    async drain() {
      await enqueue(lane, async () => undefined)
    },
  }
}

interface AnchorCall {
  batchId: bigint
  call: Call
}

/** `anchor_root(batch_id: u64, root: felt252, leaf_count: u64)`, its inputs range-checked. */
function anchorCall(contractAddress: string, batch: AnchorBatch): AnchorCall {
  const batchId = requireU64(batch.batchId, 'batchId', 1n)
  const root = requireFelt(batch.root, 'root')
  const leafCount = requireU64(batch.leafCount, 'leafCount', 1n)
  return {
    batchId,
    call: { contractAddress, entrypoint: 'anchor_root', calldata: [batchId, root, leafCount].map(toHexFelt) },
  }
}
