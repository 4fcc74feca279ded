/**
 * The Phoenix-channel wire format as Supabase Realtime speaks it, and as @supabase/realtime-js
 * 2.x (node_modules/@supabase/realtime-js/dist/main/lib/serializer.js) writes and reads it. Pure:
 * bytes in, messages out, and back; phoenix.ts does the rest.
 *
 *   vsn 1.0.0: every frame a JSON object {join_ref, ref, topic, event, payload};
 *   vsn 2.0.0 (the client's default): a JSON array [join_ref, ref, topic, event, payload], except
 *     that a client's `broadcast` push whose payload names an event comes as a binary frame
 *     (kind 3, "user broadcast push"): a header of lengths, then join_ref, ref, topic, event,
 *     metadata (latin-1 bytes) and the payload (JSON or raw bytes, by its encoding byte).
 *
 * The server only ever sends JSON text frames: the client decodes both, and text keeps every
 * frame readable in a browser's devtools.
 */

export type Vsn = '1.0.0' | '2.0.0'
export const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0']

export interface PhoenixMessage {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: Record<string, unknown>
}

export type Decoded = { ok: true; message: PhoenixMessage } | { ok: false; reason: string }

const USER_BROADCAST_PUSH = 3
const JSON_ENCODING = 1
/** kind, then the lengths of join_ref, ref, topic, event, metadata, then the encoding byte. */
const PUSH_HEADER = 7

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const refOf = (v: unknown): string | null | undefined =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : undefined

function checked(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Decoded {
  const j = refOf(joinRef)
  const r = refOf(ref)
  if (j === undefined || r === undefined) return { ok: false, reason: 'join_ref and ref are strings or null' }
  if (typeof topic !== 'string' || typeof event !== 'string') {
    return { ok: false, reason: 'topic and event are strings' }
  }
  if (!isObject(payload)) return { ok: false, reason: 'payload is an object' }
  return { ok: true, message: { joinRef: j, ref: r, topic, event, payload } }
}

/** One frame from the client. */
export function decodeFrame(vsn: Vsn, data: string | Uint8Array): Decoded {
  if (typeof data !== 'string') return decodeBinary(data)
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return { ok: false, reason: 'frames are JSON' }
  }
  if (vsn === '1.0.0') {
    if (!isObject(parsed)) return { ok: false, reason: 'vsn 1.0.0 frames are JSON objects' }
    return checked(parsed.join_ref, parsed.ref, parsed.topic, parsed.event, parsed.payload)
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) {
    return { ok: false, reason: 'vsn 2.0.0 frames are [join_ref, ref, topic, event, payload]' }
  }
  return checked(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4])
}

/**
 * A binary user broadcast push, turned into the `broadcast` message the JSON form carries:
 * payload {type: 'broadcast', event, payload, meta?}.
 */
function decodeBinary(bytes: Uint8Array): Decoded {
  if (bytes.length < PUSH_HEADER || bytes[0] !== USER_BROADCAST_PUSH) {
    return { ok: false, reason: 'the only binary frame accepted is a user broadcast push' }
  }
  const lengths = [bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]] as number[]
  const encoding = bytes[6]
  let offset = PUSH_HEADER
  const parts: string[] = []
  for (const length of lengths) {
    if (offset + length > bytes.length) return { ok: false, reason: 'truncated binary frame' }
    parts.push(Buffer.from(bytes.subarray(offset, offset + length)).toString('latin1'))
    offset += length
  }
  const [joinRef, ref, topic, event, metadata] = parts as [string, string, string, string, string]
  const body = bytes.subarray(offset)
  let payload: unknown
  if (encoding === JSON_ENCODING) {
    try {
      payload = JSON.parse(Buffer.from(body).toString('utf8'))
    } catch {
      return { ok: false, reason: 'the broadcast payload is not JSON' }
    }
  } else {
    payload = { bytes: body.length }
  }
  let meta: unknown
  if (metadata !== '') {
    try {
      meta = JSON.parse(metadata)
    } catch {
      return { ok: false, reason: 'the broadcast metadata is not JSON' }
    }
  }
  const inner: Record<string, unknown> = { type: 'broadcast', event, payload }
  if (meta !== undefined) inner.meta = meta
  return checked(joinRef || null, ref || null, topic, 'broadcast', inner)
}

/** One frame to the client. */
export function encodeFrame(vsn: Vsn, m: PhoenixMessage): string {
  if (vsn === '1.0.0') {
    return JSON.stringify({
      join_ref: m.joinRef,
      ref: m.ref,
      topic: m.topic,
      event: m.event,
      payload: m.payload,
    })
  }
  return JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload])
}

/** The answer to a push: `phx_reply` with {status, response}, under the push's refs. */
export function replyTo(
  push: Pick<PhoenixMessage, 'joinRef' | 'ref' | 'topic'>,
  status: 'ok' | 'error',
  response: Record<string, unknown> = {},
): PhoenixMessage {
  return {
    joinRef: push.joinRef,
    ref: push.ref,
    topic: push.topic,
    event: 'phx_reply',
    payload: { status, response },
  }
}

/** A broadcast event as a subscriber's `.on('broadcast', {event}, cb)` receives it. */
export function broadcast(
  topic: string,
  joinRef: string | null,
  event: string,
  payload: Record<string, unknown>,
): PhoenixMessage {
  return { joinRef, ref: null, topic, event: 'broadcast', payload: { type: 'broadcast', event, payload } }
}

/** A server-initiated event on a topic (phx_close, phx_error, system). */
export function push(
  topic: string,
  joinRef: string | null,
  event: string,
  payload: Record<string, unknown> = {},
): PhoenixMessage {
  return { joinRef, ref: null, topic, event, payload }
}

export const TOPIC_PREFIX = 'realtime:'
