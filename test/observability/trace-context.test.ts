import { describe, expect, it } from 'vitest'
import {
  childContext,
  formatTraceparent,
  parseTraceparent,
  readCarrier,
  traceHeaders,
} from '../../src/infra/trace-context.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('traceparent', () => {
  it('reads the example of the W3C specification', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'congo=t61rcWkgMzE')).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      flags: '01',
      tracestate: 'congo=t61rcWkgMzE',
    })
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: '00' })).toBe(`00-${TRACE}-${SPAN}-00`)
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 01 (only 00 is known)', `01-${TRACE}-${SPAN}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['long parent id', `00-${TRACE}-${SPAN}0-01`],
    ['extra field on version 00', `00-${TRACE}-${SPAN}-01-extra`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0g`],
    ['repeated header', [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`]],
  ])('refuses %s (a new trace starts)', (_, header) => {
    expect(parseTraceparent(header as string | undefined)).toBeUndefined()
  })

  it('passes tracestate through, joined when repeated, dropped when oversized or not printable', () => {
    const header = `00-${TRACE}-${SPAN}-01`
    expect(parseTraceparent(header, ['a=1', 'b=2'])?.tracestate).toBe('a=1,b=2')
    expect(parseTraceparent(header, `a=${'x'.repeat(600)}`)?.tracestate).toBeUndefined()
    expect(parseTraceparent(header, 'a=1\u0000')?.tracestate).toBeUndefined()
    // No traceparent, no tracestate: the spec ties one to the other.
    expect(parseTraceparent(undefined, 'a=1')).toBeUndefined()
  })

  it('a child keeps the trace and the flags and has a span id of its own; no parent starts a trace', () => {
    const parent = { traceId: TRACE, spanId: SPAN, flags: '00', tracestate: 'a=1' }
    const child = childContext(parent)
    expect(child).toMatchObject({ traceId: TRACE, flags: '00', tracestate: 'a=1' })
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(child.spanId).not.toBe(SPAN)
    const root = childContext(undefined)
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(root.traceId).not.toBe(childContext(undefined).traceId)
    expect(root.flags).toBe('01')
    // What goes out parses back to itself.
    expect(parseTraceparent(traceHeaders(child).traceparent, traceHeaders(child).tracestate)).toEqual(child)
  })

  it('rides in job data and back; anything else there is no trace', () => {
    const context = { traceId: TRACE, spanId: SPAN, flags: '01' }
    expect(readCarrier({ deliveryId: 'x', ...traceHeaders(context) })).toEqual(context)
    expect(readCarrier({ deliveryId: 'x' })).toBeUndefined()
    expect(readCarrier({ traceparent: 42 })).toBeUndefined()
    expect(readCarrier(null)).toBeUndefined()
  })
})
