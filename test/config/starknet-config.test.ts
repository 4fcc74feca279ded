/**
 * Starknet configuration: the four connection variables come together or not at all, the
 * account key is accepted only sealed (and a refusal never repeats it), and the sealed key opens
 * only for the account it was sealed for.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/index.js'
import { createSecretBox, SecretError } from '../../src/infra/secrets.js'
import {
  openStarknetKey,
  sealStarknetKey,
  starknetKeyContext,
  starknetOptionsFromConfig,
} from '../../src/infra/starknet/index.js'

const ring = [{ kid: 'k1', key: randomBytes(32) }]
const box = createSecretBox(ring)
const ACCOUNT = '0x064B48806902A367C8598F4F95C305E8C1A1ACBA5F082D294A43793113115691'
const CONTRACT = '0x0491ad1a9e01c3e2a8f0fd1b1d8ca6e2b7e5d0c1d8f7a6b5c4d3e2f1a0b9c8d7'
const PLAIN_KEY = '0x71d7bb07b9a64f6f78ac4c816aff4da9'

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

function fullEnv(): Record<string, string> {
  return {
    STARKNET_RPC_URL: 'https://starknet.example/rpc/v0_9',
    STARKNET_ACCOUNT_ADDRESS: ACCOUNT,
    STARKNET_PRIVATE_KEY: sealStarknetKey(box, ACCOUNT, PLAIN_KEY),
    STARKNET_CONTRACT_ADDRESS: CONTRACT,
  }
}

describe('Starknet configuration', () => {
  it('is off by default, with a fee ceiling and a timeout', () => {
    const config = loadConfig({})
    expect(config.STARKNET_RPC_URL).toBeUndefined()
    expect(config.STARKNET_PRIVATE_KEY).toBeUndefined()
    expect(config.STARKNET_MAX_FEE_FRI).toBe(10n ** 18n)
    expect(config.STARKNET_TIMEOUT_MS).toBe(10_000)
    expect(starknetOptionsFromConfig(config, box)).toBeNull()
  })

  it('parses a full set, addresses lower-cased, the fee ceiling as a bigint beyond 2^53', () => {
    const config = loadConfig({
      ...fullEnv(),
      STARKNET_MAX_FEE_FRI: '123456789012345678901234567890',
      STARKNET_TIMEOUT_MS: '2500',
    })
    expect(config.STARKNET_ACCOUNT_ADDRESS).toBe(ACCOUNT.toLowerCase())
    expect(config.STARKNET_CONTRACT_ADDRESS).toBe(CONTRACT)
    expect(config.STARKNET_MAX_FEE_FRI).toBe(123456789012345678901234567890n)
    expect(config.STARKNET_TIMEOUT_MS).toBe(2500)
    expect(starknetOptionsFromConfig(config, box)).toEqual({
      rpcUrl: 'https://starknet.example/rpc/v0_9',
      accountAddress: ACCOUNT.toLowerCase(),
      privateKey: PLAIN_KEY,
      contractAddress: CONTRACT,
      maxFeeFri: 123456789012345678901234567890n,
      timeoutMs: 2500,
    })
  })

  it.each([
    ['STARKNET_RPC_URL'],
    ['STARKNET_ACCOUNT_ADDRESS'],
    ['STARKNET_PRIVATE_KEY'],
    ['STARKNET_CONTRACT_ADDRESS'],
  ])('refuses a partial set without %s, naming what is missing', (missing) => {
    const env = fullEnv()
    delete env[missing]
    const error = configError(env)
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toContain(`${missing} missing`)
  })

  it('names every missing variable of the group', () => {
    const error = configError({ STARKNET_RPC_URL: 'https://starknet.example/rpc' })
    expect(error.message).toContain(
      'STARKNET_ACCOUNT_ADDRESS, STARKNET_PRIVATE_KEY, STARKNET_CONTRACT_ADDRESS missing',
    )
  })

  it('refuses a private key in clear, says how to seal it, and does not repeat it', () => {
    const error = configError({ ...fullEnv(), STARKNET_PRIVATE_KEY: PLAIN_KEY })
    expect(error.message).toContain('STARKNET_PRIVATE_KEY must be the sealed key')
    expect(error.message).toContain('decision-markets seal-starknet-key')
    expect(error.message).not.toContain(PLAIN_KEY)
    expect(error.message).not.toContain(PLAIN_KEY.slice(2))
    // Reported once: not also as "missing".
    expect(error.problems).toHaveLength(1)
  })

  it.each([
    [{ STARKNET_RPC_URL: 'ws://node.example' }, 'STARKNET_RPC_URL must use http or https'],
    [{ STARKNET_ACCOUNT_ADDRESS: '64b48806' }, 'STARKNET_ACCOUNT_ADDRESS must be a 0x-prefixed hex'],
    [{ STARKNET_CONTRACT_ADDRESS: `0x${'f'.repeat(64)}` }, 'STARKNET_CONTRACT_ADDRESS must be a 0x-prefixed'],
    [{ STARKNET_MAX_FEE_FRI: '0' }, 'STARKNET_MAX_FEE_FRI must be positive'],
    [{ STARKNET_MAX_FEE_FRI: '1e18' }, 'STARKNET_MAX_FEE_FRI must be a whole number'],
    [{ STARKNET_TIMEOUT_MS: '10' }, 'STARKNET_TIMEOUT_MS must be between 100 and 600000'],
  ])('refuses %o naming the variable', (bad, message) => {
    expect(configError({ ...fullEnv(), ...bad }).message).toContain(message)
  })
})

describe('sealed Starknet key', () => {
  it('opens for the account it was sealed for, whatever the case of the address', () => {
    const sealed = sealStarknetKey(box, ACCOUNT, PLAIN_KEY)
    expect(sealed.startsWith('v1.k1.')).toBe(true)
    expect(sealed).not.toContain(PLAIN_KEY.slice(2))
    expect(openStarknetKey(box, ACCOUNT.toLowerCase(), sealed)).toBe(PLAIN_KEY)
    expect(starknetKeyContext(ACCOUNT)).toBe(`starknet_account:${ACCOUNT.toLowerCase()}`)
  })

  it('does not open for another account or with another key ring', () => {
    const sealed = sealStarknetKey(box, ACCOUNT, PLAIN_KEY)
    expect(() => openStarknetKey(box, CONTRACT, sealed)).toThrow(SecretError)
    const other = createSecretBox([{ kid: 'k1', key: randomBytes(32) }])
    expect(() => openStarknetKey(other, ACCOUNT, sealed)).toThrow(SecretError)
  })

  it.each([
    ['not hex', 'secret'],
    ['zero', '0x0'],
    ['the curve order', '0x0800000000000010ffffffffffffffffb781126dcae7b2321e66a241adc64d2f'],
  ])('refuses to seal a key that is %s', (_, key) => {
    expect(() => sealStarknetKey(box, ACCOUNT, key)).toThrow(RangeError)
  })
})
