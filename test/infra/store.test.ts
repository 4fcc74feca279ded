/**
 * The Store behind rate limits and caches, the same suite against the in-process map and, when
 * REDIS_URL is set (CI's second run), against Redis.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/infra/cache/index.js'
import { createMemoryStore } from '../../src/infra/cache/memory.js'
import { createRedisStore } from '../../src/infra/cache/redis.js'
import { createLogger } from '../../src/infra/logger.js'

const log = createLogger('silent')
const stores: Array<[string, () => Promise<Store>]> = [['memory', async () => createMemoryStore()]]
if (process.env.REDIS_URL) {
  const url = process.env.REDIS_URL
  stores.push([
    'redis',
    () => createRedisStore({ url, keyPrefix: `dm:test:${randomBytes(4).toString('hex')}:`, log }),
  ])
}

describe.each(stores)('%s store', (_kind, make) => {
  let store: Store
  afterAll(() => store?.close())

  it('counts hits in a window that starts with the first', async () => {
    store = await make()
    const a = await store.hit('k', 60_000)
    const b = await store.hit('k', 60_000)
    const other = await store.hit('other', 60_000)
    expect([a.count, b.count, other.count]).toEqual([1, 2, 1])
    expect(b.resetInMs).toBeGreaterThan(0)
    expect(b.resetInMs).toBeLessThanOrEqual(60_000)
  })

  it('keeps, returns and deletes values', async () => {
    await store.set('v', 'value', 60_000)
    expect(await store.get('v')).toBe('value')
    await store.delete('v')
    expect(await store.get('v')).toBeUndefined()
  })

  it('versions only rise, counters add one, and the epoch is created once and kept', async () => {
    const first = await store.readVersions(['m', 'n'], 'e1')
    expect(first).toEqual({ epoch: 'e1', fields: [{}, {}] })
    await store.raiseVersion('m', { r: 3, b0: 7 })
    await store.raiseVersion('m', { r: 2, b1: 1 }) // r lower: unchanged; b1 new
    await store.incrementVersion('n', 'n')
    await store.incrementVersion('n', 'n')
    const read = await store.readVersions(['m', 'n'], 'e2')
    expect(read).toEqual({ epoch: 'e1', fields: [{ r: '3', b0: '7', b1: '1' }, { n: '2' }] })
    await store.setEpoch('e3')
    expect((await store.readVersions(['m'], 'e4')).epoch).toBe('e3')
  })
})

describe('memory store expiry', () => {
  it('forgets a window once it has passed (time injected)', async () => {
    let now = 1_000_000
    const store = createMemoryStore(() => now)
    await store.hit('k', 1000)
    await store.set('v', 'x', 1000)
    now += 999
    expect((await store.hit('k', 1000)).count).toBe(2)
    now += 1
    expect((await store.hit('k', 1000)).count).toBe(1)
    expect(await store.get('v')).toBeUndefined()
  })
})

describe('redis store when Redis is away', () => {
  it('fails its calls fast (the rate limiter then lets requests through)', async () => {
    const store = await createRedisStore({
      url: 'redis://127.0.0.1:1',
      keyPrefix: 'dm:test:',
      log,
      connectTimeoutMs: 200,
    })
    try {
      await expect(store.hit('k', 1000)).rejects.toThrow()
    } finally {
      await store.close()
    }
  })
})
