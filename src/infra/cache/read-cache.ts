/**
 * The read cache: response bodies kept under the version of what they show, never under a
 * timer. A body is looked up by its key and the current token of the versions it depends on
 * (a market's, the list's): a commit that changes the market raises its version, the token
 * changes, and the old body is never served again. Two tiers: a bounded LRU in the process,
 * and, with Redis, the bodies and the versions shared by every process behind the balancer.
 *
 * Why versions read from Redis on every request, rather than pub/sub invalidation: a writer
 * raises the version in Redis before its response is sent, so any process that reads the
 * version afterwards (the trader's next request, wherever the balancer sends it) sees it;
 * pub/sub delivers to the other processes at some later moment, and would need a
 * read-your-writes guard on top. The price is one Redis round trip per cached read (the
 * version and the epoch in one script call): measured in bench/README.md.
 *
 * Fail-open: Redis commands of this cache time out after READ_CACHE_TIMEOUT_MS; a read that
 * cannot get its token goes to the database (counted `error`), never to a 500. A version
 * that could not be raised (Redis away at that moment) leaves Redis behind the database, so
 * the first successful read afterwards starts a new epoch, which orphans every entry, before
 * anything is served from the cache again. Entries also expire (ENTRY_TTL_MS) as a backstop
 * for the case this process cannot cover: it died between a failed raise and Redis's return.
 * Version keys have no TTL and bodies do: run Redis with a `volatile-*` maxmemory-policy (or
 * `noeviction`), so memory pressure evicts bodies, never a version (one evicted would start
 * again from nothing, and an older body could match it).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { Store } from './store.js'

export type CacheResult = 'hit' | 'miss' | 'stale' | 'error'

/** Bodies older than this are dropped whatever their version (see the backstop above). */
const ENTRY_TTL_MS = 10 * 60_000

export interface ReadCache {
  /** False when turned off, or while invalidations may be missed (see suspend). */
  readonly enabled: boolean
  /**
   * The token of `names`' versions now (an opaque string), or undefined when it cannot be known
   * (the cache is off, or the store failed: counted `error` under `cache`): read the database.
   */
  token(cache: string, names: readonly [string] | readonly [string, string]): Promise<string | undefined>
  /**
   * A `performance.now()` time after the commits that raised the versions `names` had in
   * `token` (see OBSERVED below), or undefined when this process has not read them: what a fill
   * compares with the replica's freshness (ReadRouting.fillDb). The names are needed: a token
   * holds values only, and two markets' can be equal.
   */
  observedAt(names: readonly string[], token: string): number | undefined
  /** The body kept for `key` under `token`; counts hit, stale (kept under an older token) or miss. */
  lookup(cache: string, key: string, token: string): Promise<string | undefined>
  /**
   * The body this process keeps for `key` under the versions' current token (as UTF-8), with the token;
   * undefined otherwise, or when the versions cannot be read. Counts nothing: the fast lane
   * (http/fast-reads.ts) counts the hit it serves with `hit`, and whatever it does not serve
   * goes the whole way (token, lookup), which counts it.
   */
  peek(
    cache: string,
    key: string,
    names: readonly [string] | readonly [string, string],
  ): Promise<{ token: string; bytes: Buffer } | undefined>
  /** Counts a hit served from what `peek` returned. */
  hit(cache: string): void
  /** Keeps `body` for `key` under `token` (the token read before the database was). */
  keep(cache: string, key: string, token: string, body: string): void
  /** Raises fields of a version (after the commit that changed them); never throws. */
  raise(name: string, fields: Readonly<Record<string, number>>, caches: readonly string[]): Promise<void>
  /** Adds one to a counter version (a list's); never throws. */
  increment(name: string, caches: readonly string[]): Promise<void>
  /** Off until resume(): invalidations may be missed meanwhile (the database listener is down). */
  suspend(): void
  /** On again, under a new epoch (whatever was missed while suspended is orphaned). */
  resume(): Promise<void>
  /** What a writer awaits before answering, so its own next read sees its change (set by attach). */
  settled(): Promise<void>
  /** What keeps the versions right (the database listener): its barrier, and its close. */
  attach(parts: { settled: () => Promise<void>; close: () => Promise<void> }): void
  close(): Promise<void>
}

export interface ReadCacheOptions {
  /** The versions and, when shared (Redis), the second tier of bodies. */
  store: Store
  metrics: Metrics
  log: Logger
  enabled: boolean
  maxBytes: number
  /**
   * The cached views' names: their series start at 0, so a rate or a hit ratio is defined before
   * the first hit and the number of series does not grow with traffic.
   */
  caches?: readonly string[]
  now?: () => number
}

interface Entry {
  token: string
  body: string
  /** The body as UTF-8, made on the first peek: the fast lane writes it without encoding it again. */
  bytes?: Buffer
  expiresAt: number
}

const newEpoch = () => randomBytes(6).toString('base64url')

/**
 * OBSERVED: when this process first read each version's current value, on the monotonic clock
 * (performance.now(), the replica tracker's too). Why that time follows the commit: a version
 * value is only ever written to the store after the commit that raised it (trades raise after
 * COMMIT; other changes arrive by NOTIFY, sent at commit; another process raised what Redis
 * holds after its commit, too), and this process read the value after it was written. So the
 * end of the read that first returned a value is an upper bound of that value's commit time,
 * whichever process raised it; a later observation of the same value only loosens the bound, so
 * the first one is kept. The epoch is part of what is observed: a new epoch (after a raise that
 * failed, or missed notifications) is observed anew, after whatever it covers for.
 * Bounded: past MAX_OBSERVED names the oldest go, and a value read again is observed later
 * (later is always safe: it only sends a fill to the primary).
 */
const MAX_OBSERVED = 100_000

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const { store, log } = options
  const now = options.now ?? Date.now
  const shared = store.kind === 'redis'
  const requests = options.metrics.counter({
    name: 'dm_cache_requests_total',
    help: 'Read-cache lookups by cached view and result (hit, miss, stale: kept under an older version, error: store unavailable, read from the database)',
    labelNames: ['cache', 'result'],
  })
  const invalidations = options.metrics.counter({
    name: 'dm_cache_invalidations_total',
    help: 'Version raises that invalidate entries of a cached view (one per committed change, not per entry)',
    labelNames: ['cache'],
  })
  for (const cache of options.caches ?? []) {
    for (const result of ['hit', 'miss', 'stale', 'error'] satisfies CacheResult[])
      requests.inc({ cache, result }, 0)
    invalidations.inc({ cache }, 0)
  }
  const local = new Map<string, Entry>()
  let bytes = 0
  let enabled = options.enabled
  let suspended = false
  /** A raise failed: Redis may be behind the database until a new epoch is set. */
  let behind = false
  let barrier: () => Promise<void> = async () => {}
  let detach: () => Promise<void> = async () => {}
  let lastErrorLog = 0
  const clock = () => performance.now()
  /** name → the epoch and fields last read, and when they were first read (OBSERVED). */
  const observed = new Map<string, { seen: string; at: number }>()
  /** names and token → the latest observation among the names; recent reads only. */
  const tokenAt = new Map<string, number>()
  const remember = <K, V>(map: Map<K, V>, key: K, value: V) => {
    map.set(key, value)
    if (map.size > MAX_OBSERVED) map.delete(map.keys().next().value as K)
  }
  /**
   * The epoch a store without one adopts: made ahead, and anew only once adopted (the next store
   * without an epoch, Redis flushed, must get another), so reading the versions (every cached
   * GET) draws no random bytes.
   */
  let candidateEpoch = newEpoch()
  const readVersions = async (names: readonly [string] | readonly [string, string]) => {
    const read = await store.readVersions(names, candidateEpoch)
    if (read.epoch === candidateEpoch) candidateEpoch = newEpoch()
    return read
  }
  const fieldsText = (fields: Record<string, string>) => {
    let text = ''
    for (const field of Object.keys(fields).sort()) text += `${field}${fields[field]}.`
    return text
  }
  /** Records `seen` (epoch and fields) of `name` as read at `at`, unless read before; its first time. */
  const observe = (name: string, seen: string, at: number): number => {
    let last = observed.get(name)
    if (last?.seen !== seen) {
      last = { seen, at }
      observed.delete(name)
      remember(observed, name, last)
    }
    return last.at
  }
  /**
   * After this process raised `name`: reads its value back, so that it is observed right after
   * the raise rather than at the first read for it (which is the first fill, too late for a
   * check to have seen the replica past it). Not awaited: the writer's answer does not wait for
   * it, and a read that comes first observes the value itself. One store round trip per raise.
   */
  const observeRaised = (name: string) => {
    if (!enabled || suspended || behind) return
    readVersions([name])
      .then((read) => observe(name, `${read.epoch}|${fieldsText(read.fields[0] ?? {})}`, clock()))
      .catch(() => {})
  }

  /**
   * In process (no Redis), every version this cache serves is raised by this process, through
   * raise/increment: a token read once stays the token until one of them (or a new epoch) runs,
   * so it is kept, and a hit costs no version read (with Redis, other processes raise versions,
   * and every read asks Redis: see the top). `generation` counts the changes; a token read
   * across one is not kept (it may be from before the change).
   */
  const tokens = shared ? undefined : new Map<string, string>()
  let generation = 0
  const changed = () => {
    generation++
    tokens?.clear()
  }
  /** The token of `names`' versions now (see OBSERVED for the bookkeeping); throws when the store fails. */
  const currentToken = async (names: readonly [string] | readonly [string, string]): Promise<string> => {
    const tokenKey = names.length === 1 ? names[0] : names.join('\n')
    const kept = tokens?.get(tokenKey)
    if (kept !== undefined) return kept
    const before = generation
    const read = await readVersions(names)
    const at = clock()
    let token = read.epoch
    let latest = Number.NEGATIVE_INFINITY
    read.fields.forEach((fields, i) => {
      const seen = fieldsText(fields)
      token += `|${seen}`
      latest = Math.max(latest, observe(names[i] as string, `${read.epoch}|${seen}`, at))
    })
    const seenKey = `${names.join('\n')}\n${token}`
    if (!tokenAt.has(seenKey)) remember(tokenAt, seenKey, latest)
    if (tokens && generation === before) remember(tokens, tokenKey, token)
    return token
  }

  const count = (cache: string, result: CacheResult) => requests.inc({ cache, result })
  const failed = (error: unknown, what: string) => {
    if (now() - lastErrorLog > 60_000) {
      lastErrorLog = now()
      log.warn({ err: error, store: store.kind }, `read cache: ${what} failed; reading the database`)
    }
  }

  const drop = (key: string) => {
    const entry = local.get(key)
    if (!entry) return
    local.delete(key)
    bytes -= entry.body.length + key.length + (entry.bytes?.length ?? 0)
  }
  const put = (key: string, token: string, body: string) => {
    drop(key)
    local.set(key, { token, body, expiresAt: now() + ENTRY_TTL_MS })
    bytes += body.length + key.length
    evict()
  }
  /** Least recently used first (Map order is insertion order, refreshed on every hit) until within budget. */
  const evict = () => {
    for (const oldest of local.keys()) {
      if (bytes <= options.maxBytes) break
      drop(oldest)
    }
  }

  async function newEpochNow(): Promise<void> {
    const set = store.setEpoch(newEpoch())
    changed()
    await set
    changed()
    local.clear()
    bytes = 0
  }

  return {
    get enabled() {
      return enabled && !suspended
    },
    async token(cache, names) {
      if (!enabled || suspended) {
        if (enabled) count(cache, 'error')
        return undefined
      }
      try {
        if (behind) {
          await newEpochNow()
          behind = false
        }
        return await currentToken(names)
      } catch (error) {
        failed(error, 'reading versions')
        count(cache, 'error')
        return undefined
      }
    },
    async peek(cache, key, names) {
      if (!enabled || suspended || behind) return undefined
      const full = `${cache}:${key}`
      const entry = local.get(full)
      if (entry === undefined) return undefined
      const token = await currentToken(names).catch(() => undefined)
      if (token === undefined || entry.token !== token || entry.expiresAt <= now()) return undefined
      local.delete(full)
      local.set(full, entry)
      let encoded = entry.bytes
      if (encoded === undefined) {
        // Counted in the budget like the body: the entry (or an older one) may go for it.
        encoded = Buffer.from(entry.body)
        entry.bytes = encoded
        bytes += encoded.length
        evict()
      }
      return { token, bytes: encoded }
    },
    hit: (cache) => count(cache, 'hit'),
    observedAt: (names, token) => tokenAt.get(`${names.join('\n')}\n${token}`),
    async lookup(cache, key, token) {
      const full = `${cache}:${key}`
      const entry = local.get(full)
      if (entry && entry.token === token && entry.expiresAt > now()) {
        // Most recently used goes last.
        local.delete(full)
        local.set(full, entry)
        count(cache, 'hit')
        return entry.body
      }
      let result: CacheResult = entry ? 'stale' : 'miss'
      if (shared) {
        try {
          const kept = await store.get(`body:${full}`)
          const cut = kept?.indexOf('\n') ?? -1
          if (kept !== undefined && cut > 0 && kept.slice(0, cut) === token) {
            const body = kept.slice(cut + 1)
            put(full, token, body)
            count(cache, 'hit')
            return body
          }
        } catch (error) {
          failed(error, 'reading a body')
          result = 'error'
        }
      }
      count(cache, result)
      return undefined
    },
    keep(cache, key, token, body) {
      const full = `${cache}:${key}`
      put(full, token, body)
      if (shared)
        store
          .set(`body:${full}`, `${token}\n${body}`, ENTRY_TTL_MS)
          .catch((error) => failed(error, 'keeping a body'))
    },
    async raise(name, fields, caches) {
      try {
        // Forgotten as soon as the store has the new value, and again once the raise is done.
        const raised = store.raiseVersion(name, fields)
        changed()
        await raised
        changed()
        observeRaised(name)
      } catch (error) {
        behind = true
        failed(error, 'raising a version')
      }
      for (const cache of caches) invalidations.inc({ cache })
    },
    async increment(name, caches) {
      try {
        const incremented = store.incrementVersion(name, 'n')
        changed()
        await incremented
        changed()
        observeRaised(name)
      } catch (error) {
        behind = true
        failed(error, 'raising a version')
      }
      for (const cache of caches) invalidations.inc({ cache })
    },
    suspend() {
      suspended = true
      changed()
      local.clear()
      bytes = 0
    },
    async resume() {
      try {
        await newEpochNow()
      } catch (error) {
        behind = true
        failed(error, 'starting an epoch')
      }
      suspended = false
    },
    settled: () => barrier(),
    attach(parts) {
      barrier = parts.settled
      detach = parts.close
    },
    async close() {
      enabled = false
      await detach()
      local.clear()
      bytes = 0
      await store.close()
    },
  }
}

/** A weak ETag for a token: short, and opaque (the token names the store's epoch). */
/** Recent tokens' ETags: a hot market's token is asked for on every read until its next trade. */
const etags = new Map<string, string>()
const MAX_ETAGS = 4096

export function etagOf(token: string): string {
  let etag = etags.get(token)
  if (etag === undefined) {
    etag = `W/"${createHash('sha1').update(token).digest('base64url').slice(0, 20)}"`
    etags.set(token, etag)
    if (etags.size > MAX_ETAGS) etags.delete(etags.keys().next().value as string)
  }
  return etag
}
