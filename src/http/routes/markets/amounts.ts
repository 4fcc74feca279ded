import type { FastifyRequest } from 'fastify'
import { errors } from '../../../errors/codes.js'

/**
 * Amounts travel as JSON strings ("12.5"), never as JSON numbers. A number has already been
 * through a binary float in the client's encoder (0.1 + 0.2 arrives as 0.30000000000000004, 1e21
 * as "1e+21"), so accepting one would let a client's float arithmetic decide what it pays. The
 * app's validator coerces scalars to strings (for query strings' sake), which would turn 12.5,
 * true or [5] into "12.5", "true" and "5" before any route saw them; this hook runs before
 * validation and refuses every listed amount field that is present and not a string, with the
 * `invalid_amount` problem a malformed decimal string gets.
 *
 * Each path is a list of property names under the body: `['amount']`, `['scalar', 'lo']`.
 */
export function amountsAreStrings(...paths: readonly (readonly string[])[]) {
  return async (request: FastifyRequest): Promise<void> => {
    for (const path of paths) {
      let value: unknown = request.body
      for (const key of path) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          value = undefined
          break
        }
        value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
      }
      if (value === undefined || typeof value === 'string') continue
      const field = `/body/${path.join('/')}`
      const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a JSON ${typeof value}`
      throw errors.invalidAmount(
        field,
        `${field.slice('/body/'.length)} must be a decimal string such as "12.5", not ${got}`,
      )
    }
  }
}

/** The amount fields of a trade or quote body (schemas.ts `TradeBody`). */
export const tradeAmountsAreStrings = amountsAreStrings(
  ['amount'],
  ['shares'],
  ['max_cost'],
  ['min_shares'],
  ['min_proceeds'],
)
