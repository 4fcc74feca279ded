/**
 * The Supabase Realtime publisher of the worker role (on when SUPABASE_URL and
 * SUPABASE_SERVICE_ROLE_KEY are set): every REALTIME_BROADCAST_POLL_MS, a pass of
 * services/realtime/broadcast.ts sends what has committed since the last one. A loop, like the
 * anchorer, not a queue job: a queue's schedule ticks once a minute at best. Any number of
 * workers may run it; the pass's advisory lock lets one publish.
 *
 * The endpoint down: the pass fails, and the next one is tried after 1, 2, 4 … 30 s (not at every
 * tick), from the cursor the database kept, so the events come late, in order, none lost.
 */
import type { AppContext } from '../context.js'
import { type BroadcastSend, broadcastBacklog, publishPending } from '../services/realtime/broadcast.js'
import { serialLoop } from './loop.js'

const MAX_BACKOFF_MS = 30_000

export interface Broadcaster {
  /** One pass now; for tests. */
  tick(): Promise<void>
  stop(): Promise<void>
}

export function startBroadcaster(
  ctx: AppContext,
  send: BroadcastSend,
  options: { intervalMs: number; autoStart?: boolean },
): Broadcaster {
  const log = ctx.log.child({ component: 'realtime-broadcast' })
  const sent = ctx.metrics.counter({
    name: 'dm_realtime_broadcast_messages_total',
    help: 'Messages the Supabase Realtime broadcast endpoint accepted',
  })
  const failures = ctx.metrics.counter({
    name: 'dm_realtime_broadcast_failures_total',
    help: 'Passes of the Supabase Realtime publisher that ended on a failed POST',
  })
  ctx.metrics.gaugeFromDatabase(
    'dm_realtime_broadcast_backlog',
    'Committed feed events not yet accepted by the Supabase Realtime broadcast endpoint',
    () => broadcastBacklog(ctx),
    log,
  )
  let failed = 0
  let nextTry = 0

  async function pass(): Promise<void> {
    if (Date.now() < nextTry) return
    const outcome = await publishPending(ctx, send)
    sent.inc(outcome.sent)
    if (!outcome.failed) {
      if (failed > 0) log.info({ after: failed }, 'broadcast endpoint back')
      failed = 0
      nextTry = 0
      return
    }
    failures.inc()
    failed++
    const wait = Math.min(1000 * 2 ** (failed - 1), MAX_BACKOFF_MS)
    nextTry = Date.now() + wait
    log.warn({ err: outcome.error, retryInMs: wait, sent: outcome.sent }, 'broadcast POST failed; retrying')
  }

  const loop = serialLoop(pass, {
    intervalMs: options.intervalMs,
    autoStart: options.autoStart,
    onError: (error) => log.warn({ err: error }, 'broadcast pass failed'),
  })
  return {
    tick: async () => {
      // A test's tick does not wait for the backoff.
      nextTry = 0
      await loop.tick()
    },
    stop: () => loop.stop(),
  }
}
