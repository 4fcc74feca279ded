/**
 * A client of the realtime feed (GET /v1/stream) over a real socket with the `ws` library:
 * requests answered by id, every message kept in arrival order, and waits on what arrives.
 */
import WebSocket from 'ws'

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON messages
export type Message = Record<string, any>

export class FeedClient {
  readonly messages: Message[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  private nextId = 1
  private readonly waiters = new Set<() => void>()

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message)
      for (const wake of this.waiters) wake()
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        for (const wake of this.waiters) wake()
      })
    })
  }

  static connect(address: string, headers: Record<string, string> = {}): Promise<FeedClient> {
    const ws = new WebSocket(`${address.replace(/^http/, 'ws')}/v1/stream`, { headers })
    const client = new FeedClient(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client))
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
    })
  }

  /** Sends a request and resolves with its reply (or pong). */
  async request(body: Message, timeoutMs = 10_000): Promise<Message> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ ...body, id }))
    return this.waitFor((m) => (m.type === 'reply' || m.type === 'pong') && m.id === id, timeoutMs)
  }

  /** The first message (since the start) matching `match`. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match)
        if (found) {
          done()
          resolve(found)
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done()
          reject(new Error(`closed before the message came; got ${JSON.stringify(this.messages.slice(-5))}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out; last messages: ${JSON.stringify(this.messages.slice(-5))}`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(check)
      }
      this.waiters.add(check)
      check()
    })
  }

  /** The events of `channel` received so far. */
  events(channel: string, stream?: string): Message[] {
    return this.messages.filter(
      (m) => m.type === 'event' && m.channel === channel && (stream === undefined || m.stream === stream),
    )
  }

  /** Waits until `channel` has at least `count` events (of `stream`), and returns them. */
  async waitForEvents(
    channel: string,
    count: number,
    stream?: string,
    timeoutMs = 15_000,
  ): Promise<Message[]> {
    await this.waitFor(() => this.events(channel, stream).length >= count, timeoutMs)
    return this.events(channel, stream)
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close()
    return this.closed
  }
}

/** Checks a stream's events follow one another: each one's prev is the one before's seq. */
export function expectContiguous(events: readonly Message[], from: number): number {
  let last = from
  for (const e of events) {
    if (e.prev !== last) throw new Error(`gap: event seq ${e.seq} prev ${e.prev} after ${last}`)
    last = e.seq
  }
  return last
}
