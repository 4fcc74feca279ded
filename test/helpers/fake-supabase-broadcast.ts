/**
 * A fake of Supabase Realtime's broadcast REST endpoint (POST /realtime/v1/api/broadcast), on
 * 127.0.0.1: it checks what the real one checks of its caller (the `apikey` header and the
 * bearer token are the project's service key; a JSON body {messages: [{topic, event, payload,
 * private?}]}), answers 202 as the real one does, and keeps what it accepted, in arrival order.
 * It can answer 503 (`failing`) or be stopped and started again on the same port (down).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { stopServer } from './net.js'

export interface Accepted {
  topic: string
  event: string
  // biome-ignore lint/suspicious/noExplicitAny: broadcast payloads are loosely typed JSON
  payload: Record<string, any>
  private?: boolean
}

export class FakeSupabaseBroadcast {
  readonly accepted: Accepted[] = []
  /** Refusals, each with its status, for the tests that check the fake refused. */
  readonly refused: number[] = []
  failing = false
  private server: http.Server | undefined
  private port = 0

  constructor(private readonly serviceKey: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const status = this.handle(req, Buffer.concat(chunks).toString('utf8'))
        if (status !== 202) this.refused.push(status)
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(status === 202 ? '' : JSON.stringify({ message: `refused with ${status}` }))
      })
    })
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Down: nothing listens on the port any more. */
  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await stopServer(server)
  }

  private handle(req: http.IncomingMessage, body: string): number {
    if (req.method !== 'POST' || req.url !== '/realtime/v1/api/broadcast') return 404
    if (req.headers.apikey !== this.serviceKey) return 401
    if (req.headers.authorization !== `Bearer ${this.serviceKey}`) return 401
    if (!String(req.headers['content-type']).startsWith('application/json')) return 415
    if (this.failing) return 503
    let parsed: { messages?: unknown }
    try {
      parsed = JSON.parse(body) as { messages?: unknown }
    } catch {
      return 400
    }
    const messages = parsed.messages
    if (!Array.isArray(messages) || messages.length === 0) return 400
    for (const m of messages as Accepted[]) {
      const ok =
        typeof m === 'object' &&
        m !== null &&
        typeof m.topic === 'string' &&
        typeof m.event === 'string' &&
        typeof m.payload === 'object' &&
        m.payload !== null &&
        (m.private === undefined || typeof m.private === 'boolean')
      if (!ok) return 400
    }
    this.accepted.push(...(messages as Accepted[]))
    return 202
  }

  /** What arrived on `topic` (optionally of `event`), in order. */
  on(topic: string, event?: string): Accepted[] {
    return this.accepted.filter((m) => m.topic === topic && (event === undefined || m.event === event))
  }
}
