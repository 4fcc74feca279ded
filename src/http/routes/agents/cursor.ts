import { decodeCursor } from '../../../services/markets/queries.js'

/** A list cursor of this kind, decoded for the services' `(created_at, id) <` paging. */
export function after(kind: string, cursor: string): { createdAt: Date; id: string } {
  const decoded = decodeCursor(kind, cursor) as { at: Date; id: string }
  return { createdAt: decoded.at, id: decoded.id }
}
