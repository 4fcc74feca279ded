/**
 * The amount parser's messages, written out in full. They are part of the API's contract: the
 * HTTP layer puts them in the `detail` of the 400 problem document, and a client is told there
 * what to write instead. The other money tests build the expected text from AMOUNT_FORM itself,
 * so they could not notice that text going empty (mutation testing found it); these spell it out.
 */
import { describe, expect, it } from 'vitest'
import {
  AMOUNT_FORM,
  MoneyFormatError,
  type ParseAmountOptions,
  parseAmount,
} from '../../src/domain/money.js'

const FORM =
  'a decimal string such as "12.5": digits without leading zeros (a single "0" before the point), ' +
  'optionally "." and 1 to 6 digits'

function refusal(s: string, options?: ParseAmountOptions): MoneyFormatError {
  try {
    parseAmount(s, options)
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyFormatError)
    return error as MoneyFormatError
  }
  return expect.unreachable(`${JSON.stringify(s)} was accepted`)
}

describe('parseAmount messages, in full', () => {
  it('states the accepted form in words', () => {
    expect(AMOUNT_FORM).toBe(FORM)
  })

  it('a syntax error names the value and the accepted form', () => {
    const e = refusal('1e3', { name: 'max_cost' })
    expect(e.reason).toBe('syntax')
    expect(e.code).toBe('invalid_amount')
    expect(e.input).toBe('1e3')
    expect(e.message).toBe(`max_cost "1e3" is not a plain decimal number; write ${FORM}`)
  })

  it('leading zeros: says the canonical spelling, sign and decimals kept', () => {
    const e = refusal('-000.50', { allowNegative: true })
    expect(e.reason).toBe('leading_zeros')
    expect(e.message).toBe(`amount "-000.50" has leading zeros; write "-0.50" (${FORM})`)
    expect(refusal('00').message).toBe(`amount "00" has leading zeros; write "0" (${FORM})`)
  })

  it('negative zero: says to drop the sign', () => {
    const e = refusal('-0.00', { allowNegative: true, name: 'low' })
    expect(e.reason).toBe('negative_zero')
    expect(e.input).toBe('-0.00')
    expect(e.message).toBe('low "-0.00" is zero; write it without "-"')
  })

  it('a sign where none is allowed, and too many decimals', () => {
    expect(refusal('-1').message).toBe('amount "-1" must not be negative')
    expect(refusal('1.1234567', { name: 'price' }).message).toBe(
      'price "1.1234567" has 7 decimals; at most 6 are allowed',
    )
  })
})
