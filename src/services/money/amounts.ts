/**
 * Amounts as requests carry them: decimal strings, parsed once at the edge of a use case into
 * micro-units, with a 400 naming the field. Markets, trades, resolutions and grants share it.
 */
import { MoneyFormatError, parseAmount } from '../../domain/money.js'
import { errors } from '../../errors/codes.js'

/** Parses a decimal amount from a request, naming the field in the 400 when it is malformed. */
export function amountField(value: string, field: string, options: { allowNegative?: boolean } = {}): bigint {
  // The messages name the field as the caller wrote it: "max_cost", "scalar/lo".
  const name = field.replace(/^\/body\//, '')
  let units: bigint
  try {
    units = parseAmount(value, { ...options, name })
  } catch (error) {
    if (error instanceof MoneyFormatError) throw errors.invalidAmount(field, error.message)
    throw error
  }
  // Stored in bigint (int8) columns: anything beyond is refused here, not by the database.
  if (units > INT8_MAX || units < -INT8_MAX) {
    throw errors.invalidAmount(field, `${name} ${JSON.stringify(value)} is too large`)
  }
  return units
}

const INT8_MAX = 9_223_372_036_854_775_807n
