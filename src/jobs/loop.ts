/**
 * The loop of a worker's periodic pass (anchoring, the ledger audit): the next pass is timed from
 * the end of the last, so a slow one never stacks passes; `tick()` runs one now, after the one in
 * progress; `stop()` waits for the pass in progress. A failed pass is reported and the loop goes on.
 */
export interface SerialLoop<T> {
  /** One pass now (after the one in progress, if any). */
  tick(): Promise<T>
  /** No pass after this; resolves once the one in progress has ended. */
  stop(): Promise<void>
  /** True once stop() was called: a long pass may end early. */
  readonly stopped: boolean
}

export function serialLoop<T>(
  pass: () => Promise<T>,
  options: { intervalMs: number; autoStart?: boolean; onError: (error: unknown) => void },
): SerialLoop<T> {
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined

  function schedule() {
    if (stopped || options.intervalMs <= 0) return
    timer = setTimeout(() => {
      running = pass().catch(options.onError).finally(schedule)
    }, options.intervalMs)
  }
  if (options.autoStart !== false) schedule()

  return {
    tick: () => {
      const now = running.then(pass)
      running = now.catch(() => {})
      return now
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
    get stopped() {
      return stopped
    },
  }
}
