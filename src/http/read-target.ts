/**
 * Which database a read of a request goes to (DATABASE_READ_URL, db/read-replica.ts).
 *
 * Read-your-writes is kept by who asks, not by tracking what they wrote: a request with
 * credentials (a signed-in user, an API key) reads the primary, always. Every write needs
 * credentials, so a trader's reads after their trade come from where the trade was committed,
 * whichever process the balancer picks, with nothing to carry between requests (an LSN cookie
 * would have to follow clients that ignore cookies, and be checked per read). Anonymous public
 * reads, which the writer's response promises nothing to, take the replica within
 * DATABASE_READ_MAX_LAG_MS. Writes and trades never come here: they use ctx.db.
 */
import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../context.js'
import type { Database } from '../db/database.js'

export const hasCredentials = (request: FastifyRequest) => request.headers.authorization !== undefined

/** The database for a public read of `request`: the primary for callers with credentials. */
export function publicReadDb(ctx: Pick<AppContext, 'db' | 'reads'>, request: FastifyRequest): Database {
  if (!ctx.reads || hasCredentials(request)) return ctx.db
  return ctx.reads.publicDb()
}
