/** What both stores (memory.ts, redis.ts) provide; index.ts picks one by configuration. */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number
}

/**
 * Named version vectors (the read cache's: src/infra/cache/read-cache.ts), each a set of
 * numeric fields that only ever rise, and the epoch they are read under. The epoch is created
 * when absent, so a store that lost its data (a Redis restarted empty) starts a new epoch and
 * nothing cached under the old one matches again.
 */
export interface VersionRead {
  epoch: string
  /** Each name's fields, in the order asked. */
  fields: Record<string, string>[]
}

export interface Store {
  readonly kind: 'memory' | 'redis'
  /**
   * Counts one hit on `key` in a fixed window of `windowMs` that starts with the key's first
   * hit. Atomic across instances (Redis) or within the process (memory).
   */
  hit(key: string, windowMs: number): Promise<WindowCount>
  get(key: string): Promise<string | undefined>
  set(key: string, value: string, ttlMs: number): Promise<void>
  delete(key: string): Promise<void>
  /** A round trip to the store (Redis: PING); throws when it does not answer. */
  ping(): Promise<void>
  /** The epoch (set to `newEpoch` when absent) and the fields of one or two names, in one round trip. */
  readVersions(names: readonly [string] | readonly [string, string], newEpoch: string): Promise<VersionRead>
  /** Raises each of `fields` of `name` to at least its value (a lower value changes nothing). */
  raiseVersion(name: string, fields: Readonly<Record<string, number>>): Promise<void>
  /** Adds one to `field` of `name`. */
  incrementVersion(name: string, field: string): Promise<void>
  setEpoch(epoch: string): Promise<void>
  close(): Promise<void>
}
