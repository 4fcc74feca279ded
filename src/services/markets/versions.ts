/**
 * The versions of what markets show, as the read cache (infra/cache/read-cache.ts) and the
 * ETags use them. They come from the database, in the transaction that changes the market, so
 * the realtime feed can number its events with the same values:
 *
 * - `market:<id>`: field `r` is the market row's revision (bumped by every update and every
 *   lock of the row: supabase/migrations/*_market_revisions.sql), field `b<index>` is branch
 *   <index>'s trade number (market_branches.version, each trade's branch_seq). A market's
 *   snapshot, history and tape depend on these alone.
 * - `markets`: a counter every committed change of any market adds one to (the lists show
 *   prices and volumes, so every trade changes them).
 * - `profiles`: a counter of username changes (the tape shows usernames).
 *
 * Trades raise their branches' numbers themselves after commit, before the trader's response
 * (services/trading/batcher.ts). Everything else notifies the database channel
 * dm_read_versions at commit; every API process listens and raises, and a writer's response
 * waits for its own notification (`settled`, through the listener's sync) so that its next
 * read, on any process, sees its change.
 */
import type { AppContext } from '../../context.js'
import { startListener } from '../../db/listener.js'
import type { ReadCache } from '../../infra/cache/read-cache.js'

/** The cached views (bounded label values of dm_cache_*). */
export const CACHES = { market: 'market', list: 'market_list', history: 'history', tape: 'tape' } as const

export const VERSIONS_CHANNEL = 'dm_read_versions'
export const LIST_VERSION = 'markets'
export const PROFILES_VERSION = 'profiles'
export const marketVersion = (marketId: string) => `market:${marketId}`

const MARKET_CACHES = [CACHES.market, CACHES.history, CACHES.tape]

/** A branch's trade number as of a commit. */
export interface CommittedBranch {
  marketId: string
  branchIndex: number
  seq: bigint
}

/** After a trade batch commits: raises each branch's number, then the lists' counter. */
export async function tradesCommitted(
  readCache: ReadCache,
  branches: readonly CommittedBranch[],
): Promise<void> {
  if (branches.length === 0) return
  const byMarket = new Map<string, Record<string, number>>()
  for (const b of branches) {
    const fields = byMarket.get(b.marketId) ?? {}
    const seq = Number(b.seq)
    fields[`b${b.branchIndex}`] = Math.max(seq, fields[`b${b.branchIndex}`] ?? 0)
    byMarket.set(b.marketId, fields)
  }
  await Promise.all([
    ...[...byMarket].map(([id, fields]) => readCache.raise(marketVersion(id), fields, MARKET_CACHES)),
    readCache.increment(LIST_VERSION, [CACHES.list]),
  ])
}

/**
 * Listens on VERSIONS_CHANNEL and raises the versions it names. While the listener is down the
 * cache is suspended (a notification may be missed); once LISTEN is in place again (and at
 * the first start: a change committed while no process listened) it resumes under a new epoch.
 */
export function listenForVersions(ctx: Pick<AppContext, 'db' | 'log' | 'readCache'>): void {
  const { readCache } = ctx
  const pending = new Set<Promise<void>>()
  const track = (work: Promise<void>) => {
    pending.add(work)
    void work.finally(() => pending.delete(work))
  }
  readCache.suspend()
  const listener = startListener({
    connectionString: ctx.db.pool.options.connectionString as string,
    channel: VERSIONS_CHANNEL,
    applicationName: 'decision-markets read versions',
    onNotification(payload) {
      if (payload.startsWith('probe:')) return
      const market = /^market:([0-9a-f-]{36}):(\d+)$/.exec(payload)
      if (market) {
        track(
          Promise.all([
            readCache.raise(marketVersion(market[1] as string), { r: Number(market[2]) }, MARKET_CACHES),
            readCache.increment(LIST_VERSION, [CACHES.list]),
          ]).then(() => undefined),
        )
      } else if (payload === PROFILES_VERSION) {
        track(readCache.increment(PROFILES_VERSION, [CACHES.tape]))
      } else {
        // Something we cannot read may concern anything.
        track(readCache.resume())
      }
    },
    onListening() {
      track(readCache.resume())
    },
    onLost(error) {
      readCache.suspend()
      ctx.log.warn({ err: error }, 'read-version notifications missed: read cache off until reconnected')
    },
  })
  readCache.attach({
    async settled() {
      if (!listener.listening) return
      await listener.sync()
      await Promise.all(pending)
    },
    close: () => listener.close(),
  })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Slugs never change, so a slug seen once names its market for good. Bounded: cleared when full. */
const MAX_SLUGS = 50_000
const slugIds = new WeakMap<object, Map<string, string>>()

/** The id a market reference (id or slug) names, when known without the database. */
export function knownMarketId(ctx: object, ref: string): string | undefined {
  if (UUID.test(ref)) return ref.toLowerCase()
  return slugIds.get(ctx)?.get(ref)
}

export function learnMarketId(ctx: object, ref: string, id: string): void {
  if (UUID.test(ref)) return
  let ids = slugIds.get(ctx)
  if (!ids) {
    ids = new Map()
    slugIds.set(ctx, ids)
  }
  if (ids.size >= MAX_SLUGS) ids.clear()
  ids.set(ref, id)
}
