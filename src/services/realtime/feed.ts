/**
 * The feed of one process: the channels its clients subscribe to, each delivered in order,
 * without gaps, and exactly once, whatever the bus loses. The model is in channels.ts; the
 * protocols (WebSocket, SSE, …) sit on top and only call `subscribe` and `resume`.
 *
 * Events follow commits, and the database is the record:
 *
 *   - a trade batch commits, then publishes its trades on the bus (publish.ts): the fast path.
 *     Every process hears it and hands each trade to its subscribers of that market;
 *   - each channel this process serves keeps its *head*, the last seq of each stream it has
 *     delivered. An event whose `prev` is beyond the head reveals a gap (a message lost, or a
 *     process that died between its commit and its publish): the missing events are read from
 *     the database first, then the event is delivered. One older than the head is a duplicate;
 *   - a lost message with nothing after it reveals no gap: a catch-up poll (every
 *     REALTIME_POLL_MS) reads the heads of every channel served here in a few queries, and reads
 *     the events of any channel the database is ahead of for two polls running (one poll would
 *     race the bus's own, slightly later, message). The poll is also how events that nobody
 *     publishes arrive: payouts, refunds, grants (user), status changes (market, markets);
 *   - the `user` channel is always read from the database: the bus only says that a user
 *     traded (their postings' numbers are not known to the batch before its commit);
 *   - while the bus is down (Redis away) clients are told (`degraded`), and the poll reads every
 *     channel at every poll: events still arrive, up to one poll late. Back up: clients are
 *     told (`restored`) and every channel is read at once.
 *
 * A subscriber joins at a cursor its snapshot (or resume) read from the database. Its cursor may
 * be ahead of the channel's head (the read saw commits whose messages are still on their way):
 * those events are skipped for it; or behind (the channel moved on while the read ran): it gets
 * the difference from the database before it joins. Each channel's work runs one task at a
 * time, so no event is delivered while a subscriber joins.
 */

import type { Gauge } from 'prom-client'
import type { AppContext } from '../../context.js'
import { errors } from '../../errors/codes.js'
import { type CounterFamily, type HistogramFamily, LATENCY_BUCKETS } from '../../infra/metrics.js'
import { type Channel, type ChannelKind, type Cursor, channelKey, type FeedEvent } from './channels.js'
import type { FeedMessage } from './publish.js'
import { readEventsAfter, readHeads, readSnapshot, tradeEvents } from './queries.js'

/** What a protocol hands the feed for one subscription of one client. */
export interface Sink {
  /** An event of the channel, in order (per stream, `prev` = the last one's seq). */
  event(event: FeedEvent): void
  /** The bus went down (`degraded`: events come late, by polling) or came back (`restored`). */
  notice(notice: 'degraded' | 'restored'): void
}

export interface Subscription {
  readonly channel: Channel
  /** Where the subscriber is: stream → last seq it was given. */
  readonly cursor: Cursor
  /**
   * Lets events through to the sink: until then they are held, so a protocol sends its reply
   * (snapshot, replayed events) before the first live event.
   */
  start(): void
  close(): void
}

export type Joined =
  | { ok: true; subscription: Subscription; snapshot?: unknown; cursor: Cursor; replayed: FeedEvent[] }
  | { ok: false; reason: 'too_old' }

export interface FeedOptions {
  /** Catch-up poll interval. */
  pollMs: number
  /** The most events a resume replays per stream; beyond, the client takes a snapshot. */
  resumeMax: number
}

interface Member {
  sink: Sink
  cursor: Cursor
  open: boolean
  /** Events held until `start`. */
  held: FeedEvent[] | undefined
}

function give(member: Member, event: FeedEvent): void {
  const last = member.cursor[event.stream] ?? 0
  if (!member.open || event.seq <= last) return
  member.cursor[event.stream] = event.seq
  // A score (`d`) is a state: each event replaces the last, and its prev is this member's last
  // one, whichever earlier scores the member joined after (they are not owed).
  const given = event.stream === 'd' && event.prev !== last ? { ...event, prev: last } : event
  if (member.held) member.held.push(given)
  else member.sink.event(given)
}

/** At most one score read per decision market channel and process in this long. */
const SCORE_INTERVAL_MS = 250

/** Reads in chunks of this many events per stream while catching up. */
const CHUNK = 500

class ChannelState {
  readonly members = new Set<Member>()
  /** Joins under way: the state is kept while there are any. */
  joining = 0
  head: Cursor | undefined
  /** The database's heads at the last poll, for the two-polls rule. */
  polled: Cursor | undefined
  /** A score read is due (throttled: SCORE_INTERVAL_MS). */
  scoreTimer: NodeJS.Timeout | undefined
  lastScoreAt = 0
  private tail: Promise<void> = Promise.resolve()
  private pullQueued = false

  constructor(
    readonly channel: Channel,
    readonly kind: ChannelKind,
  ) {}

  /** Runs `task` after every task queued before it. */
  run(task: () => Promise<void>): Promise<void> {
    const next = this.tail.then(task)
    this.tail = next.catch(() => undefined)
    return next
  }

  /** A read of the events after the head, coalesced: one queued at a time is enough. */
  pull(task: () => Promise<void>): void {
    if (this.pullQueued) return
    this.pullQueued = true
    void this.run(async () => {
      this.pullQueued = false
      await task()
    }).catch(() => undefined)
  }
}

export interface Feed {
  /** Subscribes with a snapshot (`from` absent) or resumes after `from`. */
  join(channel: Channel, sink: Sink, from?: Cursor): Promise<Joined>
  readonly degraded: boolean
  close(): void
}

export function createFeed(
  ctx: Pick<AppContext, 'db' | 'bus' | 'log' | 'metrics' | 'clock'>,
  options: FeedOptions,
): Feed {
  const states = new Map<string, ChannelState>()
  const log = ctx.log.child({ component: 'realtime' })
  const metrics = feedMetrics(ctx.metrics)
  let degraded = !ctx.bus.up
  let closed = false

  function deliver(state: ChannelState, event: FeedEvent): void {
    if (state.head === undefined) state.head = {}
    const head = state.head
    if (event.seq <= (head[event.stream] ?? 0)) return
    head[event.stream] = event.seq
    metrics.events.inc({ channel_kind: state.kind })
    for (const member of state.members) give(member, event)
  }

  /** The events after the head, up to `upTo` (or all), read and delivered in chunks. */
  async function catchUp(state: ChannelState, upTo?: Cursor): Promise<void> {
    for (;;) {
      const events = await readEventsAfter(ctx.db, state.channel, { ...state.head }, upTo, CHUNK, ctx.clock)
      for (const event of events) deliver(state, event)
      if (!fullChunk(events)) return
    }
  }

  /** Bus events for a channel: each delivered after whatever its `prev` says is missing. */
  async function ingest(state: ChannelState, events: readonly FeedEvent[]): Promise<void> {
    for (const event of events) {
      const last = state.head?.[event.stream] ?? 0
      if (event.seq <= last) continue
      if (event.prev > last) {
        metrics.gaps.inc({ channel_kind: state.kind })
        await catchUp(state, { [event.stream]: event.prev })
      }
      deliver(state, event)
    }
  }

  function onMessage(text: string): void {
    let message: FeedMessage
    try {
      message = JSON.parse(text) as FeedMessage
    } catch {
      return
    }
    const lag = (Date.now() - message.committedAt) / 1000
    const byChannel = new Map<string, FeedEvent[]>()
    for (const trade of message.trades ?? []) {
      const { tape, market } = tradeEvents(trade)
      for (const event of [tape, market]) {
        if (!states.has(event.channel)) continue
        const list = byChannel.get(event.channel) ?? []
        list.push(event)
        byChannel.set(event.channel, list)
      }
    }
    for (const [key, events] of byChannel) {
      const state = states.get(key) as ChannelState
      state
        .run(() => ingest(state, events))
        .then(
          () => metrics.lag.observe(lag),
          (error) => log.warn({ err: error, channel: key }, 'realtime catch-up failed'),
        )
      if (state.head?.d !== undefined) scoreSoon(state)
    }
    for (const userId of message.users ?? []) {
      const state = states.get(channelKey({ kind: 'user', userId }))
      if (state) state.pull(() => catchUp(state))
    }
  }

  /**
   * A decision market traded: its score is read (catchUp reads it once the trade count is past
   * the channel's `d`), at most every SCORE_INTERVAL_MS: a score read is the market's whole
   * price path, not a trade's few rows.
   */
  function scoreSoon(state: ChannelState): void {
    if (state.scoreTimer !== undefined || closed) return
    const wait = Math.max(0, state.lastScoreAt + SCORE_INTERVAL_MS - Date.now())
    state.scoreTimer = setTimeout(() => {
      state.scoreTimer = undefined
      state.lastScoreAt = Date.now()
      state.pull(() => catchUp(state))
    }, wait)
    state.scoreTimer.unref()
  }

  /** The poll: every served channel's heads in a few queries; reads where the database is ahead. */
  async function poll(): Promise<void> {
    const served = [...states.values()].filter((s) => s.head !== undefined)
    if (served.length === 0) return
    const heads = await readHeads(
      ctx.db,
      served.map((s) => s.channel),
    )
    served.forEach((state, i) => {
      const db = heads[i] as Cursor
      const ahead = (cursor: Cursor | undefined) =>
        cursor !== undefined &&
        Object.entries(cursor).some(([stream, seq]) => seq > (state.head?.[stream] ?? 0))
      if (ahead(db) && (degraded || ahead(state.polled))) state.pull(() => catchUp(state))
      state.polled = db
    })
  }

  let polling = false
  const timer = setInterval(() => {
    if (polling || closed) return
    polling = true
    poll()
      .catch((error) => log.warn({ err: error }, 'realtime poll failed'))
      .finally(() => {
        polling = false
      })
  }, options.pollMs)
  timer.unref()

  ctx.bus.onMessage(onMessage)
  ctx.bus.onState((up) => {
    if (closed) return
    degraded = !up
    log.warn({ up }, up ? 'realtime bus back: catching up from the database' : 'realtime bus down: degraded')
    for (const state of states.values()) {
      for (const member of state.members) member.sink.notice(up ? 'restored' : 'degraded')
      if (up) state.pull(() => catchUp(state))
    }
  })

  function stateOf(channel: Channel): ChannelState {
    const key = channelKey(channel)
    let state = states.get(key)
    if (!state) {
      state = new ChannelState(channel, channel.kind)
      states.set(key, state)
    }
    return state
  }

  function leave(state: ChannelState, member: Member): void {
    if (!member.open) return
    member.open = false
    if (state.members.delete(member)) metrics.subscriptions.dec({ channel_kind: state.kind })
    if (state.members.size === 0) {
      // Dropped once its queued work is done (a subscriber may be joining meanwhile).
      void state.run(async () => {
        const idle = state.members.size === 0 && state.joining === 0
        if (idle && states.get(channelKey(state.channel)) === state) states.delete(channelKey(state.channel))
      })
    }
  }

  return {
    get degraded() {
      return degraded
    },

    async join(channel, sink, from) {
      // The read runs outside the channel's queue (a snapshot of a busy market must not hold
      // its events up); the join inside it reconciles the two cursors.
      let snapshot: unknown
      let cursor: Cursor
      let replayed: FeedEvent[] = []
      if (from === undefined) {
        const read = await readSnapshot(ctx.db, channel)
        snapshot = read.data
        cursor = read.cursor
      } else {
        const [heads] = await readHeads(ctx.db, [channel])
        cursor = heads as Cursor
        const isMarket = channel.kind === 'market' || channel.kind === 'tape'
        if (isMarket && !Object.keys(cursor).some((stream) => stream.startsWith('b'))) {
          throw errors.notFound('Market', `No market with id '${channel.marketId}'`)
        }
        const behind = Object.entries(cursor).some(([s, seq]) => (from[s] ?? 0) > seq)
        // The score (`d`) replays as one event however far behind: it is a state, not a tape.
        const tooFar = Object.entries(cursor).some(
          ([s, seq]) => s !== 'd' && seq - (from[s] ?? 0) > options.resumeMax,
        )
        // A cursor ahead of the database (another deployment's, or made up) is as useless as a
        // stale one: both take a snapshot.
        if (behind || tooFar) return { ok: false, reason: 'too_old' }
        replayed = await readEventsAfter(ctx.db, channel, from, cursor, options.resumeMax + 1, ctx.clock)
      }
      const state = stateOf(channel)
      state.joining += 1
      const member: Member = { sink, cursor: { ...cursor }, open: true, held: [] }
      const subscription: Subscription = {
        channel,
        cursor: member.cursor,
        start: () => {
          const held = member.held ?? []
          member.held = undefined
          for (const event of held) sink.event(event)
        },
        close: () => leave(state, member),
      }
      await state.run(async () => {
        state.joining -= 1
        if (!member.open) return
        state.members.add(member)
        metrics.subscriptions.inc({ channel_kind: state.kind })
        if (state.head === undefined) {
          state.head = { ...cursor }
          return
        }
        // Behind the channel: what it delivered since the read, from the database.
        const behind = Object.entries(state.head).some(([s, seq]) => seq > (cursor[s] ?? 0))
        if (!behind) return
        const missed = await readEventsAfter(ctx.db, channel, cursor, state.head, CHUNK * 4, ctx.clock)
        for (const event of missed) give(member, event)
      })
      return { ok: true, subscription, snapshot, cursor, replayed }
    },

    close() {
      closed = true
      clearInterval(timer)
      for (const state of states.values()) {
        clearTimeout(state.scoreTimer)
        for (const member of [...state.members]) leave(state, member)
      }
      states.clear()
    },
  }
}

function fullChunk(events: readonly FeedEvent[]): boolean {
  const perStream = new Map<string, number>()
  for (const e of events) perStream.set(e.stream, (perStream.get(e.stream) ?? 0) + 1)
  return [...perStream.values()].some((n) => n >= CHUNK)
}

interface FeedMetrics {
  events: CounterFamily<'channel_kind'>
  gaps: CounterFamily<'channel_kind'>
  subscriptions: Gauge<'channel_kind'>
  lag: HistogramFamily<string>
}

function feedMetrics(metrics: AppContext['metrics']): FeedMetrics {
  return {
    events: metrics.counter({
      name: 'dm_realtime_events_total',
      help: 'Events delivered to this process’s channels (each once, whatever the number of subscribers)',
      labelNames: ['channel_kind'],
    }),
    gaps: metrics.counter({
      name: 'dm_realtime_gaps_total',
      help: 'Gaps in the bus’s events found by sequence and read from the database',
      labelNames: ['channel_kind'],
    }),
    subscriptions: metrics.gauge({
      name: 'dm_realtime_subscriptions',
      help: 'Channel subscriptions open on this process',
      labelNames: ['channel_kind'],
    }),
    lag: metrics.histogram({
      name: 'dm_realtime_publish_lag_seconds',
      help: 'From a trade batch’s commit to its events handed to this process’s subscribers',
      buckets: LATENCY_BUCKETS,
    }),
  }
}
