/**
 * Trades as Prometheus families: placed (accepted, or refused with the error code the caller
 * got), the time from the service call to the commit of an accepted trade, and how many trades
 * each group commit carried. Codes come from the one code list (src/errors/codes.ts), so the
 * label is bounded by it; anything else counts as `internal_error`.
 */
import { DatabaseError, databaseErrorToAppError } from '../../db/errors.js'
import { AppError, ErrorCode } from '../../errors/codes.js'
import { LATENCY_BUCKETS, perRegistry } from '../../infra/metrics.js'

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode))

/** The code a refused trade is counted under: its answer's code, when it is one of ours. */
export function refusalCode(error: unknown): string {
  const appError =
    error instanceof AppError
      ? error
      : error instanceof DatabaseError
        ? databaseErrorToAppError(error)
        : undefined
  return appError && KNOWN_CODES.has(appError.code) ? appError.code : ErrorCode.Internal
}

export const tradeMetrics = perRegistry((metrics) => {
  const trades = metrics.counter({
    name: 'dm_trades_total',
    help: 'Trades placed: result accepted (code ok; replays of an idempotent trade included) or refused (code: the error code answered)',
    labelNames: ['result', 'code'] as const,
  })
  const accepted = trades.labels('accepted', 'ok')
  accepted.inc(0) // present from the start, so a rate over it exists before the first trade
  const refused = new Map<string, { inc(): void }>()
  return {
    accepted,
    refused(code: string): { inc(): void } {
      let child = refused.get(code)
      if (!child) {
        child = trades.labels('refused', code)
        refused.set(code, child)
      }
      return child
    },
    duration: metrics.histogram({
      name: 'dm_trade_duration_seconds',
      help: 'Accepted trades: from the trade service call to the commit of its batch',
      buckets: LATENCY_BUCKETS,
    }),
    batchSize: metrics.histogram({
      name: 'dm_trade_batch_size',
      help: 'Trades per group-commit batch transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
    }),
  }
})
