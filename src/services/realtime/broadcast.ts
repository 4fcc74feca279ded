/**
 * Publishing the feed to a Supabase project's Realtime broadcast (POST
 * {SUPABASE_URL}/realtime/v1/api/broadcast), so supabase-js clients of the hosted project get
 * the events the local /realtime/v1/websocket would give them, with the same names and seqs.
 *
 * Exactly one publisher, nothing lost:
 *   - the publisher follows the database, not the bus: its cursor is the feed's own numbers
 *     (each branch's trade number, market_feed.seq), stored in realtime_broadcast_* (migration
 *     20261201190000), so a process that dies between a commit and its publish loses nothing;
 *   - a pass runs in one transaction holding an advisory lock: any number of workers may run
 *     the loop, one publishes, the others skip;
 *   - in order: per stream, events go out in seq order; the cursor moves in the same
 *     transaction only past what the endpoint accepted. A failed POST ends the pass (what was
 *     accepted before it is kept); the next pass sends from there. At least once: a POST accepted
 *     but not recorded (the process died) is sent again, with the same seqs.
 *
 * Public channels only (market:<id>, market:<id>:trades, markets): the `user` channel's events
 * stay on this service's own feeds, whose access is checked by our tokens.
 *
 * The transaction stays open across the POSTs of one pass (at most MAX_POSTS_PER_PASS, each
 * bounded by the sender's timeout): it is what makes "sent" and "recorded as sent" one unit for
 * the lock holder. Finding the branches with news is a scan of market_branches per pass: fine to
 * tens of thousands of branches; beyond, the trade batch would mark dirty branches instead.
 */
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { branchStream, type Cursor, type FeedEvent } from './channels.js'
import { marketStatusEvent, readEventsAfter } from './queries.js'

export interface BroadcastMessage {
  topic: string
  event: string
  payload: Record<string, unknown>
  private: boolean
}

/** Sends one batch; throws unless the endpoint accepted it. */
export type BroadcastSend = (messages: readonly BroadcastMessage[]) => Promise<void>

export interface PassOutcome {
  /** False when another process holds the publisher's lock. */
  locked: boolean
  sent: number
  /** Whether a POST failed (the pass ended there). */
  failed: boolean
  /** The failure, for the log. */
  error?: unknown
}

/** 'dmrtbcst': the publisher's advisory lock. */
const LOCK_KEY = 0x646d72746263n
/** Messages per POST. */
const BATCH = 100
/** Events read per stream per round. */
const CHUNK = 500
const MAX_POSTS_PER_PASS = 20
/** Markets with news handled per round. */
const MARKETS_PER_ROUND = 50

const TryLock = sql<{ locked: boolean }>('BroadcastTryLock', 'select pg_try_advisory_xact_lock($1) as locked')
const ReadState = sql<{ feed_seq: bigint }>(
  'BroadcastReadState',
  'select feed_seq from public.realtime_broadcast_state',
)
// The first pass starts at the heads of now: every existing branch at its current number.
const StartState = sql(
  'BroadcastStartState',
  `with state as (
     insert into public.realtime_broadcast_state (feed_seq)
     select last_seq from public.market_feed_sequence
     returning feed_seq
   )
   insert into public.realtime_broadcast_branches (branch_id, last_seq)
   select id, version from public.market_branches
   on conflict (branch_id) do nothing`,
)
const FeedAfter = sql<{
  seq: bigint
  market_id: string
  market_seq: bigint
  kind: string
  status: string
  created_at: Date
}>(
  'BroadcastFeedAfter',
  `select seq, market_id, market_seq, kind, status, created_at from public.market_feed
    where seq > $1 order by seq limit $2`,
)
const SaveFeed = sql('BroadcastSaveFeed', 'update public.realtime_broadcast_state set feed_seq = $1')
// The markets with a branch ahead of its cursor, with all their branches (a read of one
// market's tape names every branch: the ones without news at their head).
const MarketsWithNews = sql<{
  market_id: string
  branch_id: string
  index: number
  version: bigint
  last_seq: bigint
}>(
  'BroadcastMarketsWithNews',
  `with news as (
     select distinct b.market_id
       from public.market_branches b
       left join public.realtime_broadcast_branches c on c.branch_id = b.id
      where b.version > coalesce(c.last_seq, 0)
      limit $1
   )
   select b.market_id, b.id as branch_id, b.index, b.version, coalesce(c.last_seq, 0) as last_seq
     from public.market_branches b
     join news using (market_id)
     left join public.realtime_broadcast_branches c on c.branch_id = b.id
    order by b.market_id, b.index`,
)
const SaveBranch = sql(
  'BroadcastSaveBranch',
  `insert into public.realtime_broadcast_branches (branch_id, last_seq) values ($1, $2)
   on conflict (branch_id) do update set last_seq = excluded.last_seq`,
)
const Backlog = sql<{ events: bigint }>(
  'BroadcastBacklog',
  `select coalesce((select sum(b.version - coalesce(c.last_seq, 0))
                      from public.market_branches b
                      left join public.realtime_broadcast_branches c on c.branch_id = b.id
                     where b.version > coalesce(c.last_seq, 0)), 0)
        + coalesce((select f.last_seq - s.feed_seq
                      from public.market_feed_sequence f, public.realtime_broadcast_state s), 0) as events`,
)

/** Our event as a broadcast message: the topic is the channel, the event its type. */
export function broadcastMessage(e: FeedEvent): BroadcastMessage {
  return {
    topic: e.channel,
    event: e.type,
    payload: { channel: e.channel, stream: e.stream, seq: e.seq, prev: e.prev, data: e.data },
    private: false,
  }
}

/** Events not yet sent (trades and market_feed events), for the backlog gauge. */
export async function broadcastBacklog(ctx: Pick<AppContext, 'db'>): Promise<number> {
  return Number((await ctx.db.one(Backlog)).events)
}

/** One pass: everything committed and not yet sent, up to MAX_POSTS_PER_PASS POSTs. */
export async function publishPending(ctx: Pick<AppContext, 'db'>, send: BroadcastSend): Promise<PassOutcome> {
  return ctx.db.withTransaction(async (tx) => {
    if (!(await tx.one(TryLock, [LOCK_KEY.toString()])).locked)
      return { locked: false, sent: 0, failed: false }
    const state = await tx.maybeOne(ReadState)
    if (!state) {
      await tx.execute(StartState)
      return { locked: true, sent: 0, failed: false }
    }
    const outcome: PassOutcome = { locked: true, sent: 0, failed: false }
    let posts = 0
    /** Sends in batches; false once a POST failed or the pass has used its POSTs. */
    async function post(messages: BroadcastMessage[]): Promise<boolean> {
      for (let i = 0; i < messages.length; i += BATCH) {
        if (posts >= MAX_POSTS_PER_PASS) return false
        posts++
        try {
          await send(messages.slice(i, i + BATCH))
        } catch (error) {
          outcome.failed = true
          outcome.error = error
          return false
        }
        outcome.sent += Math.min(BATCH, messages.length - i)
      }
      return true
    }
    if (!(await publishFeed(tx, Number(state.feed_seq), post))) return outcome
    await publishTrades(tx, post)
    return outcome
  })
}

/**
 * Market creations and status changes, in market_feed order: each on `markets` and on its
 * market's channel. The cursor moves per accepted batch.
 */
async function publishFeed(
  tx: Transaction,
  from: number,
  post: (messages: BroadcastMessage[]) => Promise<boolean>,
): Promise<boolean> {
  let cursor = from
  for (;;) {
    const rows = await tx.many(FeedAfter, [cursor, BATCH / 2])
    if (rows.length === 0) return true
    const last = Number(rows.at(-1)?.seq)
    const list = await readEventsAfter(tx, { kind: 'markets' }, { m: cursor }, { m: last }, rows.length)
    const messages = rows.flatMap((row, i) => {
      const listed = list[i]
      const status = broadcastMessage(marketStatusEvent(row.market_id, row))
      return listed ? [broadcastMessage(listed), status] : [status]
    })
    if (!(await post(messages))) return false
    cursor = last
    await tx.execute(SaveFeed, [cursor])
  }
}

/** Trades, per market: each on the tape (`trade`) and on the market's channel (`price`). */
async function publishTrades(
  tx: Transaction,
  post: (messages: BroadcastMessage[]) => Promise<boolean>,
): Promise<void> {
  for (;;) {
    const rows = await tx.many(MarketsWithNews, [MARKETS_PER_ROUND])
    if (rows.length === 0) return
    const markets = new Map<string, typeof rows>()
    for (const row of rows) markets.set(row.market_id, [...(markets.get(row.market_id) ?? []), row])
    for (const [marketId, branches] of markets) {
      const after: Cursor = {}
      const upTo: Cursor = {}
      for (const b of branches) {
        after[branchStream(b.index)] = Number(b.last_seq)
        upTo[branchStream(b.index)] = Math.min(Number(b.version), Number(b.last_seq) + CHUNK)
      }
      const tape = await readEventsAfter(tx, { kind: 'tape', marketId }, after, upTo, CHUNK)
      // s: 0 → 0, so no status events: those come with market_feed (publishFeed).
      const prices = await readEventsAfter(
        tx,
        { kind: 'market', marketId },
        { ...after, s: 0 },
        { ...upTo, s: 0 },
        CHUNK,
      )
      if (!(await post([...tape, ...prices].map(broadcastMessage)))) return
      for (const b of branches) {
        const to = upTo[branchStream(b.index)] as number
        if (to > Number(b.last_seq)) await tx.execute(SaveBranch, [b.branch_id, to])
      }
    }
  }
}
