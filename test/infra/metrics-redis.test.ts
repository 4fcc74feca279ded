/**
 * dm_redis_up: 0 when the Redis store does not answer, 1 when it does (with REDIS_URL, as CI's
 * second run sets it), and no such gauge with the in-process store.
 */
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.js'
import { sample } from '../helpers/metrics.js'
import { freePort } from '../helpers/net.js'

describe('dm_redis_up', () => {
  it('is 0 while Redis does not answer', { timeout: 120_000 }, async () => {
    const t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } })
    try {
      expect(t.ctx.store.kind).toBe('redis')
      expect(await sample(t.ctx.metrics, 'dm_redis_up')).toBe(0)
    } finally {
      await t.close()
    }
  })

  it('is absent with the in-process store', { timeout: 120_000 }, async () => {
    const t = await createTestApp({ env: { REDIS_URL: '' } })
    try {
      expect(t.ctx.store.kind).toBe('memory')
      expect(t.ctx.metrics.registry.getSingleMetric('dm_redis_up')).toBeUndefined()
    } finally {
      await t.close()
    }
  })

  it.skipIf(!process.env.REDIS_URL)('is 1 when Redis answers (REDIS_URL)', { timeout: 120_000 }, async () => {
    const t = await createTestApp({ env: { REDIS_URL: process.env.REDIS_URL as string } })
    try {
      expect(await sample(t.ctx.metrics, 'dm_redis_up')).toBe(1)
    } finally {
      await t.close()
    }
  })
})
