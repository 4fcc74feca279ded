/**
 * What the feed reads from the database, the record every event comes from: each channel's
 * heads (the last seq of each of its streams), the events after a cursor, and snapshots.
 *
 * Live trade events arrive on the bus already built (publish.ts); every other way an event
 * reaches a client (a gap, a resume, a lost message, a payout or a status change nobody
 * published) is one of these reads, and both paths build the event with the same function
 * (`tradeEvents`), so a replayed event is the event a live client saw.
 */
import type { Database, Queryable } from '../../db/database.js'
import { sql } from '../../db/database.js'
import type { Clock } from '../../domain/clock.js'
import { formatAmount } from '../../domain/money.js'
import { decisionView } from '../decisions/view.js'
import { roundPrice } from '../markets/present.js'
import { getMarket, listMarkets, listMarketTrades } from '../markets/queries.js'
import { cashBalance } from '../money/ledger.js'
import { branchStream, type Channel, type Cursor, channelName, type FeedEvent } from './channels.js'

/** A trade as the feed carries it: the published message and the replay read both give this. */
export interface FeedTrade {
  id: string
  market_id: string
  branch_id: string
  branch_index: number
  branch_seq: string
  trader_id: string
  outcome: number
  side: 'buy' | 'sell'
  shares: string
  cost: string
  proceeds: string
  fee: string
  prices_after: number[]
  created_at: string
}

/** The events one trade makes: on its market's tape, and on its market's price channel. */
export function tradeEvents(trade: FeedTrade): { tape: FeedEvent; market: FeedEvent } {
  const seq = Number(trade.branch_seq)
  const stream = branchStream(trade.branch_index)
  const cost = BigInt(trade.cost)
  const proceeds = BigInt(trade.proceeds)
  const tape: FeedEvent = {
    channel: `market:${trade.market_id}:trades`,
    stream,
    seq,
    prev: seq - 1,
    type: 'trade',
    data: {
      id: trade.id,
      market_id: trade.market_id,
      branch_id: trade.branch_id,
      branch_index: trade.branch_index,
      trader_id: trade.trader_id,
      outcome: trade.outcome,
      side: trade.side,
      shares: formatAmount(BigInt(trade.shares)),
      cost: formatAmount(cost),
      proceeds: formatAmount(proceeds),
      fee: formatAmount(BigInt(trade.fee)),
      prices_after: trade.prices_after.map(roundPrice),
      created_at: trade.created_at,
    },
  }
  const market: FeedEvent = {
    channel: `market:${trade.market_id}`,
    stream,
    seq,
    prev: seq - 1,
    type: 'price',
    data: {
      branch_index: trade.branch_index,
      prices: trade.prices_after.map(roundPrice),
      // What this trade added to the branch's volume; the snapshot has the totals.
      volume: formatAmount(cost + proceeds),
      at: trade.created_at,
    },
  }
  return { tape, market }
}

// ---------------------------------------------------------------------------------------
// Heads
// ---------------------------------------------------------------------------------------

// `decision`: a decision market (scores.ts isDecisionMarket), whose market channel has a score
// stream `d` numbered by the market's trade count (the sum of its branches' versions).
const BranchHeads = sql<{ market_id: string; index: number; version: bigint; decision: boolean }>(
  'FeedBranchHeads',
  `select b.market_id, b.index, b.version,
          (m.default_branch is not null and m.decide_at is not null and m.decision_rule is not null) as decision
     from public.market_branches b join public.markets m on m.id = b.market_id
    where b.market_id = any($1::uuid[])`,
)

const MarketStatusHeads = sql<{ market_id: string; seq: bigint | null }>(
  'FeedMarketStatusHeads',
  `select m.id as market_id, (select max(f.market_seq) from public.market_feed f where f.market_id = m.id) as seq
     from unnest($1::uuid[]) as m(id)`,
)

// The decisions of a user's agents: the market_feed row of each agent market's change to
// `decided` (one per market; global market_feed.seq, so `prev` says how far, as for `l`).
const AgentDecisionHeads = sql<{ user_id: string; seq: bigint | null }>(
  'FeedAgentDecisionHeads',
  `select u.id as user_id,
          (select max(f.seq) from public.agent_decisions ad
             join public.market_feed f on f.market_id = ad.market_id and f.kind = 'status' and f.status = 'decided'
            where ad.owner_id = u.id) as seq
     from unnest($1::uuid[]) as u(id)`,
)

const ListHead = sql<{ last_seq: bigint }>('FeedListHead', 'select last_seq from public.market_feed_sequence')

// One index probe per user (ledger_postings_user_idx is on (user_id, seq)).
const UserHeads = sql<{ user_id: string; seq: bigint | null }>(
  'FeedUserHeads',
  `select u.id as user_id, (select max(p.seq) from public.ledger_postings p where p.user_id = u.id) as seq
     from unnest($1::uuid[]) as u(id)`,
)

/** The current heads of `channels` (by channelKey order of the input), in a few queries. */
export async function readHeads(db: Queryable, channels: readonly Channel[]): Promise<Cursor[]> {
  const marketIds = [
    ...new Set(channels.flatMap((c) => (c.kind === 'market' || c.kind === 'tape' ? [c.marketId] : []))),
  ]
  const statusIds = [...new Set(channels.flatMap((c) => (c.kind === 'market' ? [c.marketId] : [])))]
  const userIds = [...new Set(channels.flatMap((c) => (c.kind === 'user' ? [c.userId] : [])))]
  const wantsList = channels.some((c) => c.kind === 'markets')
  const [branches, statuses, users, agentDecisions, list] = await Promise.all([
    marketIds.length > 0 ? db.many(BranchHeads, [marketIds]) : [],
    statusIds.length > 0 ? db.many(MarketStatusHeads, [statusIds]) : [],
    userIds.length > 0 ? db.many(UserHeads, [userIds]) : [],
    userIds.length > 0 ? db.many(AgentDecisionHeads, [userIds]) : [],
    wantsList ? db.one(ListHead) : undefined,
  ])
  const byMarket = new Map<string, Cursor>()
  const decisionCount = new Map<string, number>()
  for (const b of branches) {
    const cursor = byMarket.get(b.market_id) ?? {}
    cursor[branchStream(b.index)] = Number(b.version)
    byMarket.set(b.market_id, cursor)
    if (b.decision) decisionCount.set(b.market_id, (decisionCount.get(b.market_id) ?? 0) + Number(b.version))
  }
  const status = new Map(statuses.map((s) => [s.market_id, Number(s.seq ?? 0)]))
  const user = new Map(users.map((u) => [u.user_id, Number(u.seq ?? 0)]))
  const agent = new Map(agentDecisions.map((u) => [u.user_id, Number(u.seq ?? 0)]))
  const headOf = (c: Channel): Cursor => {
    switch (c.kind) {
      case 'tape':
        return { ...byMarket.get(c.marketId) }
      case 'market': {
        const d = decisionCount.get(c.marketId)
        return {
          ...byMarket.get(c.marketId),
          s: status.get(c.marketId) ?? 0,
          ...(d === undefined ? {} : { d }),
        }
      }
      case 'markets':
        return { m: Number(list?.last_seq ?? 0) }
      case 'user':
        return { l: user.get(c.userId) ?? 0, a: agent.get(c.userId) ?? 0 }
    }
  }
  return channels.map(headOf)
}

// ---------------------------------------------------------------------------------------
// Events after a cursor
// ---------------------------------------------------------------------------------------

// Per branch, the trades after the cursor's seq and up to the bound's: one index range scan
// of trades (branch_id, branch_seq) each. Cursor and bound travel as JSON objects
// ({"b0": 12, …}); a branch the cursor does not name starts at 0, one the bound does not name
// has no bound.
const TradesAfter = sql<{
  id: string
  market_id: string
  branch_id: string
  branch_index: number
  branch_seq: bigint
  trader_id: string
  outcome: number
  side: 'buy' | 'sell'
  shares: bigint
  cost: bigint
  proceeds: bigint
  fee: bigint
  prices_after: number[]
  created_at: Date
}>(
  'FeedTradesAfter',
  `select t.id, t.market_id, t.branch_id, b.index as branch_index, t.branch_seq, t.trader_id, t.outcome, t.side,
          t.shares, t.cost, t.proceeds, t.fee, t.prices_after, t.created_at
     from public.market_branches b
    cross join lateral (
      select * from public.trades t
       where t.branch_id = b.id
         and t.branch_seq > coalesce(($2::jsonb ->> ('b' || b.index))::bigint, 0)
         and t.branch_seq <= coalesce(($3::jsonb ->> ('b' || b.index))::bigint, 9223372036854775807)
       order by t.branch_seq
       limit $4) t
    where b.market_id = $1
    order by b.index, t.branch_seq`,
)

const StatusAfter = sql<{ market_seq: bigint; kind: string; status: string; created_at: Date }>(
  'FeedMarketStatusAfter',
  `select market_seq, kind, status, created_at from public.market_feed
    where market_id = $1 and market_seq > $2 and market_seq <= $3
    order by market_seq
    limit $4`,
)

const ListAfter = sql<{
  seq: bigint
  market_id: string
  kind: string
  status: string
  created_at: Date
  slug: string
  question: string
}>(
  'FeedListAfter',
  `select f.seq, f.market_id, f.kind, f.status, f.created_at, m.slug, m.question
     from public.market_feed f
     join public.markets m on m.id = f.market_id
    where f.seq > $1 and f.seq <= $2
    order by f.seq
    limit $3`,
)

// A user's cash postings after the cursor, each with its entry (what moved the cash) and, for a
// trade, the fill. `prev` is the user's posting before it: the ledger's numbers are gap-free
// across all users, not per user.
const UserAfter = sql<{
  seq: bigint
  prev: bigint | null
  amount: bigint
  balance_after: bigint | null
  created_at: Date
  kind: string
  market_id: string | null
  branch_id: string | null
  trade_id: string | null
  side: 'buy' | 'sell' | null
  outcome: number | null
  shares: bigint | null
  cost: bigint | null
  proceeds: bigint | null
  fee: bigint | null
}>(
  'FeedUserPostingsAfter',
  `select p.seq, lag(p.seq) over (order by p.seq) as prev, p.amount, p.balance_after, p.created_at,
          e.kind, e.market_id, e.branch_id, e.trade_id, t.side, t.outcome, t.shares, t.cost, t.proceeds, t.fee
     from public.ledger_postings p
     join public.journal_entries e on e.id = p.entry_id
     left join public.trades t on t.id = e.trade_id
    where p.user_id = $1 and p.seq > $2 and p.seq <= $3
    order by p.seq
    limit $4`,
)

// A user's agents' decisions after the cursor: what the market chose and why, and the refunds
// of the branches not chosen (posted by the deciding transaction, so already there).
const AgentDecisionsAfter = sql<{
  seq: bigint
  prev: bigint | null
  market_id: string
  agent_id: string
  chosen_branch: number
  chosen_label: string | null
  best_branch: number
  default_branch: number
  reason: string
  decided_at: Date
  refunds: number
  refunded: bigint
}>(
  'FeedAgentDecisionsAfter',
  `select f.seq, lag(f.seq) over (order by f.seq) as prev, ad.market_id, ad.agent_id,
          d.chosen_branch, cb.label as chosen_label, d.best_branch, d.default_branch, d.reason, d.decided_at,
          r.refunds, r.refunded
     from public.agent_decisions ad
     join public.market_feed f on f.market_id = ad.market_id and f.kind = 'status' and f.status = 'decided'
     join public.market_decisions d on d.market_id = ad.market_id
     left join public.market_branches cb on cb.market_id = ad.market_id and cb.index = d.chosen_branch
     cross join lateral (
       select count(*)::int as refunds, coalesce(sum(p.amount), 0)::bigint as refunded
         from public.journal_entries e
         join public.ledger_postings p on p.entry_id = e.id and p.user_id is not null
        where e.market_id = ad.market_id and e.kind = 'refund') r
    where ad.owner_id = $1 and f.seq > $2 and f.seq <= $3
    order by f.seq
    limit $4`,
)

// The score stream's number: the market's trade count, for a decision market only.
const DecisionCount = sql<{ seq: bigint | null }>(
  'FeedDecisionCount',
  `select sum(b.version)::bigint as seq
     from public.market_branches b join public.markets m on m.id = b.market_id
    where b.market_id = $1
      and m.default_branch is not null and m.decide_at is not null and m.decision_rule is not null`,
)

/**
 * The market's decision score as one event, when the market has traded since `after` (a
 * decision market only). A score is a state, not a delta: one event replaces every earlier
 * one, so a client behind gets the latest only, numbered by the trade count it is as of. The
 * count is read first and the score after: the score is at least as new as its number, never
 * older (a later trade's score then comes with a later number).
 */
async function scoreEvents(
  db: Queryable,
  clock: Clock,
  marketId: string,
  after: number,
): Promise<FeedEvent[]> {
  const count = await db.maybeOne(DecisionCount, [marketId])
  const seq = Number(count?.seq ?? 0)
  if (count?.seq === null || count === undefined || seq <= after) return []
  const view = await decisionView({ db, clock }, marketId, db)
  if (!view) return []
  return [
    {
      channel: `market:${marketId}`,
      stream: 'd',
      seq,
      prev: after,
      type: 'score',
      data: {
        scores: view.scores,
        distinct_traders: view.distinct_traders,
        total_volume: view.total_volume,
        window_end: view.scoring.window_end,
        decided: view.result !== null,
        at: clock.now().toISOString(),
      },
    },
  ]
}

const MAX_SEQ = '9223372036854775807'

/** The user channel's event type for a journal entry's kind. */
const USER_EVENT: Record<string, string> = {
  trade: 'fill',
  signup_grant: 'grant',
  admin_grant: 'grant',
  subsidy: 'subsidy',
  payout: 'payout',
  subsidy_return: 'subsidy_return',
  refund: 'refund',
  bond: 'bond',
  bond_return: 'bond_return',
  bond_forfeit: 'bond_forfeit',
}

/**
 * The channel's events after `after`, up to `upTo` (all when absent), at most `limit` per
 * stream, in order within each stream.
 */
export async function readEventsAfter(
  db: Queryable,
  channel: Channel,
  after: Cursor,
  upTo: Cursor | undefined,
  limit: number,
  /** Given, a decision market's channel also gets its score (`d`); absent, it does not. */
  clock?: Clock,
): Promise<FeedEvent[]> {
  const name = channelName(channel)
  switch (channel.kind) {
    case 'tape':
    case 'market': {
      const rows = await db.many(TradesAfter, [
        channel.marketId,
        JSON.stringify(after),
        JSON.stringify(upTo ?? {}),
        limit,
      ])
      const events = rows.map((r) => {
        const made = tradeEvents({
          ...r,
          branch_seq: String(r.branch_seq),
          shares: String(r.shares),
          cost: String(r.cost),
          proceeds: String(r.proceeds),
          fee: String(r.fee),
          created_at: r.created_at.toISOString(),
        })
        return channel.kind === 'tape' ? made.tape : made.market
      })
      if (channel.kind === 'tape') return events
      const statusAfter = after.s ?? 0
      const statuses = await db.many(StatusAfter, [channel.marketId, statusAfter, upTo?.s ?? MAX_SEQ, limit])
      const scores = clock ? await scoreEvents(db, clock, channel.marketId, after.d ?? 0) : []
      return [...events, ...scores, ...statuses.map((s) => marketStatusEvent(channel.marketId, s))]
    }
    case 'markets': {
      const rows = await db.many(ListAfter, [after.m ?? 0, upTo?.m ?? MAX_SEQ, limit])
      return rows.map((r) => ({
        channel: name,
        stream: 'm',
        seq: Number(r.seq),
        prev: Number(r.seq) - 1,
        type: r.kind === 'created' ? 'market_created' : 'market_status',
        data: {
          market_id: r.market_id,
          slug: r.slug,
          question: r.question,
          status: r.status,
          at: r.created_at.toISOString(),
        },
      }))
    }
    case 'user': {
      const from = after.l ?? 0
      const [rows, decisions] = await Promise.all([
        db.many(UserAfter, [channel.userId, from, upTo?.l ?? MAX_SEQ, limit]),
        db.many(AgentDecisionsAfter, [channel.userId, after.a ?? 0, upTo?.a ?? MAX_SEQ, limit]),
      ])
      const decided = decisions.map(
        (r): FeedEvent => ({
          channel: name,
          stream: 'a',
          seq: Number(r.seq),
          prev: Number(r.prev ?? after.a ?? 0),
          type: 'agent_decision',
          data: {
            market_id: r.market_id,
            agent_id: r.agent_id,
            chosen: { branch: r.chosen_branch, label: r.chosen_label },
            best_branch: r.best_branch,
            default_branch: r.default_branch,
            reason: r.reason,
            // The traders of the branches not chosen, refunded by the decision.
            refunds: { count: r.refunds, amount: formatAmount(r.refunded) },
            at: r.decided_at.toISOString(),
          },
        }),
      )
      const postings = rows.map(
        (r): FeedEvent => ({
          channel: name,
          stream: 'l',
          seq: Number(r.seq),
          prev: Number(r.prev ?? from),
          type: USER_EVENT[r.kind] ?? r.kind,
          data: {
            kind: r.kind,
            amount: formatAmount(r.amount),
            cash: r.balance_after === null ? null : formatAmount(r.balance_after),
            market_id: r.market_id,
            branch_id: r.branch_id,
            trade_id: r.trade_id,
            ...(r.side !== null && r.shares !== null
              ? {
                  fill: {
                    side: r.side,
                    outcome: r.outcome,
                    // The position's change in shares: + bought, − sold.
                    shares: formatAmount(r.side === 'buy' ? r.shares : -r.shares),
                    cost: formatAmount(r.cost ?? 0n),
                    proceeds: formatAmount(r.proceeds ?? 0n),
                    fee: formatAmount(r.fee ?? 0n),
                  },
                }
              : {}),
            at: r.created_at.toISOString(),
          },
        }),
      )
      return [...postings, ...decided]
    }
  }
}

// ---------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------

export interface Snapshot {
  data: unknown
  cursor: Cursor
}

/** How many trades, markets a snapshot shows. */
export const SNAPSHOT_ITEMS = 50

/**
 * The channel's state and the cursor it is at, read in one repeatable-read transaction so the
 * two agree: the events after the cursor are exactly what the snapshot does not show yet.
 */
export function readSnapshot(db: Database, channel: Channel): Promise<Snapshot> {
  return db.withTransaction(
    async (tx) => {
      const [cursor] = await readHeads(tx, [channel])
      const data = await snapshotData(tx, channel)
      return { data, cursor: cursor as Cursor }
    },
    { isolation: 'repeatable read' },
  )
}

async function snapshotData(tx: Queryable, channel: Channel): Promise<unknown> {
  switch (channel.kind) {
    case 'market':
      return getMarket(tx, channel.marketId)
    case 'tape':
      return (await listMarketTrades(tx, channel.marketId, { limit: SNAPSHOT_ITEMS })).items
    case 'markets':
      return (await listMarkets(tx, { limit: SNAPSHOT_ITEMS })).items
    case 'user':
      return { cash: formatAmount(await cashBalance(tx, channel.userId)) }
  }
}

/** A market's status change (or creation) on its `market:<id>` channel's `s` stream. */
export function marketStatusEvent(
  marketId: string,
  s: { market_seq: bigint | number; kind: string; status: string; created_at: Date },
): FeedEvent {
  return {
    channel: channelName({ kind: 'market', marketId }),
    stream: 's',
    seq: Number(s.market_seq),
    prev: Number(s.market_seq) - 1,
    type: s.kind === 'created' ? 'created' : 'status',
    data: { status: s.status, at: s.created_at.toISOString() },
  }
}
