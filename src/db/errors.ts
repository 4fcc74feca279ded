/**
 * PostgreSQL errors translated at the database boundary, so the rest of the code reasons about
 * what happened (a conflict, a busy row, a retryable transaction) and never about SQLSTATEs.
 */
import { DatabaseError as PgDatabaseError } from 'pg'
import { AppError, errors } from '../errors/codes.js'

export type DatabaseFailure =
  /** unique violation, exclusion violation: the row exists already. */
  | 'conflict'
  /** foreign key violation: a referenced row is missing (or still referenced). */
  | 'reference'
  /** check or not-null constraint: the change would break an invariant the schema enforces. */
  | 'constraint'
  /** lock not available (NOWAIT), statement or lock timeout: someone else holds the row. */
  | 'busy'
  /** serialization failure or deadlock: the whole transaction may be retried as is. */
  | 'retryable'
  /** connection refused, reset, server shutting down, too many connections. */
  | 'unavailable'
  /** text PostgreSQL cannot store (a NUL character, a lone surrogate): the client's input, a 400. */
  | 'invalid_text'
  /** anything else: a bug in our SQL or data we did not expect. */
  | 'unexpected'

export class DatabaseError extends Error {
  constructor(
    readonly failure: DatabaseFailure,
    readonly queryName: string,
    readonly sqlState: string | undefined,
    readonly constraint: string | undefined,
    options: { cause: unknown; message: string },
  ) {
    super(options.message, { cause: options.cause })
    this.name = 'DatabaseError'
  }
}

const failureBySqlState: Record<string, DatabaseFailure> = {
  '23505': 'conflict',
  '23P01': 'conflict',
  '23503': 'reference',
  '23514': 'constraint',
  '23502': 'constraint',
  '55P03': 'busy', // lock_not_available
  '57014': 'busy', // query_canceled: statement_timeout
  '40001': 'retryable', // serialization_failure
  '40P01': 'retryable', // deadlock_detected
  '57P01': 'unavailable', // admin_shutdown
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now
  '53300': 'unavailable', // too_many_connections
  '08000': 'unavailable',
  '08003': 'unavailable',
  '08006': 'unavailable',
  '08001': 'unavailable',
  '08004': 'unavailable',
  '22021': 'invalid_text', // character_not_in_repertoire: NUL in text
  '22P05': 'invalid_text', // untranslatable_character: \u0000 in json
}

const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * A lone UTF-16 surrogate (`"\ud800"` in a request's JSON) survives JSON.parse and
 * JSON.stringify, but PostgreSQL's json parser refuses it (22P02): the client's text, a 400.
 * Only this case: any other 22P02 is our own SQL's mistake.
 */
function isLoneSurrogate(error: PgDatabaseError): boolean {
  return error.code === '22P02' && /type json/.test(error.message) && /surrogate/i.test(error.detail ?? '')
}

export function translateDatabaseError(error: unknown, queryName: string): unknown {
  if (error instanceof DatabaseError || error instanceof AppError) return error
  if (error instanceof PgDatabaseError) {
    const failure = isLoneSurrogate(error)
      ? 'invalid_text'
      : (failureBySqlState[error.code ?? ''] ?? 'unexpected')
    return new DatabaseError(failure, queryName, error.code, error.constraint, {
      cause: error,
      message: `${queryName}: ${error.message}`,
    })
  }
  const code = (error as { code?: unknown } | null)?.code
  const message = (error as Error | null)?.message ?? String(error)
  if (
    (typeof code === 'string' && connectionErrorCodes.has(code)) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
      message,
    )
  ) {
    return new DatabaseError('unavailable', queryName, undefined, undefined, {
      cause: error,
      message: `${queryName}: ${message}`,
    })
  }
  return error
}

/**
 * Failures that mean the same to every caller become HTTP errors here; the others
 * (conflict, constraint, reference) need the caller's knowledge of which constraint fired
 * and are rendered as 500 only if nobody translated them.
 */
export function databaseErrorToAppError(error: DatabaseError): AppError | undefined {
  switch (error.failure) {
    case 'busy':
    case 'retryable':
      return errors.busy()
    case 'unavailable':
      return errors.databaseUnavailable(error)
    case 'conflict':
      return errors.conflict('The resource already exists or was changed concurrently')
    case 'invalid_text':
      return errors.validation(
        error.sqlState === '22P02'
          ? 'Text values must be valid Unicode (a lone surrogate such as \\ud800 is not)'
          : 'Text values must not contain NUL (\\u0000) characters',
      )
    default:
      return undefined
  }
}
