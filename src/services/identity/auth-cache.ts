/**
 * The principals this process has authenticated, so that a busy client's requests skip the
 * token's signature check and the query of the user's state. Keyed by the SHA-256 of the
 * credential (a heap dump shows no token), bounded (least recently used goes first), each entry
 * kept until the token expires or a short safety-net TTL, whichever comes first.
 *
 * Entries are dropped by user id when the database says something about that user changed
 * (suspension, sign-out, a role granted or revoked, an API key revoked: channel `dm_auth`, see
 * auth-listener.ts). While the listener is not connected the cache is off: a notification
 * missed then would leave a revoked credential working.
 */
import { createHash } from 'node:crypto'
import type { Principal } from '../../domain/identity/principal.js'

export interface AuthCacheOptions {
  /**
   * Resolves once every invalidation committed before the call has been applied (rejects if
   * that cannot be known). Awaited before a hit is served, so a revocation committed before a
   * request arrived, on any process, is never answered from the cache.
   */
  barrier?: () => Promise<void>
  /** Largest number of entries; the least recently used is dropped beyond it. */
  maxEntries?: number
  /**
   * Longest life of an entry, whatever the credential's own expiry: a safety net measured on
   * the process's wall clock (Date.now), not the injected clock, which only says when
   * credentials expire.
   */
  ttlMs?: number
}

interface Entry {
  principal: Principal
  /** Injected-clock ms: the credential's own end. */
  expiresAt: number
  /** Date.now() ms: the end of the TTL. */
  staleAt: number
}

export interface AuthCache {
  /** The cached principal of a credential, if it is cached and not expired at `now`. */
  get(credential: string, now: number): Principal | undefined
  /** As get, after the barrier: undefined too when the barrier fails. */
  lookup(credential: string, now: () => number): Promise<Principal | undefined>
  /**
   * Caches a principal until `expiresAt` (ms on the same clock as `now`), and for the TTL at most;
   * not at all if anything was dropped since `generation` was read (before the database was
   * asked): that answer may predate the revocation that dropped it.
   */
  set(credential: string, principal: Principal, generation: number, now: number, expiresAt?: number): void
  /** Counts drops; read it before looking the credential up in the database. */
  readonly generation: number
  /** Drops every entry of a user. */
  dropUser(userId: string): void
  clear(): void
  /** Whether entries may be served and stored (false while invalidations could be missed). */
  enabled: boolean
  readonly size: number
}

export const DEFAULT_MAX_ENTRIES = 10_000
export const DEFAULT_TTL_MS = 60_000

function keyOf(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('base64url')
}

export function createAuthCache(options: AuthCacheOptions = {}): AuthCache {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least
  // recently used one.
  const entries = new Map<string, Entry>()
  const byUser = new Map<string, Set<string>>()

  function remove(key: string, entry: Entry) {
    entries.delete(key)
    const keys = byUser.get(entry.principal.userId)
    if (keys) {
      keys.delete(key)
      if (keys.size === 0) byUser.delete(entry.principal.userId)
    }
  }

  let generation = 0
  const cache: AuthCache = {
    enabled: true,
    get generation() {
      return generation
    },
    get size() {
      return entries.size
    },
    get(credential, now) {
      if (!cache.enabled) return undefined
      const key = keyOf(credential)
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expiresAt <= now || entry.staleAt <= Date.now()) {
        remove(key, entry)
        return undefined
      }
      entries.delete(key)
      entries.set(key, entry)
      return entry.principal
    },
    async lookup(credential, now) {
      if (!cache.get(credential, now())) return undefined
      if (options.barrier) {
        try {
          await options.barrier()
        } catch {
          return undefined
        }
      }
      // Again: the barrier may have brought the notification that drops it.
      return cache.get(credential, now())
    },
    set(credential, principal, seen, now, expiresAt) {
      if (!cache.enabled || maxEntries <= 0 || seen !== generation) return
      const key = keyOf(credential)
      const until = expiresAt ?? Number.POSITIVE_INFINITY
      if (until <= now || ttlMs <= 0) return
      const previous = entries.get(key)
      if (previous) remove(key, previous)
      while (entries.size >= maxEntries) {
        const oldest = entries.entries().next().value as [string, Entry]
        remove(oldest[0], oldest[1])
      }
      entries.set(key, { principal, expiresAt: until, staleAt: Date.now() + ttlMs })
      let keys = byUser.get(principal.userId)
      if (!keys) {
        keys = new Set()
        byUser.set(principal.userId, keys)
      }
      keys.add(key)
    },
    dropUser(userId) {
      generation++
      const keys = byUser.get(userId)
      if (!keys) return
      for (const key of keys) entries.delete(key)
      byUser.delete(userId)
    },
    clear() {
      generation++
      entries.clear()
      byUser.clear()
    },
  }
  return cache
}
