/**
 * `decision-markets seal-starknet-key <account address>`: reads the account's private key from
 * standard input (never from the command line, where it would land in the shell's history and
 * in `ps`) and prints the sealed value to put in STARKNET_PRIVATE_KEY. Sealed with the active key
 * of ENCRYPTION_KEYS, under a context naming the account, like every other secret at rest.
 */
import { readFileSync } from 'node:fs'
import type { Config } from '../config/index.js'
import { secretBoxFromConfig } from '../infra/secrets.js'
import { sealStarknetKey } from '../infra/starknet/index.js'

export const SEAL_KEY_HELP = `  seal-starknet-key <account address>  Seal the account's key (read from stdin) for STARKNET_PRIVATE_KEY`

export async function runSealKeyCommand(config: Config, args: string[]): Promise<number> {
  const [address] = args
  if (!address || !/^0x[0-9a-fA-F]{1,64}$/.test(address)) {
    process.stderr.write('Usage: decision-markets seal-starknet-key <account address> < key.txt\n')
    return 2
  }
  const key = readFileSync(0, 'utf8').trim()
  try {
    const box = secretBoxFromConfig(config)
    process.stdout.write(`${sealStarknetKey(box, address, key)}\n`)
    return 0
  } catch (error) {
    process.stderr.write(`Cannot seal the key: ${(error as Error).message}\n`)
    return 1
  }
}
