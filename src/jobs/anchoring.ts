/**
 * The anchoring loop of the worker role: every ANCHOR_POLL_MS it closes the batches that are due
 * (ANCHOR_BATCH_MAX_LEAVES entries, or an entry older than ANCHOR_INTERVAL_SECONDS) and moves the
 * chain submission forward.
 *
 * A loop rather than a pg-boss job: the queue's schedules tick once a minute at best, and a batch
 * must close within seconds of its N-th posting. Every step is guarded by its own advisory lock
 * (services/anchoring), so any number of workers may run this loop: one closes, one submits.
 *
 * The chain is optional and may be down: without STARKNET_* batches stay `local`; with it, the
 * connection (which checks the node's spec version) is retried at every tick until it succeeds,
 * so a chain that is down when the worker starts delays anchoring, not the start, and never trading.
 */
import type { AppContext } from '../context.js'
import type { AnchorChain } from '../infra/starknet/index.js'
import { closeDueBatches } from '../services/anchoring/batches.js'
import { type SubmitOutcome, submitPendingBatches } from '../services/anchoring/submit.js'
import { serialLoop } from './loop.js'

/** A pass ends after this many batches, so that stopping the worker never waits on a long backlog. */
const MAX_BATCHES_PER_TICK = 16

export interface Anchorer {
  /** One pass: close what is due, submit what can be. Exposed for tests and the CLI. */
  tick(): Promise<SubmitOutcome | null>
  stop(): Promise<void>
}

export function startAnchorer(
  ctx: AppContext,
  connectChain: (() => Promise<AnchorChain>) | null,
  options: { autoStart?: boolean } = {},
): Anchorer {
  const log = ctx.log.child({ component: 'anchoring' })
  const config = ctx.config
  let chain: AnchorChain | null = null
  let connecting: Promise<AnchorChain | null> | null = null
  // A chain that cannot be reached is tried again after 1, 2, 4 … 60 s, not at every pass.
  let failures = 0
  let nextTry = 0
  async function connected(): Promise<AnchorChain | null> {
    if (chain || !connectChain) return chain
    if (Date.now() < nextTry) return null
    connecting ??= connectChain().then(
      (made) => {
        chain = made
        failures = 0
        log.info('connected to the chain')
        return made
      },
      (error) => {
        failures++
        nextTry = Date.now() + Math.min(1000 * 2 ** (failures - 1), 60_000)
        log.warn({ err: error, retryInMs: nextTry - Date.now() }, 'cannot reach the chain yet; batches wait')
        return null
      },
    )
    const made = await connecting
    connecting = null
    return made
  }

  /**
   * Closes one batch, then moves the submission on, and again while batches are due: under a
   * sustained backlog a full batch is always due, and closing them all first would keep every
   * one of them off the chain until the load ends (measured: bench/README.md, anchoring).
   */
  async function tick(): Promise<SubmitOutcome | null> {
    let outcome: SubmitOutcome | null = null
    for (let pass = 0; pass < MAX_BATCHES_PER_TICK; pass++) {
      const closed = await closeDueBatches(ctx, {
        maxLeaves: config.ANCHOR_BATCH_MAX_LEAVES,
        intervalMs: config.ANCHOR_INTERVAL_SECONDS * 1000,
        maxBatches: 1,
      })
      const target = await connected()
      if (target) {
        outcome = await submitPendingBatches(ctx, target, {
          resubmitAfterMs: Math.max(30_000, config.ANCHOR_POLL_MS * 10),
          backoffMs: config.ANCHOR_POLL_MS,
          maxBackoffMs: 5 * 60_000,
        })
      }
      if (closed.length === 0 || loop.stopped) break
    }
    return outcome
  }

  const loop = serialLoop(tick, {
    intervalMs: config.ANCHOR_POLL_MS,
    autoStart: options.autoStart,
    onError: (error) => log.error({ err: error }, 'anchoring pass failed'),
  })
  return {
    tick: loop.tick,
    async stop() {
      await loop.stop()
      await chain?.close()
    },
  }
}
