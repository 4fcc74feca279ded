/**
 * Cursors of lists ordered by a bigint sequence alone (ledger postings, anchoring batches):
 * `<kind>:<seq>` in base64url. Beside the services that page by it, so none of them imports
 * another for it. (Lists ordered by time and id use markets/queries.ts's encodeCursor.)
 */
import { errors } from '../errors/codes.js'

const INT8_MAX = 9_223_372_036_854_775_807n

export function encodeSeqCursor(kind: string, seq: bigint): string {
  return Buffer.from(`${kind}:${seq}`, 'utf8').toString('base64url')
}

/** The sequence number a cursor names, undefined without one, or a 400 for one we did not issue. */
export function decodeSeqCursor(kind: string, cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined
  const match = /^([a-z]+):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  // Sequence numbers are int8: a longer number is not one we issued (and not one PostgreSQL takes).
  if (!match || match[1] !== kind || BigInt(match[2] as string) > INT8_MAX) {
    throw errors.validation('The cursor is not valid', [
      { field: '/query/cursor', message: 'is not a cursor we issued' },
    ])
  }
  return BigInt(match[2] as string)
}
