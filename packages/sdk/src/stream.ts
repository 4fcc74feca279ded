/**
 * The realtime feed over Server-Sent Events (GET /v1/stream/sse?channel=…, docs/realtime.md):
 * one channel as an async iterator of its events. The first event is `snapshot`; each later one
 * is named by its type (`fill`, `trade`, `price`, `status`, …) and its `id` is the cursor after
 * it. A dropped connection is reopened with that id as `Last-Event-ID`, so the server resumes
 * exactly after the last event received: none lost, none twice. When the cursor is too far
 * behind the server says `too_old`; the stream then starts over from a fresh `snapshot`.
 */

export interface StreamEvent {
  /** `snapshot`, `too_old`, or the feed event's type. */
  event: string
  /** The cursor after this event (absent on notices). */
  id: string | undefined
  data: unknown
}

export interface StreamOptions {
  /** Resume after this event id (a cursor from an earlier stream) instead of a snapshot. */
  lastEventId?: string
  /** Ends the iteration (and the connection). */
  signal?: AbortSignal
  /** Reconnections in a row without an event before giving up; default 5. */
  reconnects?: number
}

type Fetch = (request: Request) => Promise<Response>

/** SSE frames from a byte stream: `id`, `event` and `data` fields; comments (heartbeats) skipped. */
async function* frames(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      end = buffer.indexOf('\n\n')
      let id: string | undefined
      let event = 'message'
      const data: string[] = []
      for (const line of frame.split('\n')) {
        if (line === '' || line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'id') id = value
        else if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
      if (data.length > 0) yield { event, id, data: JSON.parse(data.join('\n')) }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function* streamEvents(
  baseUrl: string,
  fetchImpl: Fetch,
  problem: (response: Response, body: unknown) => Error,
  channel: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamEvent> {
  let lastEventId = options.lastEventId
  let failures = 0
  const limit = options.reconnects ?? 5
  while (!options.signal?.aborted) {
    const url = new URL('/v1/stream/sse', baseUrl)
    url.searchParams.set('channel', channel)
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (lastEventId) headers['last-event-id'] = lastEventId
    let response: Response
    try {
      response = await fetchImpl(
        new Request(url, { headers, ...(options.signal ? { signal: options.signal } : {}) }),
      )
    } catch (error) {
      if (options.signal?.aborted) return
      if (++failures > limit) throw error
      await sleep(100 * 2 ** failures)
      continue
    }
    if (!response.ok || !response.body) {
      // A refusal (unknown channel, no credential for `user`) will not change on a retry.
      throw problem(response, await response.json().catch(() => undefined))
    }
    try {
      for await (const frame of frames(response.body)) {
        failures = 0
        if (frame.event === 'too_old') lastEventId = undefined
        else if (frame.id !== undefined) lastEventId = frame.id
        yield frame
      }
    } catch (error) {
      if (options.signal?.aborted) return
      if (++failures > limit) throw error
    }
    // The server ended the stream (too_old, shutdown) or the connection dropped: open it again.
    if (!options.signal?.aborted) await sleep(failures > 0 ? 100 * 2 ** failures : 0)
  }
}
