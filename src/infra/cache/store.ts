/** What both stores (memory.ts, redis.ts) provide; index.ts picks one by configuration. */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number
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
  close(): Promise<void>
}
