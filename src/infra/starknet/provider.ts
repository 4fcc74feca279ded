/**
 * The connection to a node: starknet.js's RpcProvider, created with `RpcProvider.create` so the
 * node's spec version is asked once at start, with a timeout on every HTTP request.
 *
 * What starknet.js 10.8.0 checks by itself: `RpcProvider.create` calls `starknet_specVersion`,
 * picks its 0.9 or 0.10 channel, and throws only for other minors; a patch version it does not
 * implement (0.10.1, 0.9.3) is merely logged as a warning, and `new RpcProvider({ nodeUrl })`
 * asks nothing at all. We refuse anything outside its exact list (`isSupportedSpecVersion`), so
 * a node that would answer in a shape the SDK does not parse stops the start instead of
 * corrupting answers later.
 */
import { isSupportedSpecVersion, RpcProvider, toReleaseVersion } from 'starknet'
import { ChainStartError, toChainError } from './errors.js'

export interface ConnectOptions {
  rpcUrl: string
  /** Longest wait for one HTTP request to the node, answer body included. */
  timeoutMs: number
}

/**
 * `fetch` with a deadline. The signal covers the body too (undici aborts the stream), so a node
 * that sends headers and then stalls is cut off as well. starknet.js keeps only the message of
 * the error, so the message says what happened.
 */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      const response = await fetch(input, { ...init, signal })
      // Read the whole body under the same deadline; the clone's tee keeps it for starknet.js.
      await response.clone().arrayBuffer()
      return response
    } catch (error) {
      if (signal.aborted) throw new Error(`no answer from the node within ${timeoutMs} ms`)
      throw error
    }
  }
}

/**
 * The node's scheme, host and port, for messages and logs: hosted RPC endpoints often carry an
 * API key in the path or query, which must not reach a log line.
 */
export function nodeOrigin(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).origin
  } catch {
    return '(invalid URL)'
  }
}

export async function connect({ rpcUrl, timeoutMs }: ConnectOptions): Promise<RpcProvider> {
  const node = nodeOrigin(rpcUrl)
  let provider: RpcProvider
  try {
    provider = await RpcProvider.create({
      nodeUrl: rpcUrl,
      baseFetch: fetchWithTimeout(timeoutMs),
      // starknet.id and the fast-execute helpers are not used; they would only add requests.
      plugins: false,
    })
  } catch (error) {
    if (error instanceof Error && /specification version/i.test(error.message)) {
      throw new ChainStartError(`Starknet node at ${node}: ${error.message}`, { cause: error })
    }
    throw toChainError(error, `Starknet node at ${node}: reading its spec version`)
  }
  const specVersion = provider.readSpecVersion()
  if (!specVersion || !isSupportedSpecVersion(toReleaseVersion(specVersion))) {
    throw new ChainStartError(
      `Starknet node at ${node} speaks JSON-RPC spec ${specVersion ?? '(none)'}, which starknet.js ` +
        `10.8.0 does not implement exactly (it implements 0.9.0 and 0.10.0, 0.10.2–0.10.4): use a node ` +
        'or endpoint path serving one of those',
    )
  }
  return provider
}
