/**
 * Public reads on a streaming replica, within a bound on how stale they may be.
 *
 * What goes where is decided above (http/read-target.ts): public reads of anonymous callers
 * ask `publicDb()`; everything else (writes, trades, a signed-in caller's reads) uses the
 * primary directly. This module only answers "may a public read go to the replica now?".
 *
 * How lag is known, cheaply: every `intervalMs` (a quarter of the bound) one check samples the
 * primary's WAL position (`pg_current_wal_insert_lsn()`) with the time it was taken, then the
 * replica's replayed position. A commit acknowledged before a sample lies below that sample's LSN, so once
 * the replica has replayed past it, the replica holds every commit made before the sample's
 * time: `heldAt`. A public read may go to the replica while `now - heldAt <= maxLagMs`. This is a
 * bound on staleness, not an estimate: `pg_last_xact_replay_timestamp()` would grow on an idle
 * primary and say nothing of a replica that stopped receiving; an LSN comparison does both right
 * (an idle primary's LSN stays put, so a replica that replayed it stays fresh). The decision per
 * query is a comparison of two numbers; the checks cost two one-row queries per interval. The
 * primary's sample waits for a connection of the primary's pool like any query: a saturated pool
 * delays checks, the replica ages out, and reads go to the primary. That errs towards fresh
 * reads over offloading; a check connection of its own would be the next step if it shows.
 *
 * Read-cache fills (`fillDb`): a body kept under a version must show that version's commits,
 * which a replica within the bound may not have replayed yet. heldAt decides it without a
 * round trip: the read cache knows when this process first read the version (observedAt, after
 * its commits: infra/cache/read-cache.ts), and heldAt > observedAt means the replica holds them.
 * A hot market's fills thus move to the replica one check after each trade, instead of always
 * loading the primary.
 *
 * Falling back: a replica that lags, whose replay is paused, that cannot be reached, or whose
 * check has not answered within the bound, simply ages past the bound and reads go to the
 * primary until a check sees it caught up again. A read that fails on the replica because it is
 * unavailable (or cancelled by a recovery conflict) is run again on the primary at once: a public
 * read never answers 500 because of the replica.
 */
import { type Database, type Queryable, sql, type Transaction, type TransactionOptions } from './database.js'
import { DatabaseError } from './errors.js'

export type ReadTarget = 'replica' | 'primary'

export interface ReplicaState {
  /** Whether public reads go to the replica now. */
  readonly usable: boolean
  /** How far behind the replica is known to be at most, in ms (undefined: never seen caught up). */
  readonly lagMs: number | undefined
  /**
   * The replica holds every commit acknowledged before this time (the `now` clock:
   * performance.now() by default); -Infinity: never seen caught up.
   */
  readonly heldAt: number
}

export interface ReadRouting {
  /** The writer; every read that must see the latest commit. */
  readonly primary: Database
  /** Whether a replica is configured at all. */
  readonly hasReplica: boolean
  /**
   * Where a public read goes now: the replica while it is within the lag bound (a read that
   * fails there runs again on the primary), else the primary.
   */
  publicDb(): Database
  /**
   * Where a read-cache fill goes (counted like a public read): the replica when it is within the
   * lag bound and holds every commit made before `observedAt` (a performance.now() time after
   * the commits behind the version being filled: ReadCache.observedAt), else the primary.
   */
  fillDb(observedAt: number | undefined): Database
  state(): ReplicaState
  /** Runs a check now (tests, and the first one at start). */
  check(): Promise<ReplicaState>
  /** Stops the checks and closes the replica's pool (never the primary's). */
  close(): Promise<void>
}

export interface ReadRoutingOptions {
  primary: Database
  /** Absent: every read on the primary. */
  replica?: Database
  maxLagMs: number
  /** Between checks; a quarter of the bound by default, so a healthy replica never ages out. */
  intervalMs?: number
  /** The clock of heldAt; performance.now() by default, the read cache's observation clock. */
  now?: () => number
  /** Told of each public read's target (metrics). */
  onRoute?: (target: ReadTarget) => void
  /** Told of each read that failed on the replica and ran again on the primary. */
  onFallback?: (error: unknown) => void
  /** Told of each check's outcome (metrics, logs); must not throw. */
  onCheck?: (state: ReplicaState, error?: unknown) => void
}

// The insert position, not the write or flush one: a commit acknowledged with
// synchronous_commit=off may not be written yet, but it has been inserted. On an idle primary
// the three are equal (measured on the test's pair), so a caught-up replica is seen as one.
const PrimaryLsn = sql<{ lsn: string }>(
  'ReplicaCheckPrimaryLsn',
  'select pg_current_wal_insert_lsn()::text as lsn',
)
const ReplayLsn = sql<{ lsn: string | null }>(
  'ReplicaCheckReplayLsn',
  'select pg_last_wal_replay_lsn()::text as lsn',
)

/** `X/Y` (two hex words) as one number that orders like the LSN. */
export function parseLsn(text: string): bigint {
  const [hi, lo] = text.split('/')
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`)
}

/** Samples kept while the replica is behind; past this, the oldest go (it stays unusable). */
const MAX_SAMPLES = 1_000

export function createReadRouting(options: ReadRoutingOptions): ReadRouting {
  const { primary, replica, maxLagMs } = options
  // Monotonic: heldAt is compared with the read cache's observation times, and a wall clock
  // stepped back would make a sample look later than a version observed after it.
  const now = options.now ?? (() => performance.now())
  if (!replica) {
    const none: ReplicaState = { usable: false, lagMs: undefined, heldAt: Number.NEGATIVE_INFINITY }
    return {
      primary,
      hasReplica: false,
      publicDb: () => primary,
      fillDb: () => primary,
      state: () => none,
      check: async () => none,
      close: async () => {},
    }
  }
  const standby: Database = replica
  const intervalMs = options.intervalMs ?? Math.max(10, Math.floor(maxLagMs / 4))
  /** The replica holds every commit acknowledged before this time (ms); -Infinity: unknown. */
  let heldAt = Number.NEGATIVE_INFINITY
  const samples: { at: number; lsn: bigint }[] = []

  const state = (): ReplicaState => {
    const lagMs = heldAt === Number.NEGATIVE_INFINITY ? undefined : Math.max(0, now() - heldAt)
    return { usable: lagMs !== undefined && lagMs <= maxLagMs, lagMs, heldAt }
  }

  let running: Promise<ReplicaState> | undefined
  async function runCheck(): Promise<ReplicaState> {
    try {
      const at = now()
      const { lsn: primaryLsn } = await primary.one(PrimaryLsn)
      samples.push({ at, lsn: parseLsn(primaryLsn) })
      if (samples.length > MAX_SAMPLES) samples.shift()
      const { lsn: replayText } = await standby.one(ReplayLsn)
      // null: not a standby (or not replaying yet); it proves nothing about freshness.
      if (replayText !== null) {
        const replayed = parseLsn(replayText)
        // The newest sample the replica has passed; older ones are no longer needed.
        let found = -1
        for (let i = samples.length - 1; i >= 0; i--) {
          if ((samples[i] as { lsn: bigint }).lsn <= replayed) {
            found = i
            break
          }
        }
        if (found >= 0) {
          heldAt = Math.max(heldAt, (samples[found] as { at: number }).at)
          samples.splice(0, found)
        }
      }
      const result = state()
      options.onCheck?.(result)
      return result
    } catch (error) {
      const result = state()
      options.onCheck?.(result, error)
      return result
    }
  }
  const check = () => {
    running ??= runCheck().finally(() => {
      running = undefined
    })
    return running
  }

  const timer = setInterval(() => void check(), intervalMs)
  timer.unref()

  const onReplica = fallingBack(replica, primary, (error) => options.onFallback?.(error))
  return {
    primary,
    hasReplica: true,
    publicDb() {
      const target: ReadTarget = state().usable ? 'replica' : 'primary'
      options.onRoute?.(target)
      return target === 'replica' ? onReplica : primary
    },
    fillDb(observedAt) {
      // heldAt > observedAt: the commits behind the version were acknowledged before observedAt,
      // so before the sample of heldAt, whose LSN the replica replayed. Within the bound as well,
      // so that a replica that stopped answering is not tried first by every fill.
      const fresh = observedAt !== undefined && heldAt > observedAt && state().usable
      const target: ReadTarget = fresh ? 'replica' : 'primary'
      options.onRoute?.(target)
      return fresh ? onReplica : primary
    },
    state,
    check,
    async close() {
      clearInterval(timer)
      await running
      await replica.close()
    },
  }
}

/** Whether a failure on the replica is the replica's (run the read on the primary instead). */
function replicasFault(error: unknown): boolean {
  // unavailable: down, restarting, refusing; retryable: a query cancelled by a recovery
  // conflict (the standby replaying a change that removes rows the query still needed).
  return error instanceof DatabaseError && (error.failure === 'unavailable' || error.failure === 'retryable')
}

/**
 * The replica as a Database whose reads run again on the primary when the replica fails.
 * Only read-only work is routed here, so running it twice is harmless.
 */
function fallingBack(replica: Database, primary: Database, onFallback: (error: unknown) => void): Database {
  const attempt = async <T>(run: (db: Queryable) => Promise<T>): Promise<T> => {
    try {
      return await run(replica)
    } catch (error) {
      if (!replicasFault(error)) throw error
      onFallback(error)
      return run(primary)
    }
  }
  return {
    many: (query, values) => attempt((db) => db.many(query, values)),
    one: (query, values) => attempt((db) => db.one(query, values)),
    maybeOne: (query, values) => attempt((db) => db.maybeOne(query, values)),
    execute: (query, values) => attempt((db) => db.execute(query, values)),
    executeSql: (text, values) => attempt((db) => db.executeSql(text, values)),
    async withTransaction<T>(fn: (tx: Transaction) => Promise<T>, txOptions?: TransactionOptions) {
      try {
        return await replica.withTransaction(fn, txOptions)
      } catch (error) {
        if (!replicasFault(error)) throw error
        onFallback(error)
        return primary.withTransaction(fn, txOptions)
      }
    },
    ping: () => replica.ping(),
    // Owned by the routing (close()), never closed through this view.
    close: async () => {},
    pool: replica.pool,
  }
}
