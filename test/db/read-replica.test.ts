/**
 * DATABASE_READ_URL against a real streaming replica (test/helpers/replica.ts: initdb +
 * pg_basebackup of a primary of the test's own). Replay is paused on the replica to make it
 * lag, so a read's answer says where it came from: the replica's is the one without the trade.
 *
 * - anonymous public reads come from the replica; a signed-in caller's reads (public or own)
 *   and the trades come from the primary, so a trader sees their trade at once;
 * - a lagging replica serves public reads only within DATABASE_READ_MAX_LAG_MS, then the
 *   primary does, and the replica again once caught up;
 * - the read cache never keeps a replica's older body under a newer version: a miss fills from
 *   the replica only once it holds the commits behind the version, else from the primary;
 * - the replica stopped: reads still answer, from the primary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/db/migrate.js'
import { parseLsn } from '../../src/db/read-replica.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { haveReplicaBinaries, type ReplicaPair, startReplicaPair } from '../helpers/replica.js'
import { createTestUser, type TestUser } from '../helpers/users.js'
import { waitUntil } from '../helpers/wait.js'

const HOUR = 3_600_000

async function routed(t: TestApp, target: 'replica' | 'primary'): Promise<number> {
  const metric = await t.ctx.metrics.registry.getSingleMetric('dm_db_public_reads_total')?.get()
  return metric?.values.find((v) => v.labels.target === target)?.value ?? 0
}

async function fallbacks(t: TestApp): Promise<number> {
  const metric = await t.ctx.metrics.registry.getSingleMetric('dm_db_replica_fallbacks_total')?.get()
  return metric?.values[0]?.value ?? 0
}

async function newMarket(t: TestApp, user: TestUser) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question: `Will the replica keep up? ${Math.random()}`,
      description: 'A market about replicas.',
      kind: 'binary',
      subsidy: '50',
      close_at: new Date(Date.now() + 24 * HOUR).toISOString(),
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

async function trade(t: TestApp, user: TestUser, market: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/markets/${market}/trades`,
    headers: user.headers,
    payload: { side: 'buy', outcome: 0, amount: '5' },
  })
  expect(res.statusCode, res.body).toBe(201)
}

/** The market's volume as `user` (or anonymously) reads it from `t`. */
async function volume(t: TestApp, market: string, user?: TestUser): Promise<string> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/markets/${market}`,
    ...(user ? { headers: user.headers } : {}),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().volume
}

async function tapeLength(t: TestApp, market: string, user?: TestUser): Promise<number> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/markets/${market}/trades`,
    ...(user ? { headers: user.headers } : {}),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items.length
}

it('orders LSNs as PostgreSQL does', () => {
  expect(parseLsn('0/16B3748')).toBe(0x16b3748n)
  expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true)
})

if (haveReplicaBinaries()) {
  describe('with a streaming replica', () => {
    let pair: ReplicaPair
    /** READ_CACHE off, a generous lag bound: every public read shows where it was served. */
    let loose: TestApp
    /** READ_CACHE off, a lag bound of 200 ms. */
    let tight: TestApp
    /** The read cache on (in process), a generous lag bound. */
    let cached: TestApp
    let alice: TestUser

    beforeAll(async () => {
      pair = await startReplicaPair()
      await migrate(pair.primaryUrl)
      // Owned by the pair: nothing to drop (the folder goes at stop()).
      const database = { url: pair.primaryUrl, name: 'postgres', drop: async () => {} }
      const replica = { DATABASE_READ_URL: pair.replicaUrl, DATABASE_POOL_MAX: '3' }
      loose = await createTestApp({
        database,
        env: { ...replica, READ_CACHE: 'false', DATABASE_READ_MAX_LAG_MS: '60000' },
      })
      // After the first app, which created pg-boss's schema on this fresh primary.
      ;[tight, cached] = await Promise.all([
        createTestApp({
          database,
          env: { ...replica, READ_CACHE: 'false', DATABASE_READ_MAX_LAG_MS: '200' },
        }),
        createTestApp({
          database,
          env: { ...replica, REDIS_URL: '', DATABASE_READ_MAX_LAG_MS: '60000' },
        }),
      ])
      alice = await createTestUser(loose)
      await pair.caughtUp()
      await waitUntil(() => cached.ctx.readCache.enabled, 'the version listener')
    }, 50_000)
    afterAll(async () => {
      await cached?.close()
      await tight?.close()
      await loose?.close()
      await pair?.stop()
    })

    it('sends anonymous public reads to the replica, and a signed-in user’s reads and trades to the primary', async () => {
      const market = await newMarket(loose, alice)
      await pair.caughtUp()
      await loose.ctx.reads?.check()
      expect(loose.ctx.reads?.state().usable).toBe(true)
      const before = await volume(loose, market.id)
      const onReplica = await routed(loose, 'replica')
      expect(await tapeLength(loose, market.id)).toBe(0)
      expect(await routed(loose, 'replica')).toBe(onReplica + 1)
      // A public profile too.
      const me = await loose.app.inject({ method: 'GET', url: '/v1/me', headers: alice.headers })
      const profile = await loose.app.inject({ method: 'GET', url: `/v1/users/${me.json().username}` })
      expect(profile.statusCode, profile.body).toBe(200)
      expect(await routed(loose, 'replica')).toBe(onReplica + 2)
      // The replica's own view: this service's pool is connected to it.
      const [seen] = await pair.onReplica<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'decision-markets public reads'",
      )
      expect(seen?.n).toBeGreaterThan(0)

      await pair.pauseReplay()
      try {
        await trade(loose, alice, market.id)
        // The trader: public and own reads from the primary, showing the trade at once.
        const after = await volume(loose, market.id, alice)
        expect(after).not.toBe(before)
        expect(await tapeLength(loose, market.id, alice)).toBe(1)
        const positions = await loose.app.inject({
          method: 'GET',
          url: '/v1/me/positions',
          headers: alice.headers,
        })
        expect(positions.statusCode, positions.body).toBe(200)
        expect(JSON.stringify(positions.json())).toContain(market.id)
        // Anyone else: the replica, which has not replayed the trade (within the 60 s bound).
        expect(await volume(loose, market.id)).toBe(before)
        expect(await tapeLength(loose, market.id)).toBe(0)
        const [row] = await pair.onReplica<{ n: number }>(
          `select count(*)::int as n from public.trades where market_id = '${market.id}'`,
        )
        expect(row?.n).toBe(0)
      } finally {
        await pair.resumeReplay()
      }
      await pair.caughtUp()
      expect(await volume(loose, market.id)).not.toBe(before)
    })

    it('leaves a replica that lags past DATABASE_READ_MAX_LAG_MS for the primary, and returns once it caught up', async () => {
      const reads = tight.ctx.reads
      const market = await newMarket(tight, alice)
      await pair.caughtUp()
      await waitUntil(() => reads?.state().usable === true, 'the replica within its bound')
      const before = await volume(tight, market.id)

      await pair.pauseReplay()
      try {
        await trade(tight, alice, market.id)
        // Within at most the bound (plus a check's interval), the replica is behind it…
        await waitUntil(() => reads?.state().usable === false, 'the replica past its bound')
        expect(reads?.state().lagMs).toBeGreaterThan(200)
        // …and public reads come from the primary: fresh, never older than the bound.
        const onPrimary = await routed(tight, 'primary')
        expect(await volume(tight, market.id)).not.toBe(before)
        expect(await routed(tight, 'primary')).toBe(onPrimary + 1)
        const trades = await tight.app.inject({ method: 'GET', url: `/v1/markets/${market.id}/trades` })
        expect(trades.json().items).toHaveLength(1)
      } finally {
        await pair.resumeReplay()
      }
      await pair.caughtUp()
      await waitUntil(() => reads?.state().usable === true, 'the replica back within its bound')
      const onReplica = await routed(tight, 'replica')
      expect(await volume(tight, market.id)).not.toBe(before)
      expect(await routed(tight, 'replica')).toBe(onReplica + 1)
    })

    it('never keeps a lagging replica’s body in the read cache under a newer version', async () => {
      const market = await newMarket(cached, alice)
      await pair.caughtUp()
      await cached.ctx.reads?.check()
      const urls = [`/v1/markets/${market.id}`, `/v1/markets/${market.id}/trades`, '/v1/markets?limit=50']
      const read = (url: string) => cached.app.inject({ method: 'GET', url })
      for (const url of urls) expect((await read(url)).statusCode).toBe(200) // kept under the old version

      await pair.pauseReplay()
      try {
        await trade(cached, alice, market.id)
        // The replica is behind (the loose app, cache off, reads it there)…
        const stale = await volume(loose, market.id)
        expect(cached.ctx.reads?.state().usable).toBe(true)
        // …yet the cache, whose version the trade raised, answers the trade, now and when hit.
        const truth = await cached.app.inject({
          method: 'GET',
          url: `/v1/markets/${market.id}`,
          headers: alice.headers,
        })
        expect(truth.json().volume).not.toBe(stale)
        for (let i = 0; i < 2; i++) {
          const snapshot = await read(urls[0] as string)
          expect(snapshot.body).toBe(truth.body)
          expect((await read(urls[1] as string)).json().items).toHaveLength(1)
          const list = (await read(urls[2] as string)).json().items as { id: string; volume: string }[]
          expect(list.find((m) => m.id === market.id)?.volume).toBe(truth.json().volume)
        }
      } finally {
        await pair.resumeReplay()
      }
    })

    it('fills the read cache from the replica once it holds the version filled, and from the primary before', async () => {
      const reads = cached.ctx.reads
      const market = await newMarket(cached, alice)
      const snapshot = `/v1/markets/${market.id}`
      const tape = `/v1/markets/${market.id}/trades`
      const history = `/v1/markets/${market.id}/history`
      const read = (url: string) => cached.app.inject({ method: 'GET', url })
      await pair.caughtUp()

      // Before the replica has replayed the trade, no check can have seen it past the moment
      // the trade's version was observed: the fill reads the primary.
      await pair.pauseReplay()
      let truth: string
      const [onReplica, onPrimary] = [await routed(cached, 'replica'), await routed(cached, 'primary')]
      try {
        await trade(cached, alice, market.id)
        // From the primary, and not through the cache (whose fill it would be).
        truth = await volume(loose, market.id, alice)
        await reads?.check()
        expect((await read(snapshot)).json().volume).toBe(truth)
        expect(await routed(cached, 'primary')).toBe(onPrimary + 1)
        expect(await routed(cached, 'replica')).toBe(onReplica)
      } finally {
        await pair.resumeReplay()
      }
      const observed = performance.now()

      // Once a check has seen the replica replay past a moment after that observation, misses
      // under the same version (other views of the market) fill from the replica, and show the trade.
      await pair.caughtUp()
      await reads?.check()
      for (let i = 0; (reads?.state().heldAt ?? 0) <= observed; i++) {
        if (i > 500) throw new Error('the replica never replayed past the observation')
        await pair.caughtUp()
        await reads?.check()
      }
      const tapeRes = await read(tape)
      expect(tapeRes.statusCode, tapeRes.body).toBe(200)
      expect(tapeRes.json().items).toHaveLength(1)
      expect(await routed(cached, 'replica')).toBe(onReplica + 1)
      expect((await read(history)).statusCode).toBe(200)
      expect(await routed(cached, 'replica')).toBe(onReplica + 2)
      // The hits that follow read no database at all.
      expect((await read(tape)).body).toBe(tapeRes.body)
      expect(await routed(cached, 'replica')).toBe(onReplica + 2)
      expect(await routed(cached, 'primary')).toBe(onPrimary + 1)
    })

    it('fills from the primary while replay is paused: a miss after a trade shows it, under the new ETag', async () => {
      const reads = cached.ctx.reads
      const market = await newMarket(cached, alice)
      const tape = `/v1/markets/${market.id}/trades`
      const read = (url: string) => cached.app.inject({ method: 'GET', url })
      const before = await read(tape)
      expect(before.json().items).toHaveLength(0)
      await pair.caughtUp()

      await pair.pauseReplay()
      try {
        await trade(cached, alice, market.id)
        const onPrimary = await routed(cached, 'primary')
        const onReplica = await routed(cached, 'replica')
        // Checks go on (the replica is within the 60 s bound) but never see it past the trade.
        for (let i = 0; i < 3; i++) await reads?.check()
        expect(reads?.state().usable).toBe(true)
        const after = await read(tape)
        expect(after.json().items).toHaveLength(1)
        expect(after.headers.etag).not.toBe(before.headers.etag)
        expect(await routed(cached, 'primary')).toBe(onPrimary + 1)
        expect(await routed(cached, 'replica')).toBe(onReplica)
        // Another view of the same version, after more checks: still the primary, still the trade.
        await reads?.check()
        const snapshot = await read(`/v1/markets/${market.id}`)
        expect(snapshot.json().volume).toBe(await volume(loose, market.id, alice))
        expect(await routed(cached, 'primary')).toBe(onPrimary + 2)
        // What the replica itself has: not the trade (so a replica fill would have been stale).
        const [row] = await pair.onReplica<{ n: number }>(
          `select count(*)::int as n from public.trades where market_id = '${market.id}'`,
        )
        expect(row?.n).toBe(0)
        // The kept body is the trade's, hit again under the same ETag.
        const again = await read(tape)
        expect(again.headers.etag).toBe(after.headers.etag)
        expect(again.json().items).toHaveLength(1)
      } finally {
        await pair.resumeReplay()
      }
      await pair.caughtUp()
    })

    it('answers public reads from the primary when the replica is stopped, and uses it again once back', async () => {
      const market = await newMarket(loose, alice)
      await trade(loose, alice, market.id)
      const truth = await volume(loose, market.id, alice)
      await pair.caughtUp()
      await loose.ctx.reads?.check()
      expect(loose.ctx.reads?.state().usable).toBe(true)

      await pair.stopReplica()
      try {
        // Before any check has noticed: the read fails on the replica and runs on the primary.
        const failedOver = await fallbacks(loose)
        expect(await volume(loose, market.id)).toBe(truth)
        expect(await tapeLength(loose, market.id)).toBe(1)
        expect(await fallbacks(loose)).toBeGreaterThan(failedOver)
        // The tight app's checks see the replica gone and stop sending reads to it.
        await waitUntil(() => tight.ctx.reads?.state().usable === false, 'the stopped replica left')
        const onPrimary = await routed(tight, 'primary')
        expect(await volume(tight, market.id)).toBe(truth)
        expect(await routed(tight, 'primary')).toBe(onPrimary + 1)
      } finally {
        await pair.startReplica()
      }
      await pair.caughtUp()
      await waitUntil(() => tight.ctx.reads?.state().usable === true, 'the restarted replica used again')
      expect(await volume(tight, market.id)).toBe(truth)
    })
  })
}
