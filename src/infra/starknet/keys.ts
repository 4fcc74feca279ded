/**
 * The account's private key at rest: sealed with the service's key ring (src/infra/secrets.ts)
 * like every other secret, under a context naming the account, so a sealed key copied next to
 * another account's address does not open there. Only the sealed form is ever configured.
 */
import type { SecretBox } from '../secrets.js'

const STARK_CURVE_ORDER = 0x0800000000000010ffffffffffffffffb781126dcae7b2321e66a241adc64d2fn

/** `starknet_account:<address lowercased>`: the additional data the key is sealed under. */
export function starknetKeyContext(accountAddress: string): string {
  return `starknet_account:${accountAddress.trim().toLowerCase()}`
}

/** A Stark private key: a 0x-prefixed hex number in [1, n), n the curve's order. */
export function requirePrivateKey(key: string): void {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(key)) {
    throw new RangeError('The Starknet private key must be a 0x-prefixed hex number')
  }
  const value = BigInt(key)
  if (value === 0n || value >= STARK_CURVE_ORDER) {
    throw new RangeError('The Starknet private key is out of range for the Stark curve')
  }
}

/** The `v1.…` value to put in STARKNET_PRIVATE_KEY (for `decision-markets seal-starknet-key`). */
export function sealStarknetKey(box: SecretBox, accountAddress: string, privateKey: string): string {
  const key = privateKey.trim()
  requirePrivateKey(key)
  return box.seal(key, starknetKeyContext(accountAddress))
}

/** Opens STARKNET_PRIVATE_KEY; throws SecretError when the ring, the address or the value do not match. */
export function openStarknetKey(box: SecretBox, accountAddress: string, sealed: string): string {
  const key = box.open(sealed, starknetKeyContext(accountAddress))
  requirePrivateKey(key)
  return key
}
