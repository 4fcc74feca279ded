/** The in-process Store: a map of values with expiry times, swept as it is used. */
import type { Store } from './store.js'

interface Entry {
  value: string
  expiresAt: number
}

/** Beyond this many keys, every write first drops the expired ones. */
const SWEEP_THRESHOLD = 10_000

export function createMemoryStore(now: () => number = Date.now): Store {
  const entries = new Map<string, Entry>()

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const sweep = () => {
    if (entries.size < SWEEP_THRESHOLD) return
    const t = now()
    for (const [key, entry] of entries) if (entry.expiresAt <= t) entries.delete(key)
  }

  return {
    kind: 'memory',
    async hit(key, windowMs) {
      const entry = live(key)
      if (!entry) {
        sweep()
        entries.set(key, { value: '1', expiresAt: now() + windowMs })
        return { count: 1, resetInMs: windowMs }
      }
      const count = Number(entry.value) + 1
      entry.value = String(count)
      return { count, resetInMs: Math.max(0, entry.expiresAt - now()) }
    },
    async get(key) {
      return live(key)?.value
    },
    async set(key, value, ttlMs) {
      sweep()
      entries.set(key, { value, expiresAt: now() + ttlMs })
    },
    async delete(key) {
      entries.delete(key)
    },
    async ping() {},
    async close() {
      entries.clear()
    },
  }
}
