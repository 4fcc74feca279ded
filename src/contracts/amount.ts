/**
 * Amounts in request schemas that ajv checks itself (agent settings, whose amounts are stored
 * as the strings sent). The check is `parseAmount`, the one parser of the API, registered as
 * ajv formats, so a schema cannot accept a spelling the parser refuses: the earlier pattern
 * `^\d{1,12}(\.\d{1,6})?$` let "000000000005" through. The error handler turns a failed amount
 * format into an `invalid_amount` problem that states the accepted form.
 */
import { Type } from '@sinclair/typebox'
import { AMOUNT_FORM, MoneyFormatError, parseAmount } from '../domain/money.js'

/**
 * At most 12 digits before the point (under 10^12 credits), as these fields always allowed.
 * No maxLength beside the format: parseAmount refuses anything over 40 characters before its
 * regex runs, and a second error on the same field would only repeat the first.
 */
const MAX_WHOLE_DIGITS = 12

function fits(value: string, allowNegative: boolean): boolean {
  try {
    parseAmount(value, { allowNegative })
  } catch (error) {
    if (error instanceof MoneyFormatError) return false
    throw error
  }
  return (value.replace(/^-/, '').split('.')[0] ?? '').length <= MAX_WHOLE_DIGITS
}

/** ajv formats, registered in app.ts; keys are the `format` values below. */
export const amountFormats = {
  amount: { type: 'string', validate: (value: string) => fits(value, false) },
  'signed-amount': { type: 'string', validate: (value: string) => fits(value, true) },
} as const

/** What a failed amount format says, field by field. */
export const amountFormatMessages: Record<string, string> = {
  amount: `must be ${AMOUNT_FORM}, with at most ${MAX_WHOLE_DIGITS} digits before the point`,
  'signed-amount': `must be ${AMOUNT_FORM}, with at most ${MAX_WHOLE_DIGITS} digits before the point, and may start with "-"`,
}

/** Credits, a decimal string. */
export const Credits = Type.String({
  format: 'amount',
  description: 'Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)',
  examples: ['12.5'],
})

/** A decimal number that may be negative, such as a scalar outcome's bound. */
export const SignedDecimal = Type.String({
  format: 'signed-amount',
  description: 'A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)',
  examples: ['-3.25'],
})
