/**
 * From the configuration to the adapter's options: the sealed account key is opened here, with
 * the service's key ring, so the clear key exists only in memory and only once a chain is
 * configured. `null` when no chain is configured (roots are then computed and kept local).
 */
import type { Config } from '../../config/index.js'
import type { Logger } from '../logger.js'
import type { SecretBox } from '../secrets.js'
import { openStarknetKey } from './keys.js'

export interface StarknetChainOptions {
  rpcUrl: string
  accountAddress: string
  /** The account's Stark private key in clear (opened from its sealed form by the caller). */
  privateKey: string
  contractAddress: string
  /** Ceiling on the most one anchor transaction may cost, in fri (10^-18 STRK). */
  maxFeeFri: bigint
  timeoutMs?: number
  logger?: Logger
}

export function starknetOptionsFromConfig(
  config: Config,
  box: SecretBox,
  logger?: Logger,
): StarknetChainOptions | null {
  const {
    STARKNET_RPC_URL: rpcUrl,
    STARKNET_ACCOUNT_ADDRESS: accountAddress,
    STARKNET_PRIVATE_KEY: sealedKey,
    STARKNET_CONTRACT_ADDRESS: contractAddress,
  } = config
  // loadConfig has checked that the four come together.
  if (!rpcUrl || !accountAddress || !sealedKey || !contractAddress) return null
  return {
    rpcUrl,
    accountAddress,
    privateKey: openStarknetKey(box, accountAddress, sealedKey),
    contractAddress,
    maxFeeFri: config.STARKNET_MAX_FEE_FRI,
    timeoutMs: config.STARKNET_TIMEOUT_MS,
    ...(logger ? { logger } : {}),
  }
}
