/**
 * ReadCache.observedAt: the time a read-cache fill compares with the replica's freshness
 * (db/read-replica.ts fillDb). It must follow the commit behind each version value: taken when
 * this process first read the value, kept while the value stays, taken anew when the value or
 * the epoch changes, and never shared between two names whose values happen to be equal.
 */
import { expect, it } from 'vitest'
import { createMemoryStore } from '../../src/infra/cache/memory.js'
import { createReadCache } from '../../src/infra/cache/read-cache.js'
import { createLogger } from '../../src/infra/logger.js'
import { createMetrics } from '../../src/infra/metrics.js'

const cacheOf = () =>
  createReadCache({
    store: createMemoryStore(),
    metrics: createMetrics(),
    log: createLogger('silent'),
    enabled: true,
    maxBytes: 1_000_000,
  })

it('observes a version value when first read, and again only once it changes', async () => {
  const cache = cacheOf()
  const a = ['market:a'] as const
  const beforeRead = performance.now()
  const first = (await cache.token('market', a)) as string
  const seen = cache.observedAt(a, first) as number
  expect(seen).toBeGreaterThanOrEqual(beforeRead)
  expect(seen).toBeLessThanOrEqual(performance.now())
  // Read again unchanged: the first observation stays (the tighter upper bound of its commit).
  expect(await cache.token('market', a)).toBe(first)
  expect(cache.observedAt(a, first)).toBe(seen)

  const beforeRaise = performance.now()
  await cache.raise('market:a', { b0: 1 }, ['market'])
  const raised = (await cache.token('market', a)) as string
  expect(raised).not.toBe(first)
  expect(cache.observedAt(a, raised)).toBeGreaterThanOrEqual(beforeRaise)
  // A token this process never read is not observed: its fill goes to the primary.
  expect(cache.observedAt(['market:b'], raised)).toBeUndefined()
  await cache.close()
})

it('observes a value this process raised right after the raise, before any read of it', async () => {
  const cache = cacheOf()
  const a = ['market:a'] as const
  await cache.token('market', a)
  const beforeRaise = performance.now()
  await cache.raise('market:a', { b0: 1 }, ['market'])
  await new Promise((r) => setTimeout(r, 20)) // the read-back is not awaited by raise
  const afterRaise = performance.now()
  await new Promise((r) => setTimeout(r, 20))
  const raised = (await cache.token('market', a)) as string
  const at = cache.observedAt(a, raised) as number
  expect(at).toBeGreaterThanOrEqual(beforeRaise)
  expect(at).toBeLessThanOrEqual(afterRaise)
  await cache.close()
})

it('keeps names apart whose values are equal, and observes every value anew under a new epoch', async () => {
  const cache = cacheOf()
  const a = ['market:a'] as const
  const b = ['market:b'] as const
  await cache.raise('market:a', { b0: 1 }, ['market'])
  const tokenA = (await cache.token('market', a)) as string
  const atA = cache.observedAt(a, tokenA) as number
  const beforeB = performance.now()
  await cache.raise('market:b', { b0: 1 }, ['market'])
  const tokenB = (await cache.token('market', b)) as string
  // The same values, so the same token string: observed per name nevertheless.
  expect(tokenB).toBe(tokenA)
  expect(atA).toBeLessThan(beforeB)
  expect(cache.observedAt(b, tokenB)).toBeGreaterThanOrEqual(beforeB)
  expect(cache.observedAt(a, tokenA)).toBe(atA)

  // A new epoch (after missed invalidations) covers changes the values do not show.
  cache.suspend()
  await cache.resume()
  const beforeEpoch = performance.now()
  const renewed = (await cache.token('market', a)) as string
  expect(renewed).not.toBe(tokenA)
  expect(cache.observedAt(a, renewed)).toBeGreaterThanOrEqual(beforeEpoch)
  await cache.close()
})
