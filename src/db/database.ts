/**
 * Data access: named, parameterised queries over a `pg` pool, and transactions as callbacks.
 *
 * Queries are declared with `sql<Row>('Name', 'select …')` next to the module that uses them;
 * the name labels logs, errors and metrics, and doubles as the prepared-statement name so a hot
 * query is parsed once per connection (a direct or session-mode connection is assumed, as in
 * PRODUCT.md §2; transaction-mode poolers cannot keep prepared statements).
 */
import pg from 'pg'
import { DatabaseError, translateDatabaseError } from './errors.js'

export interface Query<Row> {
  readonly name: string
  readonly text: string
  /** Phantom field carrying the row type; never set. */
  readonly _row?: Row
}

export function sql<Row = Record<string, unknown>>(name: string, text: string): Query<Row> {
  return { name, text }
}

export interface Queryable {
  /** All rows. */
  many<Row>(query: Query<Row>, values?: readonly unknown[]): Promise<Row[]>
  /** Exactly one row, or the error `NoRowError`. */
  one<Row>(query: Query<Row>, values?: readonly unknown[]): Promise<Row>
  /** The first row or undefined. */
  maybeOne<Row>(query: Query<Row>, values?: readonly unknown[]): Promise<Row | undefined>
  /** Number of rows affected. */
  execute(query: Query<unknown>, values?: readonly unknown[]): Promise<number>
  /**
   * Unnamed SQL for libraries that bring their own (pg-boss joins our transaction through it).
   * Our own code declares queries with `sql()`.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

export interface Transaction extends Queryable {
  readonly kind: 'transaction'
}

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable'
  /**
   * Attempts when PostgreSQL reports a serialization failure or deadlock. The callback must be
   * safe to run again (everything it does happens inside the transaction being retried).
   */
  attempts?: number
  /**
   * Run with row-level security as a Supabase client would: the JWT claims are set for this
   * transaction only (`set_config(…, true)`), never session-wide, and the role switched with
   * SET LOCAL so the pooled connection goes back clean.
   */
  rls?: { role: 'anon' | 'authenticated' | 'service_role'; claims: Record<string, unknown> }
}

export interface Database extends Queryable {
  withTransaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>
  /** A round trip to the server; throws a DatabaseError('unavailable') if it cannot be reached. */
  ping(): Promise<void>
  close(): Promise<void>
  readonly pool: pg.Pool
}

export class NoRowError extends Error {
  constructor(readonly queryName: string) {
    super(`${queryName} returned no row`)
    this.name = 'NoRowError'
  }
}

// Money and shares are bigint micro-units: hand int8 (and numeric sums of them) to JS as bigint,
// never as a float. Must be installed before the first query parses a row.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => BigInt(value))
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => (/^-?\d+$/.test(value) ? BigInt(value) : value))

type PgClientLike = Pick<pg.PoolClient, 'query'>

/**
 * Told of every round trip, with the query's name (`unnamed` for SQL from libraries through
 * executeSql), its duration in seconds and whether it succeeded. Called on the query's path: it
 * must be cheap and must not throw (start-up wires it to a histogram).
 */
export type QueryObserver = (name: string, seconds: number, ok: boolean) => void

const UNNAMED = 'unnamed'

function makeQueryable(client: PgClientLike, observe: QueryObserver | undefined): Queryable {
  const run = async <Row>(query: Query<Row>, values: readonly unknown[] = []) => {
    const started = observe ? performance.now() : 0
    try {
      const result = await client.query({ name: query.name, text: query.text, values: values as unknown[] })
      observe?.(query.name, (performance.now() - started) / 1000, true)
      return result
    } catch (error) {
      observe?.(query.name, (performance.now() - started) / 1000, false)
      throw translateDatabaseError(error, query.name)
    }
  }
  return {
    async many<Row>(query: Query<Row>, values?: readonly unknown[]) {
      return (await run(query, values)).rows as Row[]
    },
    async one<Row>(query: Query<Row>, values?: readonly unknown[]) {
      const result = await run(query, values)
      if (result.rows.length === 0) throw new NoRowError(query.name)
      return result.rows[0] as Row
    },
    async maybeOne<Row>(query: Query<Row>, values?: readonly unknown[]) {
      return (await run(query, values)).rows[0] as Row | undefined
    },
    async execute(query: Query<unknown>, values?: readonly unknown[]) {
      return (await run(query, values)).rowCount ?? 0
    },
    async executeSql(text: string, values: unknown[] = []) {
      const started = observe ? performance.now() : 0
      try {
        const result = await client.query(text, values)
        observe?.(UNNAMED, (performance.now() - started) / 1000, true)
        return result
      } catch (error) {
        observe?.(UNNAMED, (performance.now() - started) / 1000, false)
        throw translateDatabaseError(error, 'ExternalSql')
      }
    },
  }
}

export interface DatabaseOptions {
  connectionString: string
  max: number
  statementTimeoutMs: number
  applicationName?: string
  onError?: (error: Error) => void
  /** Times every query (metrics); the database layer itself knows nothing of Prometheus. */
  onQuery?: QueryObserver
}

const SetRlsContext = sql(
  'SetRlsContext',
  `select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)`,
)

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName ?? 'decision-markets',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
  })
  // An idle client losing its connection (server restart) must not crash the process; the
  // next checkout gets a fresh connection and readiness reports the outage meanwhile.
  pool.on('error', (error) => options.onError?.(error))

  const observe = options.onQuery
  const poolQueryable = makeQueryable(pool, observe)
  // The transaction's own statements, timed under names of their own: COMMIT is where a group
  // commit waits for the WAL flush.
  const control = async (client: pg.PoolClient, name: string, text: string) => {
    const started = observe ? performance.now() : 0
    try {
      await client.query(text)
      observe?.(name, (performance.now() - started) / 1000, true)
    } catch (error) {
      observe?.(name, (performance.now() - started) / 1000, false)
      throw error
    }
  }

  async function withTransaction<T>(fn: (tx: Transaction) => Promise<T>, txOptions: TransactionOptions = {}) {
    const attempts = txOptions.attempts ?? 3
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (error) {
        throw translateDatabaseError(error, 'Connect')
      }
      let broken = false
      try {
        await control(
          client,
          'Begin',
          txOptions.isolation ? `begin isolation level ${txOptions.isolation}` : 'begin',
        )
        const tx: Transaction = { kind: 'transaction', ...makeQueryable(client, observe) }
        if (txOptions.rls) {
          await tx.execute(SetRlsContext, [JSON.stringify(txOptions.rls.claims), txOptions.rls.role])
        }
        const result = await fn(tx)
        await control(client, 'Commit', 'commit')
        return result
      } catch (error) {
        try {
          await control(client, 'Rollback', 'rollback')
        } catch {
          broken = true // the connection itself failed; do not hand it back to the pool
        }
        const translated = translateDatabaseError(error, 'Transaction')
        if (translated instanceof DatabaseError && translated.failure === 'retryable' && attempt < attempts) {
          // Jittered backoff so the transactions that collided do not collide again.
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10 * attempt))
          continue
        }
        throw translated
      } finally {
        client.release(broken)
      }
    }
  }

  return {
    ...poolQueryable,
    pool,
    withTransaction,
    async ping() {
      await poolQueryable.one(sql('Ping', 'select 1 as ok'))
    },
    async close() {
      // pool.end() resolves once it has asked its connections to end, not once they have:
      // wait for each, so a server stopped right after (the embedded one) does not cut them off
      // mid-goodbye and make the pool report a failed connection at every shutdown.
      const open = pool.totalCount
      let removed = 0
      const allClosed = new Promise<void>((resolve) => {
        if (open === 0) resolve()
        pool.on('remove', () => {
          removed += 1
          if (removed >= open) resolve()
        })
      })
      await pool.end()
      await allClosed
    },
  }
}
