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
  const versions = new Map<string, Map<string, number>>()
  let epoch: string | undefined
  const fieldsOf = (name: string) => {
    let fields = versions.get(name)
    if (!fields) {
      fields = new Map()
      versions.set(name, fields)
    }
    return fields
  }

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
    async readVersions(names, newEpoch) {
      epoch ??= newEpoch
      return {
        epoch,
        fields: names.map((name) =>
          Object.fromEntries([...(versions.get(name) ?? [])].map(([k, v]) => [k, String(v)])),
        ),
      }
    },
    async raiseVersion(name, raised) {
      const fields = fieldsOf(name)
      for (const [field, value] of Object.entries(raised))
        if (value > (fields.get(field) ?? -1)) fields.set(field, value)
    },
    async incrementVersion(name, field) {
      const fields = fieldsOf(name)
      fields.set(field, (fields.get(field) ?? 0) + 1)
    },
    async setEpoch(value) {
      epoch = value
    },
    async close() {
      entries.clear()
      versions.clear()
    },
  }
}
