/**
 * What can go wrong talking to a Starknet node, in the three kinds the caller acts on:
 * unavailable (try the same thing again later), refused (the node looked at the transaction and
 * said no: retrying it unchanged will not help) and a start error (this configuration cannot
 * work: fix it, do not retry).
 */
import { RpcError } from 'starknet'

/** Thrown when the node is unreachable, times out or answers malformed: try again later. */
export class ChainUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'ChainUnavailableError'
  }
}

/** Thrown when the node refuses a transaction (validation, balance, fee ceiling): not sent. */
export class ChainRefusedError extends Error {
  readonly code?: number
  constructor(message: string, options?: { code?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ChainRefusedError'
    if (options?.code !== undefined) this.code = options.code
  }
}

/** Thrown by the constructors when the node cannot be used as configured (spec version, owner). */
export class ChainStartError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'ChainStartError'
  }
}

/** Starknet JSON-RPC error codes this adapter treats specially (starknet-specs, errors). */
export const RpcCode = {
  TXN_HASH_NOT_FOUND: 29,
  CONTRACT_ERROR: 40,
  TRANSACTION_EXECUTION_ERROR: 41,
  INVALID_TRANSACTION_NONCE: 52,
  DUPLICATE_TX: 59,
  UNEXPECTED_ERROR: 63,
} as const

/**
 * Spec errors that say the node is in trouble rather than that it judged our request:
 * BLOCK_NOT_FOUND and NO_BLOCKS (a node still syncing), FAILED_TO_RECEIVE_TXN, UNEXPECTED_ERROR.
 * JSON-RPC's own codes (-32xxx: parse error, internal error…) are in trouble too.
 */
const TRANSIENT_CODES = new Set<number>([1, 24, 32, RpcCode.UNEXPECTED_ERROR])

export function rpcCodeOf(error: unknown): number | undefined {
  return error instanceof RpcError ? error.code : undefined
}

/** The blockifier's text for a wrong nonce: "… Account nonce: 0x…; got: 0x…." */
const NONCE_TEXT = /Invalid transaction nonce.*?Account nonce: (0x[0-9a-fA-F]+)/s

/**
 * Whether the node refused a transaction for its nonce: INVALID_TRANSACTION_NONCE (52), or
 * VALIDATION_FAILURE (55) carrying the blockifier's nonce text, as some gateways answer it.
 * Returns the nonce the node says it expects when its text names one, else null.
 */
export function nonceRefusal(error: unknown): { expected: bigint | null } | undefined {
  if (!(error instanceof RpcError)) return undefined
  const data = (error.baseError as { data?: unknown }).data
  const text = typeof data === 'string' ? data : ''
  const match = NONCE_TEXT.exec(text)
  if (error.code === RpcCode.INVALID_TRANSACTION_NONCE || (error.code === VALIDATION_FAILURE && match)) {
    return { expected: match?.[1] ? BigInt(match[1]) : null }
  }
  return undefined
}
const VALIDATION_FAILURE = 55

/** The node's own words for a refusal: the message and, when present, its data (a revert reason). */
function describeRpcError(error: RpcError): string {
  const { message, data } = error.baseError as { message: string; data?: unknown }
  if (data === undefined) return message
  return `${message}: ${typeof data === 'string' ? data : JSON.stringify(data)}`
}

/**
 * Every failure of a starknet.js call, as one of our two runtime errors. starknet.js rethrows
 * network failures, timeouts and unparseable bodies as plain `Error`s (its fetchEndpoint keeps
 * only the message), so anything that is not a spec error from the node counts as unavailable.
 */
export function toChainError(error: unknown, what: string): ChainUnavailableError | ChainRefusedError {
  if (error instanceof ChainUnavailableError || error instanceof ChainRefusedError) return error
  if (error instanceof RpcError) {
    const code = error.code
    if (code < 0 || TRANSIENT_CODES.has(code)) {
      return new ChainUnavailableError(`${what}: the node failed (${code} ${describeRpcError(error)})`, {
        cause: error,
      })
    }
    return new ChainRefusedError(`${what}: refused by the node (${code} ${describeRpcError(error)})`, {
      code,
      cause: error,
    })
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new ChainUnavailableError(`${what}: the node cannot be reached or answered badly (${reason})`, {
    cause: error,
  })
}
