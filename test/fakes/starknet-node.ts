/**
 * A LOCAL STAND-IN for a Starknet JSON-RPC node, for tests only. It is not Starknet: no Cairo
 * runs here, no sequencer, no consensus, no L1. Nothing proven against it is proven against a
 * chain. What it does do is speak the JSON-RPC spec version starknet.js 10.8.0 talks by default
 * (types from @starknet-io/types-js 0.10.4) over a real socket, and hold a chain's rules where
 * our code depends on them:
 *
 * - every v3 invoke's transaction hash is recomputed from its fields (starknet.js's own v3 hash
 *   function) and its Stark signature checked against the sending account's public key, so a
 *   client that signs the wrong fields, the wrong chain id or with the wrong key is refused;
 * - nonces are enforced (error 52, with the data text the blockifier produces), resource bounds
 *   are checked against the account's STRK balance (error 54) and the block's gas prices
 *   (error 53), and execution stays within the bounds the transaction declared;
 * - the account's `__execute__` calldata (Cairo 1 multicall, as starknet.js encodes it) is decoded
 *   and `anchor_root` runs with the contract's rules (OpenZeppelin Ownable, consecutive batch ids,
 *   non-empty batches): a violation is a REVERTED receipt with the panic text and still bumps the
 *   nonce and charges the fee, as on the chain;
 * - a transaction is RECEIVED first (in no block, no receipt), runs into the pre-confirmed block
 *   on `preConfirm()` (PRE_CONFIRMED, receipt without block hash, visible to reads at
 *   'pre_confirmed' only), is ACCEPTED_ON_L2 when the block is closed (`mine()`, or a timer) and
 *   ACCEPTED_ON_L1 later on request.
 *
 * Faults are switched at run time through `node.faults` (down, slow, lost or malformed answers,
 * forgotten or dropped transactions, insufficient balance, a wrong spec version, scripted answers).
 *
 * Simplifications, on purpose: two states are kept, 'pre_confirmed' and 'latest' (a read at an
 * older block number answers with the latest state) and STRK balances are current only; nonces
 * are strict (the next nonce is the account's nonce plus its transactions still waiting, no
 * gaps); a block takes every waiting transaction; gas use is a fixed cost per call; the classes
 * served by getClassAt carry a real ABI but a placeholder Sierra program.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type {
  BROADCASTED_INVOKE_TXN,
  CONTRACT_CLASS,
  EMITTED_EVENT,
  EVENT,
  EVENT_FILTER,
  FEE_ESTIMATE,
  INVOKE_TXN_RECEIPT,
  Methods,
  RESULT_PAGE_REQUEST,
  TXN_RECEIPT_WITH_BLOCK_INFO,
  TXN_STATUS_RESULT,
} from '@starknet-io/types-js'
import { ec, hash, shortString } from 'starknet'

// ---------------------------------------------------------------------------------------------
// Constants

/**
 * starknet.js 10.8.0's DEFAULT_GLOBAL_CONFIG.rpcVersion is '0.10.0', which selects its 0.10
 * channel, RpcChannel 'RPC0.10.4' (types from @starknet-io/types-js 0.10.4). `RpcProvider.create`
 * reads starknet_specVersion: a 0.9.x or 0.10.x answer is accepted (an unknown patch only logs a
 * warning), anything else throws a LibraryError.
 */
export const LOCAL_NODE_SPEC_VERSION = '0.10.4'
/** Block headers' protocol version; starknet.js reads it only to pick the class hash rules of declares. */
const STARKNET_VERSION = '0.14.1'
/** A chain id of our own, so nothing signed for this stand-in is valid on a real network. */
export const LOCAL_CHAIN_ID = shortString.encodeShortString('DM_LOCAL_STANDIN')
/** The STRK token's address on Starknet mainnet and Sepolia; fees are paid in it (FRI). */
export const STRK_TOKEN_ADDRESS = 0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938dn
/** Class hashes of the stand-in's two classes: labels, not hashes of compiled Cairo. */
export const LOCAL_ACCOUNT_CLASS_HASH = BigInt(shortString.encodeShortString('dm-local-account-class'))
export const LOCAL_ANCHOR_CLASS_HASH = BigInt(shortString.encodeShortString('dm-local-anchor-class'))

const FIELD_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n
const U64_LIMIT = 2n ** 64n
const U128_LIMIT = 2n ** 128n

export interface GasPrices {
  /** FRI per unit. */
  l1Gas: bigint
  l1DataGas: bigint
  l2Gas: bigint
}

/** Of the order of Sepolia's prices in 2025 (FRI); what matters is that they are not zero. */
const DEFAULT_GAS_PRICES: GasPrices = {
  l1Gas: 30_000_000_000_000n,
  l1DataGas: 100_000n,
  l2Gas: 3_000_000_000n,
}
/** What one invoke consumes here: validation plus a fixed cost per call, a few storage writes. */
const GAS_FOR_VALIDATE = 40_000n
const GAS_PER_CALL = 900_000n
const DATA_GAS_PER_INVOKE = 192n
/** 1,000 STRK in FRI. */
const DEFAULT_ACCOUNT_BALANCE = 10n ** 21n
const MAX_EVENTS_CHUNK = 1024

const selector = (name: string) => BigInt(hash.getSelectorFromName(name))
const SELECTORS = {
  execute: selector('__execute__'),
  anchorRoot: selector('anchor_root'),
  getRoot: selector('get_root'),
  lastBatch: selector('last_batch'),
  owner: selector('owner'),
  verify: selector('verify'),
  getPublicKey: selector('get_public_key'),
  balanceOf: selector('balance_of'),
  rootAnchored: selector('RootAnchored'),
  transfer: selector('Transfer'),
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface LocalStarknetNodeOptions {
  /** Default LOCAL_CHAIN_ID; pass `constants.StarknetChainId.SN_SEPOLIA` to sign as for Sepolia. */
  chainId?: string
  /** Produce a block this long after a transaction is received; default: only on `mine()`. */
  autoMineMs?: number
  /** Mark blocks ACCEPTED_ON_L1 this long after they are produced; default: only on `acceptOnL1()`. */
  l1AcceptMs?: number
  gasPrices?: Partial<GasPrices>
}

/** Faults a test switches on and off while the node runs. Unset fields are off. */
export interface LocalNodeFaults {
  /**
   * 'refuse': the port stops listening (ECONNREFUSED) and open connections are cut.
   * 'reset': the port listens but every request's socket is destroyed without an answer.
   */
  down?: 'refuse' | 'reset'
  /** Hold each answer this long (beyond a client's timeout); the request is still processed. */
  delayMs?: number
  /**
   * 'invalid-json': a truncated JSON text. 'wrong-shape': a JSON-RPC answer whose result has the
   * wrong type. 'no-result': `{jsonrpc, id}` with neither result nor error. 'html-502': a proxy's
   * HTML error page with status 502.
   */
  malformed?: 'invalid-json' | 'wrong-shape' | 'no-result' | 'html-502'
  /** Process the request, then cut the socket: the client never learns the outcome. */
  loseAnswer?: boolean
  /** Status, receipt and transaction lookups answer TXN_HASH_NOT_FOUND (29): for every hash, or these. */
  forgetTransactions?: boolean | string[]
  /**
   * preConfirm() and mine() drop every waiting transaction instead of running it, as a mempool
   * evicts: it becomes unknown (29) and its nonce is free again.
   */
  dropReceived?: boolean
  /** starknet_addInvokeTransaction answers INSUFFICIENT_ACCOUNT_BALANCE (54) whatever the balance. */
  insufficientBalance?: boolean
  /**
   * A wrong nonce is refused as VALIDATION_FAILURE (55) with the same text in `data`, as some
   * gateways and nodes answer it, instead of INVALID_TRANSACTION_NONCE (52).
   */
  nonceAsValidationFailure?: boolean
  /** starknet_specVersion answers this instead of LOCAL_NODE_SPEC_VERSION. */
  specVersion?: string
  /**
   * Scripts an answer: return a result or a JSON-RPC error to send instead of the node's own, or
   * undefined to let the node answer (e.g. a status of CANDIDATE, which the stand-in never reaches).
   */
  respond?: (
    method: string,
    params: unknown,
  ) => { result: unknown } | { error: { code: number; message: string; data?: unknown } } | undefined
  /** Limit delayMs, malformed and loseAnswer to requests naming one of these methods. */
  methods?: string[]
}

export interface LocalNodeAccount {
  address: string
  privateKey: string
  /** The Stark public key (x coordinate), as an OpenZeppelin account stores it. */
  publicKey: string
}

export interface AnchoredBatch {
  batchId: bigint
  root: bigint
  leafCount: bigint
  transactionHash: string
  blockNumber: number
}

export interface AnchorContractView {
  address: string
  owner: string
  lastBatch: bigint
  batches: AnchoredBatch[]
}

export type LocalTxStatus = 'RECEIVED' | 'PRE_CONFIRMED' | 'ACCEPTED_ON_L2' | 'ACCEPTED_ON_L1' | 'DROPPED'

export interface LocalStarknetNode {
  url: string
  chainId: string
  faults: {
    /** Replaces the active faults (resolves once the port state matches `down`). */
    set(faults: LocalNodeFaults): Promise<void>
    clear(): Promise<void>
    readonly current: Readonly<LocalNodeFaults>
  }
  /** Every JSON-RPC request received, in order (batch members one by one). */
  readonly requests: ReadonlyArray<{ method: string; params: unknown }>
  createAccount(options?: { privateKey?: string; balance?: bigint }): LocalNodeAccount
  setBalance(address: string, balance: bigint): void
  balanceOf(address: string): bigint
  nonceOf(address: string): bigint
  deployAnchorContract(owner: string): string
  /** State of an anchor contract (the only one when no address is given), for assertions. */
  anchored(address?: string): AnchorContractView
  transactionStatus(transactionHash: string): LocalTxStatus | undefined
  /**
   * Runs every waiting transaction into the pre-confirmed block (receipts with finality
   * PRE_CONFIRMED, visible to reads at 'pre_confirmed', not at 'latest'); returns its number.
   */
  preConfirm(): number
  /** Closes a block with the pre-confirmed and every waiting transaction (ACCEPTED_ON_L2); returns its number. */
  mine(): number
  /** Marks every block produced so far (and their transactions) ACCEPTED_ON_L1. */
  acceptOnL1(): void
  blockNumber(): number
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Errors as the spec lists them

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

const rpcErrors = {
  invalidParams: (detail: string) => new RpcFailure(-32602, 'Invalid params', detail),
  contractNotFound: () => new RpcFailure(20, 'Contract not found'),
  entrypointNotFound: () => new RpcFailure(21, 'Requested entry point does not exist in the contract'),
  blockNotFound: () => new RpcFailure(24, 'Block not found'),
  classHashNotFound: () => new RpcFailure(28, 'Class hash not found'),
  txHashNotFound: () => new RpcFailure(29, 'Transaction hash not found'),
  pageSizeTooBig: () => new RpcFailure(31, 'Requested page size is too big'),
  invalidContinuationToken: () => new RpcFailure(33, 'The supplied continuation token is invalid or unknown'),
  contractError: (revertError: string) => new RpcFailure(40, 'Contract error', { revert_error: revertError }),
  transactionExecutionError: (index: number, error: string) =>
    new RpcFailure(41, 'Transaction execution error', { transaction_index: index, execution_error: error }),
  invalidNonce: (address: bigint, expected: bigint, got: bigint) =>
    new RpcFailure(
      52,
      'Invalid transaction nonce',
      // The blockifier's TransactionPreValidationError::InvalidNonce text.
      `Invalid transaction nonce of contract at address ${felt64(address)}. Account nonce: ${felt64(expected)}; got: ${felt64(got)}.`,
    ),
  insufficientResources: () =>
    new RpcFailure(53, "The transaction's resources don't cover validation or the minimal transaction fee"),
  insufficientBalance: () =>
    new RpcFailure(
      54,
      "Account balance is smaller than the transaction's maximal fee (calculated as the sum of each resource's limit x max price)",
    ),
  validationFailure: (detail: string) => new RpcFailure(55, 'Account validation failed', detail),
  nonAccount: () => new RpcFailure(58, 'Sender address is not an account contract'),
  duplicateTx: () => new RpcFailure(59, 'A transaction with the same hash already exists in the mempool'),
  unsupportedTxVersion: () => new RpcFailure(61, 'the transaction version is not supported'),
}

// ---------------------------------------------------------------------------------------------
// Felts

const hex = (value: bigint) => `0x${value.toString(16)}`
const felt64 = (value: bigint) => `0x${value.toString(16).padStart(64, '0')}`

function parseFelt(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw rpcErrors.invalidParams(`${what} must be a hex felt, got ${JSON.stringify(value)}`)
  }
  const parsed = BigInt(value)
  if (parsed >= FIELD_PRIME) throw rpcErrors.invalidParams(`${what} is not below the field prime`)
  return parsed
}

function parseFelts(value: unknown, what: string): bigint[] {
  if (!Array.isArray(value)) throw rpcErrors.invalidParams(`${what} must be an array of felts`)
  return value.map((item, index) => parseFelt(item, `${what}[${index}]`))
}

function parseBounded(value: unknown, limit: bigint, what: string): bigint {
  const parsed = parseFelt(value, what)
  if (parsed >= limit) throw rpcErrors.invalidParams(`${what} is out of range`)
  return parsed
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw rpcErrors.invalidParams(`${what} must be an object`)
  }
  return value as Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------
// State

interface AccountState {
  address: bigint
  publicKey: bigint
  nonce: bigint
  balance: bigint
}

interface AnchorState {
  address: bigint
  owner: bigint
  lastBatch: bigint
  batches: Map<bigint, { root: bigint; leafCount: bigint; transactionHash: string; blockNumber: number }>
}

interface TxRecord {
  hash: string
  body: BROADCASTED_INVOKE_TXN
  sender: bigint
  nonce: bigint
  status: LocalTxStatus
  blockNumber?: number
  receipt?: INVOKE_TXN_RECEIPT
}

interface Block {
  number: number
  hash: bigint
  parentHash: bigint
  timestamp: number
  status: 'PRE_CONFIRMED' | 'ACCEPTED_ON_L2' | 'ACCEPTED_ON_L1'
  transactionHashes: string[]
}

interface ResourceBoundsBN {
  l1_gas: { max_amount: bigint; max_price_per_unit: bigint }
  l1_data_gas: { max_amount: bigint; max_price_per_unit: bigint }
  l2_gas: { max_amount: bigint; max_price_per_unit: bigint }
}

interface Call {
  to: bigint
  selector: bigint
  calldata: bigint[]
}

/** A Cairo panic inside a call: the transaction reverts with this text. */
class Panic extends Error {}
/** Calling a selector the class does not have: a revert in a transaction, error 21 in starknet_call. */
class EntryPointNotFound extends Panic {
  constructor(entry: bigint) {
    super(`Entry point EntryPointSelector(${felt64(entry)}) not found in contract.`)
  }
}

// ---------------------------------------------------------------------------------------------
// Transaction checks

function parseResourceBounds(value: unknown): ResourceBoundsBN {
  const bounds = asObject(value, 'resource_bounds')
  const one = (name: 'l1_gas' | 'l1_data_gas' | 'l2_gas') => {
    const entry = asObject(bounds[name], `resource_bounds.${name}`)
    return {
      max_amount: parseBounded(entry.max_amount, U64_LIMIT, `${name}.max_amount`),
      max_price_per_unit: parseBounded(entry.max_price_per_unit, U128_LIMIT, `${name}.max_price_per_unit`),
    }
  }
  return { l1_gas: one('l1_gas'), l1_data_gas: one('l1_data_gas'), l2_gas: one('l2_gas') }
}

/** The most the transaction may cost: each resource's limit times its max price, plus the tip on L2 gas. */
function maxFee(bounds: ResourceBoundsBN, tip: bigint): bigint {
  return (
    bounds.l1_gas.max_amount * bounds.l1_gas.max_price_per_unit +
    bounds.l1_data_gas.max_amount * bounds.l1_data_gas.max_price_per_unit +
    bounds.l2_gas.max_amount * (bounds.l2_gas.max_price_per_unit + tip)
  )
}

function daMode(value: unknown, what: string): 0 | 1 {
  if (value === 'L1') return 0
  if (value === 'L2') return 1
  throw rpcErrors.invalidParams(`${what} must be L1 or L2`)
}

/** The v3 invoke hash, computed by starknet.js's own function from the fields as received. */
function invokeTransactionHash(tx: BROADCASTED_INVOKE_TXN, chainId: string): bigint {
  const bounds = parseResourceBounds(tx.resource_bounds)
  return BigInt(
    hash.calculateInvokeTransactionHash({
      senderAddress: parseFelt(tx.sender_address, 'sender_address'),
      version: '0x3',
      compiledCalldata: parseFelts(tx.calldata, 'calldata').map(hex),
      chainId: chainId as '0x534e5f5345504f4c4941',
      nonce: parseFelt(tx.nonce, 'nonce'),
      accountDeploymentData: parseFelts(tx.account_deployment_data, 'account_deployment_data'),
      nonceDataAvailabilityMode: daMode(tx.nonce_data_availability_mode, 'nonce_data_availability_mode'),
      feeDataAvailabilityMode: daMode(tx.fee_data_availability_mode, 'fee_data_availability_mode'),
      resourceBounds: bounds,
      tip: parseBounded(tx.tip, U64_LIMIT, 'tip'),
      paymasterData: parseFelts(tx.paymaster_data, 'paymaster_data'),
      ...(tx.proof_facts !== undefined && { proofFacts: parseFelts(tx.proof_facts, 'proof_facts') }),
    }),
  )
}

/**
 * An OpenZeppelin account keeps only the x coordinate of its key and Cairo's ECDSA check accepts
 * either point with that x; so try both.
 */
function signatureMatches(messageHash: bigint, signature: bigint[], publicKey: bigint): boolean {
  if (signature.length !== 2) return false
  const [r, s] = signature as [bigint, bigint]
  let parsed: InstanceType<typeof ec.starkCurve.Signature>
  try {
    parsed = new ec.starkCurve.Signature(r, s)
  } catch {
    return false
  }
  const x = publicKey.toString(16).padStart(64, '0')
  return ['02', '03'].some((prefix) => {
    try {
      return ec.starkCurve.verify(parsed, hex(messageHash), `${prefix}${x}`)
    } catch {
      return false
    }
  })
}

/** `__execute__(calls: Array<Call>)` as starknet.js encodes it for a Cairo 1 account. */
function decodeMulticall(calldata: bigint[]): Call[] {
  const fail = () => new Panic('Failed to deserialize param #1')
  const [count, ...rest] = calldata
  if (count === undefined || count > BigInt(rest.length)) throw fail()
  const calls: Call[] = []
  let at = 0
  for (let i = 0n; i < count; i += 1n) {
    const to = rest[at]
    const entry = rest[at + 1]
    const length = rest[at + 2]
    if (to === undefined || entry === undefined || length === undefined) throw fail()
    const start = at + 3
    const end = start + Number(length)
    if (length > BigInt(rest.length) || end > rest.length) throw fail()
    calls.push({ to, selector: entry, calldata: rest.slice(start, end) })
    at = end
  }
  if (at !== rest.length) throw fail()
  return calls
}

// ---------------------------------------------------------------------------------------------
// The anchoring contract's rules (contracts/ ABI, shared design)

function u64Arg(calldata: bigint[], index: number): bigint {
  const value = calldata[index]
  if (value === undefined || value >= U64_LIMIT) throw new Panic(`Failed to deserialize param #${index + 1}`)
  return value
}

function feltArg(calldata: bigint[], index: number): bigint {
  const value = calldata[index]
  if (value === undefined) throw new Panic(`Failed to deserialize param #${index + 1}`)
  return value
}

/** OpenZeppelin's commutative Poseidon pair hash (verify_poseidon), the pair sorted first. */
function poseidonPair(a: bigint, b: bigint): bigint {
  const [low, high] = a < b ? [a, b] : [b, a]
  return BigInt(hash.computePoseidonHashOnElements([low, high]))
}

function anchorView(contract: AnchorState, entry: bigint, calldata: bigint[]): bigint[] {
  switch (entry) {
    case SELECTORS.getRoot: {
      const found = contract.batches.get(u64Arg(calldata, 0))
      return found ? [found.root, found.leafCount] : [0n, 0n]
    }
    case SELECTORS.lastBatch:
      return [contract.lastBatch]
    case SELECTORS.owner:
      return [contract.owner]
    case SELECTORS.verify: {
      const batchId = u64Arg(calldata, 0)
      const leaf = feltArg(calldata, 1)
      const length = Number(u64Arg(calldata, 2))
      const proof = calldata.slice(3, 3 + length)
      if (proof.length !== length) throw new Panic('Failed to deserialize param #3')
      const found = contract.batches.get(batchId)
      if (!found) return [0n]
      return [proof.reduce(poseidonPair, leaf) === found.root ? 1n : 0n]
    }
    default:
      throw new EntryPointNotFound(entry)
  }
}

/** anchor_root as the contract runs it; returns the event it emits. Mutates `contract` only on success. */
function anchorRoot(contract: AnchorState, caller: bigint, calldata: bigint[]): EVENT {
  if (calldata.length !== 3) throw new Panic('Failed to deserialize param #1')
  const batchId = u64Arg(calldata, 0)
  const root = feltArg(calldata, 1)
  const leafCount = u64Arg(calldata, 2)
  if (caller !== contract.owner) throw new Panic('Caller is not the owner')
  if (batchId !== contract.lastBatch + 1n) throw new Panic('BATCH_NOT_NEXT')
  if (leafCount === 0n) throw new Panic('EMPTY_BATCH')
  return {
    from_address: hex(contract.address),
    keys: [hex(SELECTORS.rootAnchored), hex(batchId)],
    data: [hex(root), hex(leafCount)],
  }
}

/** What a node says when an OpenZeppelin account's __validate__ rejects the signature. */
function invalidSignatureText(sender: bigint): string {
  const message = 'Account: invalid signature'
  const messageHex = hex(BigInt(shortString.encodeShortString(message)))
  return (
    `Transaction validation has failed:\n` +
    `0: Error in the called contract (contract address: ${felt64(sender)}, class hash: ${felt64(LOCAL_ACCOUNT_CLASS_HASH)}, selector: ${felt64(selector('__validate__'))}):\n` +
    `Execution failed. Failure reason:\n${messageHex} ('${message}').\n`
  )
}

/** The revert text a Starknet node gives for a Cairo panic inside a call of the multicall. */
function revertReason(sender: bigint, call: Call, classHash: bigint, panic: string): string {
  // A Cairo short-string panic shows as its felt and its text; a longer system message as is.
  const shown =
    panic.length <= 31 ? `${hex(BigInt(shortString.encodeShortString(panic)))} ('${panic}')` : panic
  return (
    `Transaction execution has failed:\n` +
    `0: Error in the called contract (contract address: ${felt64(sender)}, class hash: ${felt64(LOCAL_ACCOUNT_CLASS_HASH)}, selector: ${felt64(SELECTORS.execute)}):\n` +
    `Execution failed. Failure reason:\n` +
    `Error in contract (contract address: ${felt64(call.to)}, class hash: ${felt64(classHash)}, selector: ${felt64(call.selector)}):\n` +
    `${shown}.\n`
  )
}

// ---------------------------------------------------------------------------------------------
// Classes served by getClassAt: the ABI is real enough for starknet.js (Cairo 1, compiler 2)

const U64 = 'core::integer::u64'
const FELT = 'core::felt252'
const ADDRESS = 'core::starknet::contract_address::ContractAddress'

const ANCHOR_ABI = [
  { type: 'impl', name: 'AnchorImpl', interface_name: 'decision_markets::IAnchor' },
  {
    type: 'interface',
    name: 'decision_markets::IAnchor',
    items: [
      {
        type: 'function',
        name: 'anchor_root',
        inputs: [
          { name: 'batch_id', type: U64 },
          { name: 'root', type: FELT },
          { name: 'leaf_count', type: U64 },
        ],
        outputs: [],
        state_mutability: 'external',
      },
      {
        type: 'function',
        name: 'get_root',
        inputs: [{ name: 'batch_id', type: U64 }],
        outputs: [{ type: `(${FELT}, ${U64})` }],
        state_mutability: 'view',
      },
      {
        type: 'function',
        name: 'last_batch',
        inputs: [],
        outputs: [{ type: U64 }],
        state_mutability: 'view',
      },
      {
        type: 'function',
        name: 'verify',
        inputs: [
          { name: 'batch_id', type: U64 },
          { name: 'leaf', type: FELT },
          { name: 'proof', type: `core::array::Span::<${FELT}>` },
        ],
        outputs: [{ type: 'core::bool' }],
        state_mutability: 'view',
      },
    ],
  },
  { type: 'impl', name: 'OwnableImpl', interface_name: 'openzeppelin_access::ownable::interface::IOwnable' },
  {
    type: 'interface',
    name: 'openzeppelin_access::ownable::interface::IOwnable',
    items: [
      { type: 'function', name: 'owner', inputs: [], outputs: [{ type: ADDRESS }], state_mutability: 'view' },
    ],
  },
  { type: 'constructor', name: 'constructor', inputs: [{ name: 'owner', type: ADDRESS }] },
  {
    type: 'event',
    name: 'decision_markets::Anchor::RootAnchored',
    kind: 'struct',
    members: [
      { name: 'batch_id', type: U64, kind: 'key' },
      { name: 'root', type: FELT, kind: 'data' },
      { name: 'leaf_count', type: U64, kind: 'data' },
    ],
  },
  {
    type: 'event',
    name: 'decision_markets::Anchor::Event',
    kind: 'enum',
    variants: [{ name: 'RootAnchored', type: 'decision_markets::Anchor::RootAnchored', kind: 'nested' }],
  },
]

const ACCOUNT_ABI = [
  { type: 'impl', name: 'SRC6Impl', interface_name: 'openzeppelin_account::interface::ISRC6' },
  {
    type: 'interface',
    name: 'openzeppelin_account::interface::ISRC6',
    items: [
      {
        type: 'function',
        name: '__execute__',
        inputs: [{ name: 'calls', type: 'core::array::Array::<core::starknet::account::Call>' }],
        outputs: [],
        state_mutability: 'external',
      },
      {
        type: 'function',
        name: 'get_public_key',
        inputs: [],
        outputs: [{ type: FELT }],
        state_mutability: 'view',
      },
    ],
  },
  { type: 'constructor', name: 'constructor', inputs: [{ name: 'public_key', type: FELT }] },
]

function contractClass(abi: unknown[], externals: bigint[]): CONTRACT_CLASS {
  return {
    // A placeholder: no Sierra is compiled or run by the stand-in.
    sierra_program: ['0x1', '0x7', '0x0'],
    contract_class_version: '0.1.0',
    entry_points_by_type: {
      CONSTRUCTOR: [{ selector: hex(selector('constructor')), function_idx: 0 }],
      EXTERNAL: externals.map((entry, index) => ({ selector: hex(entry), function_idx: index + 1 })),
      L1_HANDLER: [],
    },
    abi: JSON.stringify(abi),
  }
}

// ---------------------------------------------------------------------------------------------
// The node

type Handler<M extends keyof Methods> = (params: Record<string, unknown>) => Methods[M]['result']
type HandlerTable = { [M in keyof Methods]?: Handler<M> }

export async function startLocalStarknetNode(
  options: LocalStarknetNodeOptions = {},
): Promise<LocalStarknetNode> {
  const chainId = options.chainId ?? LOCAL_CHAIN_ID
  const prices: GasPrices = { ...DEFAULT_GAS_PRICES, ...options.gasPrices }
  const accounts = new Map<bigint, AccountState>()
  const anchors = new Map<bigint, AnchorState>()
  const transactions = new Map<string, TxRecord>()
  const waiting: TxRecord[] = []
  const events: EMITTED_EVENT[] = []
  const requests: Array<{ method: string; params: unknown }> = []
  let faults: LocalNodeFaults = {}
  /** The block being built (Starknet's pre_confirmed); its transactions have run already. */
  let pending: Block | undefined
  /** State as of the latest accepted block: what reads at 'latest' see (pre_confirmed sees the current one). */
  let sealed = { anchors: new Map<bigint, AnchorState>(), nonces: new Map<bigint, bigint>() }
  let closed = false
  const timers = new Set<NodeJS.Timeout>()

  const genesis: Block = {
    number: 0,
    hash: BigInt(hash.computePoseidonHashOnElements([0n, BigInt(chainId)])),
    parentHash: 0n,
    timestamp: Math.floor(Date.now() / 1000),
    status: 'ACCEPTED_ON_L1',
    transactionHashes: [],
  }
  const blocks: Block[] = [genesis]
  const latest = () => blocks[blocks.length - 1] as Block

  function later(ms: number, run: () => void) {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closed) run()
    }, ms)
    timers.add(timer)
  }

  // --- state helpers ---------------------------------------------------------------------------

  function accountAt(address: bigint): AccountState {
    const account = accounts.get(address)
    if (!account) throw new Error(`no account ${hex(address)} on the local node`)
    return account
  }

  function waitingCount(sender: bigint): bigint {
    return BigInt(waiting.filter((tx) => tx.sender === sender).length)
  }

  /** Resolves a block id to a produced block; 'pre_confirmed' has none and answers undefined. */
  function resolveBlock(blockId: unknown): Block | undefined {
    if (blockId === 'pre_confirmed') return undefined
    if (blockId === 'latest' || blockId === undefined) return latest()
    if (blockId === 'l1_accepted') {
      return [...blocks].reverse().find((block) => block.status === 'ACCEPTED_ON_L1') ?? genesis
    }
    const selectorObject = asObject(blockId, 'block_id')
    if ('block_number' in selectorObject) {
      const number = selectorObject.block_number
      if (typeof number !== 'number' || !Number.isInteger(number)) {
        throw rpcErrors.invalidParams('block_number must be an integer')
      }
      const block = blocks[number]
      if (!block) throw rpcErrors.blockNotFound()
      return block
    }
    if ('block_hash' in selectorObject) {
      const wanted = parseFelt(selectorObject.block_hash, 'block_hash')
      const block = blocks.find((candidate) => candidate.hash === wanted)
      if (!block) throw rpcErrors.blockNotFound()
      return block
    }
    throw rpcErrors.invalidParams('unknown block_id')
  }

  function classHashAt(address: bigint): bigint {
    if (accounts.has(address)) return LOCAL_ACCOUNT_CLASS_HASH
    if (anchors.has(address)) return LOCAL_ANCHOR_CLASS_HASH
    throw rpcErrors.contractNotFound()
  }

  function classByHash(classHash: bigint): CONTRACT_CLASS {
    if (classHash === LOCAL_ACCOUNT_CLASS_HASH) return contractClass(ACCOUNT_ABI, [SELECTORS.execute])
    if (classHash === LOCAL_ANCHOR_CLASS_HASH) {
      return contractClass(ANCHOR_ABI, [
        SELECTORS.anchorRoot,
        SELECTORS.getRoot,
        SELECTORS.lastBatch,
        SELECTORS.verify,
        SELECTORS.owner,
      ])
    }
    throw rpcErrors.classHashNotFound()
  }

  function gasPriceHeader() {
    const price = (fri: bigint) => ({ price_in_fri: hex(fri), price_in_wei: hex(fri / 1000n || 1n) })
    return {
      l1_gas_price: price(prices.l1Gas),
      l2_gas_price: price(prices.l2Gas),
      l1_data_gas_price: price(prices.l1DataGas),
      l1_da_mode: 'BLOB' as const,
      starknet_version: STARKNET_VERSION,
      sequencer_address: hex(0x1n),
    }
  }

  function blockHeader(block: Block) {
    const blockEvents = events.filter((event) => event.block_number === block.number)
    return {
      status: block.status,
      block_hash: hex(block.hash),
      parent_hash: hex(block.parentHash),
      block_number: block.number,
      new_root: hex(block.hash >> 4n),
      timestamp: block.timestamp,
      ...gasPriceHeader(),
      event_commitment: '0x0',
      transaction_commitment: '0x0',
      receipt_commitment: '0x0',
      state_diff_commitment: '0x0',
      event_count: blockEvents.length,
      transaction_count: block.transactionHashes.length,
      state_diff_length: 0,
    }
  }

  function preConfirmedHeader() {
    return {
      block_number: latest().number + 1,
      timestamp: Math.floor(Date.now() / 1000),
      ...gasPriceHeader(),
    }
  }

  function knownTransaction(transactionHash: unknown): TxRecord {
    const wanted = hex(parseFelt(transactionHash, 'transaction_hash'))
    const record = transactions.get(wanted)
    const forgotten = faults.forgetTransactions
    const isForgotten =
      forgotten === true || (Array.isArray(forgotten) && forgotten.some((h) => BigInt(h) === BigInt(wanted)))
    if (isForgotten || !record || record.status === 'DROPPED') throw rpcErrors.txHashNotFound()
    return record
  }

  function transactionWithHash(record: TxRecord) {
    const { proof: _proof, ...body } = record.body
    return { ...body, transaction_hash: record.hash }
  }

  // --- execution --------------------------------------------------------------------------------

  function gasUsed(callCount: number) {
    return {
      l1Gas: 0n,
      l1DataGas: DATA_GAS_PER_INVOKE,
      l2Gas: GAS_FOR_VALIDATE + GAS_PER_CALL * BigInt(callCount),
    }
  }

  /**
   * Runs the calls on copies of the contracts' state, all or nothing: returns the copies and the
   * events, or which call panicked and why.
   */
  function runCalls(sender: bigint, calls: Call[]) {
    const touched = new Map<bigint, AnchorState>()
    const emitted: EVENT[] = []
    for (const call of calls) {
      try {
        if (call.selector !== SELECTORS.anchorRoot || !anchors.has(call.to)) {
          // Any other call only reads; it changes nothing but must exist.
          if (readOnly(anchors, call.to, call.selector, call.calldata) === undefined) {
            throw new Panic(`Requested contract address ${felt64(call.to)} is not deployed`)
          }
          continue
        }
        const original = anchors.get(call.to) as AnchorState
        const contract = touched.get(call.to) ?? { ...original, batches: new Map(original.batches) }
        const event = anchorRoot(contract, sender, call.calldata)
        const [batchId, root, leafCount] = call.calldata as [bigint, bigint, bigint]
        contract.lastBatch = batchId
        contract.batches.set(batchId, { root, leafCount, transactionHash: '', blockNumber: -1 })
        touched.set(call.to, contract)
        emitted.push(event)
      } catch (error) {
        if (error instanceof Panic) return { failure: { call, panic: error.message } }
        throw error
      }
    }
    return { touched, emitted }
  }

  /** The outcome of running a transaction now, without changing anything (estimates use it too). */
  function dryRun(sender: bigint, calldata: bigint[], bounds: ResourceBoundsBN | null) {
    let calls: Call[]
    try {
      calls = decodeMulticall(calldata)
    } catch (error) {
      if (!(error instanceof Panic)) throw error
      const call = { to: sender, selector: SELECTORS.execute, calldata }
      return { used: gasUsed(0), failure: { call, panic: error.message } }
    }
    const used = gasUsed(calls.length)
    if (bounds && used.l2Gas > bounds.l2_gas.max_amount) {
      return {
        used: { ...used, l2Gas: bounds.l2_gas.max_amount },
        outOfGas: `Insufficient max L2Gas: max amount: ${bounds.l2_gas.max_amount}, actual used: ${used.l2Gas}.`,
      }
    }
    if (bounds && used.l1DataGas > bounds.l1_data_gas.max_amount) {
      return {
        used: { ...used, l1DataGas: bounds.l1_data_gas.max_amount },
        outOfGas: `Insufficient max L1DataGas: max amount: ${bounds.l1_data_gas.max_amount}, actual used: ${used.l1DataGas}.`,
      }
    }
    return { used, ...runCalls(sender, calls) }
  }

  function feeFor(used: ReturnType<typeof gasUsed>, tip: bigint): bigint {
    return used.l1Gas * prices.l1Gas + used.l1DataGas * prices.l1DataGas + used.l2Gas * (prices.l2Gas + tip)
  }

  function execute(record: TxRecord, block: Block, index: number) {
    const account = accountAt(record.sender)
    account.nonce += 1n
    const bounds = parseResourceBounds(record.body.resource_bounds)
    const tip = BigInt(record.body.tip)
    const outcome = dryRun(record.sender, parseFelts(record.body.calldata, 'calldata'), bounds)
    const fee = feeFor(outcome.used, tip)
    account.balance = account.balance > fee ? account.balance - fee : 0n
    const feeEvent: EVENT = {
      from_address: hex(STRK_TOKEN_ADDRESS),
      keys: [hex(SELECTORS.transfer)],
      data: [hex(record.sender), hex(0x1n), hex(fee % U128_LIMIT), hex(fee / U128_LIMIT)],
    }
    let reverted: string | undefined
    let emitted: EVENT[] = []
    if ('outOfGas' in outcome && outcome.outOfGas) reverted = outcome.outOfGas
    else if ('failure' in outcome && outcome.failure) {
      const { call, panic } = outcome.failure
      const classHash = anchors.has(call.to) ? LOCAL_ANCHOR_CLASS_HASH : LOCAL_ACCOUNT_CLASS_HASH
      reverted = revertReason(record.sender, call, classHash, panic)
    } else if ('touched' in outcome && outcome.touched) {
      for (const [address, contract] of outcome.touched) {
        for (const [batchId, stored] of contract.batches) {
          if (stored.blockNumber === -1) {
            contract.batches.set(batchId, {
              ...stored,
              transactionHash: record.hash,
              blockNumber: block.number,
            })
          }
        }
        anchors.set(address, contract)
      }
      emitted = outcome.emitted
    }
    const receiptEvents = [...emitted, feeEvent]
    receiptEvents.forEach((event, eventIndex) => {
      events.push({
        ...event,
        transaction_hash: record.hash,
        transaction_index: index,
        event_index: eventIndex,
        block_number: block.number,
      })
    })
    const common = {
      type: 'INVOKE' as const,
      transaction_hash: record.hash,
      actual_fee: { amount: hex(fee), unit: 'FRI' as const },
      finality_status: 'PRE_CONFIRMED' as const,
      messages_sent: [],
      events: receiptEvents,
      execution_resources: {
        l1_gas: Number(outcome.used.l1Gas),
        l1_data_gas: Number(outcome.used.l1DataGas),
        l2_gas: Number(outcome.used.l2Gas),
      },
    }
    record.receipt =
      reverted === undefined
        ? { ...common, execution_status: 'SUCCEEDED' }
        : { ...common, execution_status: 'REVERTED', revert_reason: reverted }
    record.status = 'PRE_CONFIRMED'
    record.blockNumber = block.number
  }

  function openBlock(): Block {
    const parent = latest()
    pending ??= {
      number: parent.number + 1,
      hash: 0n,
      parentHash: parent.hash,
      timestamp: Math.max(parent.timestamp + 1, Math.floor(Date.now() / 1000)),
      status: 'PRE_CONFIRMED',
      transactionHashes: [],
    }
    return pending
  }

  /** Executes every waiting transaction into the pre-confirmed block (or drops them, as a fault). */
  function preConfirm(): number {
    const included = waiting.splice(0, waiting.length)
    if (faults.dropReceived) {
      for (const record of included) record.status = 'DROPPED'
      return openBlock().number
    }
    const block = openBlock()
    for (const record of included) {
      execute(record, block, block.transactionHashes.length)
      block.transactionHashes.push(record.hash)
    }
    return block.number
  }

  function copyAnchors(source: Map<bigint, AnchorState>) {
    return new Map(
      [...source].map(([address, state]) => [address, { ...state, batches: new Map(state.batches) }]),
    )
  }

  /** Closes the pre-confirmed block (with every waiting transaction) as ACCEPTED_ON_L2. */
  function mine(): number {
    preConfirm()
    const block = openBlock()
    pending = undefined
    block.hash = BigInt(
      hash.computePoseidonHashOnElements([
        BigInt(block.number),
        block.parentHash,
        ...block.transactionHashes.map((txHash) => BigInt(txHash)),
      ]),
    )
    block.status = 'ACCEPTED_ON_L2'
    blocks.push(block)
    for (const txHash of block.transactionHashes) {
      const record = transactions.get(txHash) as TxRecord
      record.status = 'ACCEPTED_ON_L2'
      if (record.receipt) record.receipt = { ...record.receipt, finality_status: 'ACCEPTED_ON_L2' }
    }
    for (const event of events) {
      if (event.block_number === block.number) event.block_hash = hex(block.hash)
    }
    sealed = {
      anchors: copyAnchors(anchors),
      nonces: new Map([...accounts].map(([a, state]) => [a, state.nonce])),
    }
    if (options.l1AcceptMs !== undefined) later(options.l1AcceptMs, acceptOnL1)
    return block.number
  }

  function acceptOnL1() {
    for (const block of blocks) block.status = 'ACCEPTED_ON_L1'
    for (const record of transactions.values()) {
      if (record.status === 'ACCEPTED_ON_L2' && record.receipt) {
        record.status = 'ACCEPTED_ON_L1'
        record.receipt = { ...record.receipt, finality_status: 'ACCEPTED_ON_L1' }
      }
    }
  }

  // --- submission ------------------------------------------------------------------------------

  function addInvoke(params: Record<string, unknown>) {
    const tx = asObject(params.invoke_transaction, 'invoke_transaction') as unknown as BROADCASTED_INVOKE_TXN
    if (tx.type !== 'INVOKE') throw rpcErrors.invalidParams('invoke_transaction.type must be INVOKE')
    if (tx.version !== '0x3') throw rpcErrors.unsupportedTxVersion()
    const sender = parseFelt(tx.sender_address, 'sender_address')
    const nonce = parseFelt(tx.nonce, 'nonce')
    const bounds = parseResourceBounds(tx.resource_bounds)
    const tip = parseBounded(tx.tip, U64_LIMIT, 'tip')
    const signature = parseFelts(tx.signature, 'signature')
    const transactionHash = invokeTransactionHash(tx, chainId)
    const account = accounts.get(sender)
    if (!account) {
      if (anchors.has(sender)) throw rpcErrors.nonAccount()
      throw rpcErrors.validationFailure(`Requested contract address ${felt64(sender)} is not deployed.`)
    }
    // The blockifier's order: nonce, then the bounds against the block's prices, then whether the
    // balance covers the bounds, then __validate__ (the signature). A resend of a transaction
    // still waiting is the mempool's duplicate before any of them.
    const known = transactions.get(hex(transactionHash))
    if (known && known.status === 'RECEIVED') throw rpcErrors.duplicateTx()
    const expectedNonce = account.nonce + waitingCount(sender)
    if (nonce !== expectedNonce) {
      const refusal = rpcErrors.invalidNonce(sender, expectedNonce, nonce)
      if (faults.nonceAsValidationFailure) throw rpcErrors.validationFailure(refusal.data as string)
      throw refusal
    }
    if (!boundsCoverPrices(bounds)) throw rpcErrors.insufficientResources()
    if (faults.insufficientBalance || maxFee(bounds, tip) > account.balance) {
      throw rpcErrors.insufficientBalance()
    }
    if (!signatureMatches(transactionHash, signature, account.publicKey)) {
      throw rpcErrors.validationFailure(invalidSignatureText(sender))
    }
    const record: TxRecord = { hash: hex(transactionHash), body: tx, sender, nonce, status: 'RECEIVED' }
    transactions.set(record.hash, record)
    waiting.push(record)
    if (options.autoMineMs !== undefined) later(options.autoMineMs, mine)
    return { transaction_hash: record.hash }
  }

  /** Each price at least the block's (for the resources the transaction may use), and gas for validation. */
  function boundsCoverPrices(bounds: ResourceBoundsBN): boolean {
    const covers = (bound: { max_amount: bigint; max_price_per_unit: bigint }, price: bigint) =>
      bound.max_amount === 0n || bound.max_price_per_unit >= price
    return (
      bounds.l2_gas.max_amount >= GAS_FOR_VALIDATE &&
      bounds.l2_gas.max_price_per_unit >= prices.l2Gas &&
      covers(bounds.l1_data_gas, prices.l1DataGas) &&
      covers(bounds.l1_gas, prices.l1Gas)
    )
  }

  function estimateFee(params: Record<string, unknown>): FEE_ESTIMATE[] {
    if (!Array.isArray(params.request)) throw rpcErrors.invalidParams('request must be an array')
    return params.request.map((item, index) => {
      const tx = asObject(item, `request[${index}]`)
      if (tx.type !== 'INVOKE') throw rpcErrors.invalidParams('only INVOKE transactions are estimated here')
      const sender = parseFelt(tx.sender_address, 'sender_address')
      if (!accounts.has(sender)) throw rpcErrors.contractNotFound()
      const outcome = dryRun(sender, parseFelts(tx.calldata, 'calldata'), null)
      if ('failure' in outcome && outcome.failure) {
        const { call, panic } = outcome.failure
        const classHash = anchors.has(call.to) ? LOCAL_ANCHOR_CLASS_HASH : LOCAL_ACCOUNT_CLASS_HASH
        // As on a real node: a transaction that would revert cannot be estimated.
        throw rpcErrors.transactionExecutionError(index, revertReason(sender, call, classHash, panic))
      }
      const used = outcome.used
      return {
        l1_gas_consumed: hex(used.l1Gas),
        l1_gas_price: hex(prices.l1Gas),
        l2_gas_consumed: hex(used.l2Gas),
        l2_gas_price: hex(prices.l2Gas),
        l1_data_gas_consumed: hex(used.l1DataGas),
        l1_data_gas_price: hex(prices.l1DataGas),
        overall_fee: hex(feeFor(used, 0n)),
        unit: 'FRI' as const,
      }
    })
  }

  // --- reads -----------------------------------------------------------------------------------

  /**
   * A view of one of the stand-in's contracts (anchor, account, STRK token); undefined when no
   * contract is at the address; throws a Panic as the Cairo code would.
   */
  function readOnly(state: Map<bigint, AnchorState>, address: bigint, entry: bigint, calldata: bigint[]) {
    const anchor = state.get(address)
    if (anchor) return anchorView(anchor, entry, calldata)
    const account = accounts.get(address)
    if (account) {
      if (entry !== SELECTORS.getPublicKey) throw new EntryPointNotFound(entry)
      return [account.publicKey]
    }
    if (address === STRK_TOKEN_ADDRESS) {
      if (entry !== SELECTORS.balanceOf) throw new EntryPointNotFound(entry)
      const balance = accounts.get(feltArg(calldata, 0))?.balance ?? 0n
      return [balance % U128_LIMIT, balance / U128_LIMIT]
    }
    return undefined
  }

  function call(params: Record<string, unknown>): string[] {
    const request = asObject(params.request, 'request')
    resolveBlock(params.block_id)
    const address = parseFelt(request.contract_address, 'contract_address')
    const entry = parseFelt(request.entry_point_selector, 'entry_point_selector')
    const calldata = parseFelts(request.calldata, 'calldata')
    const state = params.block_id === 'pre_confirmed' ? anchors : sealed.anchors
    let result: bigint[] | undefined
    try {
      result = readOnly(state, address, entry, calldata)
    } catch (error) {
      if (error instanceof EntryPointNotFound) throw rpcErrors.entrypointNotFound()
      if (error instanceof Panic) throw rpcErrors.contractError(error.message)
      throw error
    }
    if (result === undefined) throw rpcErrors.contractNotFound()
    return result.map(hex)
  }

  function getNonce(params: Record<string, unknown>): string {
    const address = parseFelt(params.contract_address, 'contract_address')
    resolveBlock(params.block_id)
    const account = accounts.get(address)
    if (!account) {
      if (anchors.has(address)) return '0x0'
      throw rpcErrors.contractNotFound()
    }
    // Transactions still waiting (RECEIVED) count in no block's nonce, as on a real node.
    if (params.block_id === 'pre_confirmed') return hex(account.nonce)
    return hex(sealed.nonces.get(address) ?? 0n)
  }

  function transactionStatus(params: Record<string, unknown>): TXN_STATUS_RESULT {
    const record = knownTransaction(params.transaction_hash)
    if (record.status === 'RECEIVED' || !record.receipt) return { finality_status: 'RECEIVED' }
    // The receipt's finality moves with the block's: PRE_CONFIRMED, ACCEPTED_ON_L2, ACCEPTED_ON_L1.
    const receipt = record.receipt
    return receipt.execution_status === 'REVERTED'
      ? {
          finality_status: receipt.finality_status,
          execution_status: 'REVERTED',
          failure_reason: receipt.revert_reason,
        }
      : { finality_status: receipt.finality_status, execution_status: 'SUCCEEDED' }
  }

  function transactionReceipt(params: Record<string, unknown>): TXN_RECEIPT_WITH_BLOCK_INFO {
    const record = knownTransaction(params.transaction_hash)
    // A real node has no receipt before the transaction is in a (pre-confirmed) block.
    if (!record.receipt || record.blockNumber === undefined) throw rpcErrors.txHashNotFound()
    const block = blocks[record.blockNumber]
    // A pre-confirmed receipt has a block number but no block hash yet.
    if (!block) return { ...record.receipt, block_number: record.blockNumber } as TXN_RECEIPT_WITH_BLOCK_INFO
    return { ...record.receipt, block_hash: hex(block.hash), block_number: block.number }
  }

  function eventMatches(event: EMITTED_EVENT, filter: EVENT_FILTER, from: number, to: number): boolean {
    const number = event.block_number ?? -1
    if (number < from || number > to) return false
    if (filter.address !== undefined) {
      const wanted = (Array.isArray(filter.address) ? filter.address : [filter.address]).map((address) =>
        parseFelt(address, 'address'),
      )
      if (!wanted.includes(BigInt(event.from_address))) return false
    }
    const keys = filter.keys ?? []
    return keys.every((alternatives, position) => {
      if (alternatives.length === 0) return true
      const key = event.keys[position]
      return (
        key !== undefined && alternatives.some((candidate) => parseFelt(candidate, 'key') === BigInt(key))
      )
    })
  }

  function getEvents(params: Record<string, unknown>) {
    const filter = asObject(params.filter, 'filter') as EVENT_FILTER & RESULT_PAGE_REQUEST
    const chunkSize = filter.chunk_size
    if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1) {
      throw rpcErrors.invalidParams('chunk_size must be a positive integer')
    }
    if (chunkSize > MAX_EVENTS_CHUNK) throw rpcErrors.pageSizeTooBig()
    const from =
      filter.from_block === undefined ? 0 : (resolveBlock(filter.from_block)?.number ?? latest().number + 1)
    const to =
      filter.to_block === undefined
        ? latest().number
        : (resolveBlock(filter.to_block)?.number ?? latest().number + 1)
    // The token is the position in the node's event log of the first event not yet returned.
    let start = 0
    if (filter.continuation_token !== undefined) {
      if (!/^\d+$/.test(filter.continuation_token)) throw rpcErrors.invalidContinuationToken()
      start = Number(filter.continuation_token)
      if (start > events.length) throw rpcErrors.invalidContinuationToken()
    }
    const page: EMITTED_EVENT[] = []
    let position = start
    for (; position < events.length && page.length < chunkSize; position += 1) {
      const event = events[position] as EMITTED_EVENT
      if (eventMatches(event, filter, from, to)) page.push(event)
    }
    const more = events.slice(position).some((event) => eventMatches(event, filter, from, to))
    return more ? { events: page, continuation_token: String(position) } : { events: page }
  }

  function blockWithTxHashes(params: Record<string, unknown>) {
    const block = resolveBlock(params.block_id)
    if (!block) return { ...preConfirmedHeader(), transactions: [...(pending?.transactionHashes ?? [])] }
    return { ...blockHeader(block), transactions: block.transactionHashes }
  }

  function blockWithTxs(params: Record<string, unknown>) {
    const block = resolveBlock(params.block_id)
    const hashes = block?.transactionHashes ?? pending?.transactionHashes ?? []
    const txs = hashes.map((txHash) => transactionWithHash(transactions.get(txHash) as TxRecord))
    return block
      ? { ...blockHeader(block), transactions: txs }
      : { ...preConfirmedHeader(), transactions: txs }
  }

  const handlers: HandlerTable = {
    starknet_specVersion: () => faults.specVersion ?? LOCAL_NODE_SPEC_VERSION,
    starknet_chainId: () => chainId,
    starknet_blockNumber: () => latest().number,
    starknet_blockHashAndNumber: () => ({ block_hash: hex(latest().hash), block_number: latest().number }),
    starknet_syncing: () => false,
    starknet_getBlockWithTxHashes: (params) =>
      blockWithTxHashes(params) as Methods['starknet_getBlockWithTxHashes']['result'],
    starknet_getBlockWithTxs: (params) =>
      blockWithTxs(params) as Methods['starknet_getBlockWithTxs']['result'],
    starknet_getNonce: getNonce,
    starknet_call: call,
    starknet_estimateFee: estimateFee,
    starknet_addInvokeTransaction: addInvoke,
    starknet_getTransactionStatus: transactionStatus,
    starknet_getTransactionReceipt: transactionReceipt,
    starknet_getTransactionByHash: (params) =>
      transactionWithHash(
        knownTransaction(params.transaction_hash),
      ) as Methods['starknet_getTransactionByHash']['result'],
    starknet_getEvents: getEvents,
    starknet_getClassHashAt: (params) => {
      resolveBlock(params.block_id)
      return hex(classHashAt(parseFelt(params.contract_address, 'contract_address')))
    },
    starknet_getClassAt: (params) => {
      resolveBlock(params.block_id)
      return classByHash(classHashAt(parseFelt(params.contract_address, 'contract_address')))
    },
    starknet_getClass: (params) => {
      resolveBlock(params.block_id)
      return classByHash(parseFelt(params.class_hash, 'class_hash'))
    },
  }

  // --- JSON-RPC over HTTP ------------------------------------------------------------------------

  function answer(request: unknown): unknown {
    const message =
      typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {}
    const id = message.id ?? null
    if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
      return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request' } }
    }
    requests.push({ method: message.method, params: message.params })
    const handler = (handlers as Record<string, Handler<keyof Methods> | undefined>)[message.method]
    const scripted = faults.respond?.(message.method, message.params)
    if (scripted) return { jsonrpc: '2.0', id, ...scripted }
    if (!handler) return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } }
    try {
      const params = message.params === undefined ? {} : asObject(message.params, 'params')
      return { jsonrpc: '2.0', id, result: handler(params) }
    } catch (error) {
      if (error instanceof RpcFailure) {
        const body = {
          code: error.code,
          message: error.message,
          ...(error.data !== undefined && { data: error.data }),
        }
        return { jsonrpc: '2.0', id, error: body }
      }
      return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error', data: String(error) } }
    }
  }

  function malformedBody(
    kind: NonNullable<LocalNodeFaults['malformed']>,
    answers: unknown[],
    batch: boolean,
  ) {
    const ids = answers.map((item) => (item as { id: unknown }).id)
    switch (kind) {
      case 'invalid-json':
        return { status: 200, type: 'application/json', body: '{"jsonrpc":"2.0","id":1,"result":{"fin' }
      case 'wrong-shape': {
        const wrong = ids.map((id) => ({ jsonrpc: '2.0', id, result: { unexpected: [42] } }))
        return { status: 200, type: 'application/json', body: JSON.stringify(batch ? wrong : wrong[0]) }
      }
      case 'no-result': {
        const empty = ids.map((id) => ({ jsonrpc: '2.0', id }))
        return { status: 200, type: 'application/json', body: JSON.stringify(batch ? empty : empty[0]) }
      }
      case 'html-502':
        return { status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }
    }
  }

  function appliesTo(methods: string[]): boolean {
    return faults.methods === undefined || methods.some((method) => faults.methods?.includes(method))
  }

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (faults.down === 'reset') {
      request.socket.destroy()
      return
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end()
      return
    }
    const raw = await readBody(request)
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error' },
      })
      response.writeHead(200, { 'content-type': 'application/json' }).end(body)
      return
    }
    const batch = Array.isArray(parsed)
    const messages: unknown[] = batch ? (parsed as unknown[]) : [parsed]
    const methods = messages.map((message) => String((message as { method?: unknown })?.method))
    const affected = appliesTo(methods)
    if (affected && faults.delayMs) {
      const delay = faults.delayMs
      await new Promise<void>((resolve) => later(delay, resolve))
      if (closed) return
    }
    const answers =
      batch && messages.length === 0
        ? [{ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } }]
        : messages.map(answer)
    if (affected && faults.loseAnswer) {
      request.socket.destroy()
      return
    }
    if (affected && faults.malformed) {
      const { status, type, body } = malformedBody(faults.malformed, answers, batch)
      response.writeHead(status, { 'content-type': type }).end(body)
      return
    }
    const body = JSON.stringify(batch && messages.length > 0 ? answers : answers[0])
    response.writeHead(200, { 'content-type': 'application/json' }).end(body)
  }

  const sockets = new Set<Socket>()
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (!server.listening) return resolve()
      server.close(() => resolve())
    })

  await listen(0)
  const port = (server.address() as AddressInfo).port

  async function setFaults(next: LocalNodeFaults) {
    faults = { ...next }
    if (next.down === 'refuse' && server.listening) await stopListening()
    if (next.down !== 'refuse' && !server.listening && !closed) await listen(port)
  }

  function anchorFor(address?: string): AnchorState {
    if (address !== undefined) {
      const found = anchors.get(BigInt(address))
      if (!found) throw new Error(`no anchor contract at ${address}`)
      return found
    }
    const [only, ...others] = anchors.values()
    if (!only || others.length > 0)
      throw new Error('anchored() needs an address when there is not exactly one contract')
    return only
  }

  return {
    url: `http://127.0.0.1:${port}/rpc/v0_10`,
    chainId,
    faults: {
      set: setFaults,
      clear: () => setFaults({}),
      get current() {
        return faults
      },
    },
    requests,
    createAccount(accountOptions = {}) {
      const privateKey =
        accountOptions.privateKey ??
        hex(BigInt(`0x${Buffer.from(ec.starkCurve.utils.randomPrivateKey()).toString('hex')}`))
      const publicKey = BigInt(ec.starkCurve.getStarkKey(privateKey))
      const address = BigInt(
        hash.calculateContractAddressFromHash(publicKey, LOCAL_ACCOUNT_CLASS_HASH, [publicKey], 0),
      )
      if (accounts.has(address)) throw new Error('this key already has an account on the local node')
      accounts.set(address, {
        address,
        publicKey,
        nonce: 0n,
        balance: accountOptions.balance ?? DEFAULT_ACCOUNT_BALANCE,
      })
      // Deployed out of band: visible at every block id at once.
      sealed.nonces.set(address, 0n)
      return { address: felt64(address), privateKey, publicKey: hex(publicKey) }
    },
    setBalance(address, balance) {
      accountAt(BigInt(address)).balance = balance
    },
    balanceOf: (address) => accountAt(BigInt(address)).balance,
    nonceOf: (address) => accountAt(BigInt(address)).nonce,
    deployAnchorContract(owner) {
      const salt = BigInt(anchors.size + 1)
      const ownerFelt = BigInt(owner)
      const address = BigInt(
        hash.calculateContractAddressFromHash(salt, LOCAL_ANCHOR_CLASS_HASH, [ownerFelt], 0),
      )
      anchors.set(address, { address, owner: ownerFelt, lastBatch: 0n, batches: new Map() })
      sealed.anchors.set(address, { address, owner: ownerFelt, lastBatch: 0n, batches: new Map() })
      return felt64(address)
    },
    anchored(address) {
      const contract = anchorFor(address)
      return {
        address: felt64(contract.address),
        owner: felt64(contract.owner),
        lastBatch: contract.lastBatch,
        batches: [...contract.batches.entries()]
          .map(([batchId, stored]) => ({ batchId, ...stored }))
          .sort((a, b) => (a.batchId < b.batchId ? -1 : 1)),
      }
    },
    transactionStatus: (transactionHash) => transactions.get(hex(BigInt(transactionHash)))?.status,
    preConfirm,
    mine,
    acceptOnL1,
    blockNumber: () => latest().number,
    async close() {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await stopListening()
    },
  }
}
