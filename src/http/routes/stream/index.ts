/**
 * The realtime feed's routes: GET /v1/stream (WebSocket, websocket.ts) and
 * GET /v1/stream/sse (Server-Sent Events of the public channels, sse.ts), over one feed per
 * process (services/realtime/feed.ts). Public: the `user` channel asks for a credential itself.
 *
 * Shutdown: Fastify's preClose (before it stops accepting and waits for requests) closes every
 * WebSocket with 1001 "going away" and ends every SSE stream, so a stop is not held up by
 * connections that never end by themselves; the feed's poll stops with the app, before the pool
 * closes (src/start/server.ts closes the app first).
 */
import { errors } from '../../../errors/codes.js'
import { createFeed } from '../../../services/realtime/feed.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { refuseUpgrade } from './connection.js'
import { createPhoenixServer, PHOENIX_PATH } from './phoenix.js'
import { registerSse } from './sse.js'
import { createStreamServer, STREAM_PATH } from './websocket.js'

export const streamRoutes: RouteModule = (app, ctx) => {
  const feed = createFeed(ctx, {
    pollMs: ctx.config.REALTIME_POLL_MS,
    resumeMax: ctx.config.REALTIME_RESUME_MAX,
  })
  const stream = createStreamServer(ctx, feed)
  // The Supabase Realtime protocol over the same feed (phoenix.ts).
  const phoenix = createPhoenixServer(ctx, feed)
  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0]
    if (path === STREAM_PATH) return stream.handleUpgrade(request, socket, head)
    if (path === PHOENIX_PATH) return phoenix.handleUpgrade(request, socket, head)
    // Another path's upgrade is another listener's (or nobody's: then refused here).
    if (app.server.listenerCount('upgrade') === 1) {
      refuseUpgrade(socket, 404, 'Not Found')
    }
  })
  const endSse = registerSse(app, ctx, feed)
  app.addHook('preClose', async () => {
    stream.close()
    phoenix.close()
    endSse()
  })
  app.addHook('onClose', async () => feed.close())

  // Reached only without an Upgrade header: the feed is a WebSocket.
  app.get(
    STREAM_PATH,
    {
      schema: {
        tags: ['realtime'],
        summary: 'Realtime feed (WebSocket; protocol in docs/realtime.md)',
        description:
          'Connect with a WebSocket client. Channels: market:<id>, market:<id>:trades, markets, user. ' +
          'Every event carries a per-stream sequence number from the database; resume replays missed ' +
          'events. Close codes: 1001 going away (shutdown), 1008 policy, 1009 message too big, ' +
          '4001 credential revoked (a `user` subscription), 4008 slow consumer.',
        response: problemResponses(426),
      },
    },
    async () => {
      throw errors.upgradeRequired('GET /v1/stream is a WebSocket: connect with Upgrade: websocket')
    },
  )
}
