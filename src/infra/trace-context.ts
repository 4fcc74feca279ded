/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
 * headers that tie one request's work together across processes. Pure: parsing, formatting and
 * fresh ids, with no dependency on OpenTelemetry, so propagation works (and costs two random
 * ids per request) whether or not traces are exported.
 */
import { randomFillSync } from 'node:crypto'

export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string
  /** The id of the span this context names (16 hex digits): the parent of what it starts. */
  readonly spanId: string
  /** Trace flags as two hex digits; `01` = sampled. */
  readonly flags: string
  /** The caller's `tracestate`, passed on unchanged (we add no entry of our own). */
  readonly tracestate?: string
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ALL_ZERO = /^0+$/
/** The spec asks propagators to keep at least 512 characters; longer ones are dropped whole. */
const MAX_TRACESTATE = 512
/** Printable ASCII without control characters, as tracestate's list-members are. */
const TRACESTATE = /^[\x20-\x7e]*$/

/**
 * The incoming context, or undefined when `traceparent` is absent or malformed (the caller
 * then starts a new trace). Only version 00 is accepted: its format is exactly 55 characters,
 * lower-case hex, trace id and parent id not all zero. A later version's extra fields would be
 * guessing, and starting a new trace is what the spec allows.
 */
export function parseTraceparent(
  traceparent: string | string[] | undefined,
  tracestate?: string | string[] | undefined,
): TraceContext | undefined {
  if (typeof traceparent !== 'string') return undefined
  const match = TRACEPARENT.exec(traceparent.trim())
  if (!match) return undefined
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string]
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined
  // Node joins repeated tracestate headers with ", ", which is how the spec combines them.
  const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate?.trim()
  const keepState = state && state.length <= MAX_TRACESTATE && TRACESTATE.test(state)
  return { traceId, spanId, flags, ...(keepState ? { tracestate: state } : {}) }
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`
}

/** The headers an outgoing call carries to continue `context` (its span is the callee's parent). */
export function traceHeaders(context: TraceContext | undefined): Record<string, string> {
  if (!context) return {}
  return {
    traceparent: formatTraceparent(context),
    ...(context.tracestate ? { tracestate: context.tracestate } : {}),
  }
}

/**
 * Ids come from a pool of random bytes refilled 4 KiB at a time: one getrandom call per id
 * (24 bytes a request) cost ~30 µs a span on this machine, the pool a small fraction of that.
 */
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let poolOffset = POOL_BYTES

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL_BYTES) {
      randomFillSync(pool)
      poolOffset = 0
    }
    const start = poolOffset
    poolOffset += bytes
    const id = pool.toString('hex', start, start + bytes)
    // All zero is the one invalid id; at 2^-64 it is theory, but the check costs nothing.
    if (!ALL_ZERO.test(id)) return id
  }
}

export const newTraceId = () => randomHex(16)
export const newSpanId = () => randomHex(8)

/**
 * A child of `parent` (same trace, a new span id), or the root of a new sampled trace. What a
 * span is when nothing records it: the ids still travel, so a receiver's traces line up.
 */
export function childContext(parent: TraceContext | undefined): TraceContext {
  if (!parent) return { traceId: newTraceId(), spanId: newSpanId(), flags: '01' }
  return { ...parent, spanId: newSpanId() }
}

/** How a trace context rides in a job's data (jobs run later, in the worker). */
export interface TraceCarrier {
  traceparent?: string
  tracestate?: string
}

export function carryTrace(context: TraceContext | undefined): TraceCarrier {
  return traceHeaders(context)
}

export function readCarrier(data: unknown): TraceContext | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const carrier = data as TraceCarrier
  return parseTraceparent(carrier.traceparent, carrier.tracestate)
}
