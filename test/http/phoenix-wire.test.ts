/**
 * The Phoenix wire format (src/http/routes/stream/phoenix-wire.ts) against the real client's own
 * serializer (@supabase/realtime-js's lib/serializer.js, vsn 2.0.0): what it encodes we decode,
 * what we encode it decodes, including the binary frame it uses for a client broadcast.
 */
import Serializer from '@supabase/realtime-js/dist/main/lib/serializer.js'
import { describe, expect, it } from 'vitest'
import {
  broadcast,
  decodeFrame,
  encodeFrame,
  push,
  replyTo,
} from '../../src/http/routes/stream/phoenix-wire.js'

// biome-ignore lint/suspicious/noExplicitAny: the client's serializer is untyped CommonJS
const client = new ((Serializer as any).default ?? Serializer)()
// biome-ignore lint/suspicious/noExplicitAny: messages as the client sees them
const clientEncode = (msg: Record<string, unknown>): any => client.encode(msg, (x: unknown) => x)
// biome-ignore lint/suspicious/noExplicitAny: messages as the client sees them
const clientDecode = (raw: unknown): any => client.decode(raw, (x: unknown) => x)

describe('vsn 2.0.0, as realtime-js writes it', () => {
  it('decodes a join, a heartbeat and a leave (JSON arrays)', () => {
    const join = clientEncode({
      join_ref: '1',
      ref: '1',
      topic: 'realtime:markets',
      event: 'phx_join',
      payload: { config: { broadcast: { ack: false, self: false } }, access_token: 'tok' },
    })
    expect(decodeFrame('2.0.0', join)).toEqual({
      ok: true,
      message: {
        joinRef: '1',
        ref: '1',
        topic: 'realtime:markets',
        event: 'phx_join',
        payload: { config: { broadcast: { ack: false, self: false } }, access_token: 'tok' },
      },
    })
    const beat = clientEncode({ join_ref: null, ref: '7', topic: 'phoenix', event: 'heartbeat', payload: {} })
    expect(decodeFrame('2.0.0', beat)).toMatchObject({
      ok: true,
      message: { joinRef: null, ref: '7', topic: 'phoenix' },
    })
  })

  it('decodes a client broadcast, which the client sends as a binary frame', () => {
    const frame = clientEncode({
      join_ref: '3',
      ref: '4',
      topic: 'realtime:market:abc',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'resume', payload: { from: { b0: 12 } } },
    }) as ArrayBuffer
    expect(frame).toBeInstanceOf(ArrayBuffer)
    expect(decodeFrame('2.0.0', new Uint8Array(frame))).toEqual({
      ok: true,
      message: {
        joinRef: '3',
        ref: '4',
        topic: 'realtime:market:abc',
        event: 'broadcast',
        payload: { type: 'broadcast', event: 'resume', payload: { from: { b0: 12 } } },
      },
    })
  })

  it('what we send, the client reads: replies, broadcasts, server pushes', () => {
    const join = { joinRef: '1', ref: '2', topic: 'realtime:markets' }
    expect(clientDecode(encodeFrame('2.0.0', replyTo(join, 'error', { reason: 'no' })))).toEqual({
      join_ref: '1',
      ref: '2',
      topic: 'realtime:markets',
      event: 'phx_reply',
      payload: { status: 'error', response: { reason: 'no' } },
    })
    expect(
      clientDecode(encodeFrame('2.0.0', broadcast('realtime:markets', '1', 'trade', { seq: 3 }))),
    ).toEqual({
      join_ref: '1',
      ref: null,
      topic: 'realtime:markets',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'trade', payload: { seq: 3 } },
    })
    expect(clientDecode(encodeFrame('2.0.0', push('realtime:user', '5', 'phx_close')))).toMatchObject({
      event: 'phx_close',
      join_ref: '5',
      payload: {},
    })
  })
})

describe('vsn 1.0.0 (JSON objects)', () => {
  it('round-trips', () => {
    const text = encodeFrame('1.0.0', replyTo({ joinRef: null, ref: '9', topic: 'phoenix' }, 'ok'))
    expect(JSON.parse(text)).toEqual({
      join_ref: null,
      ref: '9',
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
    })
    expect(
      decodeFrame(
        '1.0.0',
        JSON.stringify({ join_ref: null, ref: '1', topic: 'phoenix', event: 'heartbeat', payload: {} }),
      ),
    ).toMatchObject({ ok: true, message: { event: 'heartbeat' } })
  })
})

describe('malformed frames are refused with a reason, never thrown', () => {
  it.each([
    ['not JSON', '{'],
    ['an object on 2.0.0', '{"topic":"x"}'],
    ['four elements', '[null,"1","t","e"]'],
    ['a numeric ref', '[null,1,"t","e",{}]'],
    ['a non-object payload', '[null,"1","t","e",[]]'],
    ['a missing topic', '[null,"1",null,"e",{}]'],
  ])('%s', (_name, frame) => {
    const decoded = decodeFrame('2.0.0', frame)
    expect(decoded.ok).toBe(false)
  })

  it('binary frames other than a user broadcast push, truncated ones, bad JSON inside', () => {
    expect(decodeFrame('2.0.0', new Uint8Array([4, 0, 0, 0, 0, 0, 1]))).toMatchObject({ ok: false })
    expect(decodeFrame('2.0.0', new Uint8Array([3, 5, 0, 0, 0, 0, 1, 65]))).toMatchObject({
      ok: false,
      reason: 'truncated binary frame',
    })
    const badJson = new Uint8Array([3, 0, 0, 1, 1, 0, 1, 116, 101, 123])
    expect(decodeFrame('2.0.0', badJson)).toMatchObject({
      ok: false,
      reason: 'the broadcast payload is not JSON',
    })
    expect(decodeFrame('2.0.0', new Uint8Array([3]))).toMatchObject({ ok: false })
  })
})
