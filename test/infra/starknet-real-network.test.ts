/**
 * Opt-in: the service's adapter against a REAL Starknet network, when STARKNET_RPC_URL,
 * STARKNET_ACCOUNT_ADDRESS, STARKNET_PRIVATE_KEY (sealed with ENCRYPTION_KEYS, as the service
 * takes it) and STARKNET_CONTRACT_ADDRESS (a deployed contracts/ AnchorRegistry owned by the
 * account) are set. Without them it is skipped and says so; CI has no network, so it never runs
 * there. Reading costs nothing; anchoring a batch costs a fee, so it runs only with
 * STARKNET_REAL_ANCHOR=1 as well.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { secretBoxFromConfig } from '../../src/infra/secrets.js'
import { createStarknetChain, starknetOptionsFromConfig } from '../../src/infra/starknet/index.js'

const configured = [
  'STARKNET_RPC_URL',
  'STARKNET_ACCOUNT_ADDRESS',
  'STARKNET_PRIVATE_KEY',
  'STARKNET_CONTRACT_ADDRESS',
].every((name) => process.env[name])

if (!configured) {
  console.log(
    'starknet-real-network.test: skipped (set STARKNET_RPC_URL, STARKNET_ACCOUNT_ADDRESS, a sealed STARKNET_PRIVATE_KEY and STARKNET_CONTRACT_ADDRESS to run it against a real network)',
  )
}

describe.skipIf(!configured)('the adapter on a real Starknet network', () => {
  const options = () => {
    const config = loadConfig()
    const made = starknetOptionsFromConfig(config, secretBoxFromConfig(config))
    if (!made) throw new Error('STARKNET_* are set but give no chain options')
    return { ...made, timeoutMs: 30_000 }
  }

  it('connects (spec version, owner of the contract) and reads the last batch and its root', async () => {
    const chain = await createStarknetChain(options())
    try {
      const last = await chain.lastBatch()
      expect(last).toBeGreaterThanOrEqual(0n)
      if (last > 0n) expect(await chain.getRoot(last)).toMatchObject({ leafCount: expect.any(BigInt) })
      expect(await chain.getRoot(last + 1n)).toBeNull()
    } finally {
      await chain.close()
    }
  }, 120_000)

  it.skipIf(process.env.STARKNET_REAL_ANCHOR !== '1')(
    'anchors the next batch and sees it accepted (costs a fee: STARKNET_REAL_ANCHOR=1)',
    async () => {
      const chain = await createStarknetChain(options())
      try {
        const batchId = (await chain.lastBatch()) + 1n
        const root = BigInt(`0x${Date.now().toString(16)}`)
        const { transactionHash } = await chain.submit({ batchId, root, leafCount: 1n })
        const deadline = Date.now() + 10 * 60_000
        for (;;) {
          const status = await chain.status(transactionHash)
          if (status.state === 'accepted') break
          expect(['pending', 'unknown']).toContain(status.state)
          if (Date.now() > deadline) throw new Error(`not accepted in 10 minutes: ${transactionHash}`)
          await new Promise((resolve) => setTimeout(resolve, 5_000))
        }
        expect(await chain.getRoot(batchId)).toEqual({ root, leafCount: 1n })
      } finally {
        await chain.close()
      }
    },
    15 * 60_000,
  )
})
