/**
 * A stop is not held up by a client that connected and sent nothing: Node counts such a
 * connection as busy (waiting for its headers) until headersTimeout, so the server's close
 * waited ~70 s for one (a test's stray connection made every close of its app that long). It is
 * dropped at the stop (a connection that sent a request is drained as before: server.test.ts).
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.js'

describe('stopping the HTTP server', () => {
  it('drops a connection that has sent nothing instead of waiting for its headers', async () => {
    const t = await createTestApp()
    const address = new URL(await t.app.listen({ host: '127.0.0.1', port: 0 }))
    const silent = net.connect(Number(address.port), '127.0.0.1')
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()))
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()))

    const closed = t.close().then(() => 'closed' as const)
    const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 20_000).unref())
    expect(await Promise.race([closed, stuck])).toBe('closed')
    await silentClosed
  }, 40_000)
})
