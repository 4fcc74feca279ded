/**
 * The realtime feed's model, independent of any wire protocol (the WebSocket of
 * http/routes/stream, an SSE stream, a Phoenix-channel adapter speak it each their own way).
 *
 * A channel is a set of *streams*; each stream numbers its events with a sequence the database
 * keeps, so every process gives an event the same number and a client detects a gap by it:
 *
 *   channel               stream      sequence (from the database)
 *   market:<id>           b<index>    the branch's trade number (trades.branch_seq): its prices
 *                         s           market_feed.market_seq: the market's status changes
 *                         d           decision markets: the trade count (Σ branch_seq), its score
 *   market:<id>:trades    b<index>    trades.branch_seq: the tape
 *   markets               m           market_feed.seq: markets created, status changes
 *   user                  l           ledger_postings.seq of the user's cash postings
 *                         a           market_feed.seq of the decisions of the user's agents
 *
 * Every event carries its stream, its `seq` and `prev`, the seq of the stream's previous event:
 * a client that last saw `cursor[stream]` expects `prev === cursor[stream]`, anything else is a
 * gap (then: resume). For all streams but `l`, prev = seq − 1; the ledger's numbers are
 * gap-free across the platform, not per user, so a user's stream skips the others' postings and
 * `prev` says by how much. Why one stream per branch rather than one number per market: a
 * market-wide counter would be a row every trade of the market's branches takes, which is what
 * the branches of a decision market are kept apart to avoid (20261125020200_trading.sql).
 *
 * A cursor is where a client is: stream → last seq seen. A snapshot comes with its cursor;
 * `resume` from a cursor replays the events after it from the database.
 */

export type ChannelKind = 'market' | 'tape' | 'markets' | 'user'

export type Channel =
  | { readonly kind: 'market'; readonly marketId: string }
  | { readonly kind: 'tape'; readonly marketId: string }
  | { readonly kind: 'markets' }
  | { readonly kind: 'user'; readonly userId: string }

/** stream → the seq of the last event seen (0: none yet). */
export type Cursor = Record<string, number>

export interface FeedEvent {
  /** The channel's public name (`market:<id>`, `user`, …). */
  readonly channel: string
  readonly stream: string
  readonly seq: number
  readonly prev: number
  /** trade, price, status, created, market_created, market_status, fill, payout, refund, … */
  readonly type: string
  readonly data: Record<string, unknown>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export type ParsedChannel = { ok: true; channel: Channel } | { ok: false; reason: 'unknown' | 'auth' }

/**
 * The channel a client names. `user` is the signed-in user's own channel: `userId` is the
 * authenticated caller, never a name the client chose, so nobody can name another's.
 */
export function parseChannel(name: string, userId: string | undefined): ParsedChannel {
  if (name === 'markets') return { ok: true, channel: { kind: 'markets' } }
  if (name === 'user') {
    return userId ? { ok: true, channel: { kind: 'user', userId } } : { ok: false, reason: 'auth' }
  }
  const match = /^market:([^:]+)(:trades)?$/.exec(name)
  const id = match?.[1]?.toLowerCase()
  if (!match || !id || !UUID.test(id)) return { ok: false, reason: 'unknown' }
  return { ok: true, channel: match[2] ? { kind: 'tape', marketId: id } : { kind: 'market', marketId: id } }
}

/** The name clients use. */
export function channelName(channel: Channel): string {
  switch (channel.kind) {
    case 'market':
      return `market:${channel.marketId}`
    case 'tape':
      return `market:${channel.marketId}:trades`
    case 'markets':
      return 'markets'
    case 'user':
      return 'user'
  }
}

/** The key one process keeps the channel's state under: unique across users. */
export function channelKey(channel: Channel): string {
  return channel.kind === 'user' ? `user:${channel.userId}` : channelName(channel)
}

export const branchStream = (index: number) => `b${index}`

/** A cursor from a client: stream names of the channel's shape, non-negative integer seqs. */
export function parseCursor(value: unknown): Cursor | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const cursor: Cursor = {}
  const entries = Object.entries(value)
  if (entries.length > 64) return undefined
  for (const [stream, seq] of entries) {
    if (!/^(b\d{1,2}|s|d|m|l|a)$/.test(stream)) return undefined
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined
    cursor[stream] = seq
  }
  return cursor
}

/** A cursor as one string (SSE's Last-Event-ID): `b0.12,b1.5,s.3`. */
export function formatCursor(cursor: Cursor): string {
  return Object.entries(cursor)
    .map(([stream, seq]) => `${stream}.${seq}`)
    .join(',')
}

export function parseCursorString(text: string): Cursor | undefined {
  const cursor: Record<string, number> = {}
  for (const part of text.split(',')) {
    const [stream, seq] = part.split('.')
    if (stream === undefined || seq === undefined || !/^\d{1,15}$/.test(seq)) return undefined
    cursor[stream] = Number(seq)
  }
  return parseCursor(cursor)
}
