/**
 * SIGINT/SIGTERM: a graceful stop, bounded by SHUTDOWN_GRACE_MS; a second signal or the
 * deadline ends the process at once.
 */
import type { Logger } from '../infra/logger.js'

export function onShutdownSignal(stop: () => Promise<void>, options: { graceMs: number; log: Logger }) {
  let stopping = false
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    options.log.info({ signal }, 'signal received: stopping gracefully')
    const deadline = setTimeout(() => {
      options.log.error({ graceMs: options.graceMs }, 'graceful stop took too long: exiting')
      process.exit(1)
    }, options.graceMs + 5_000)
    deadline.unref()
    stop().then(
      () => process.exit(0),
      (error) => {
        options.log.error({ err: error }, 'stop failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}
