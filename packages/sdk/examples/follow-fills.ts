/**
 * Following your fills live: the `user` channel of the realtime feed carries every posting of
 * your cash (fills, grants, payouts, refunds) the moment it commits. This bot trades and waits
 * for the fill of that trade to arrive on the stream.
 *
 *   DM_API_URL=http://127.0.0.1:3000 DM_API_KEY=dm_… DM_MARKET=<slug> npx tsx packages/sdk/examples/follow-fills.ts
 */
import { fileURLToPath } from 'node:url'
import { createClient, type StreamEvent } from '../src/index.js'

export async function followFillsExample(
  baseUrl: string,
  apiKey: string,
  market: string,
  log: (line: string) => void = console.log,
) {
  const dm = createClient({ baseUrl, credentials: { apiKey } })
  const stop = new AbortController()
  const events = dm.stream('user', { signal: stop.signal })[Symbol.asyncIterator]()
  try {
    // The first event is the snapshot: from here on nothing is missed.
    const snapshot = await events.next()
    log(`subscribed (${snapshot.value?.event})`)

    const placed = await dm.trade(market, { outcome: 'YES', side: 'buy', amount: '2' })
    const tradeId = placed.result.trade.id
    const received: StreamEvent[] = []
    for (let next = await events.next(); !next.done; next = await events.next()) {
      received.push(next.value)
      log(`${next.value.event}: ${JSON.stringify(next.value.data)}`)
      if (next.value.event === 'fill' && JSON.stringify(next.value.data).includes(tradeId)) break
    }
    return { placed, received }
  } finally {
    stop.abort()
    await events.return?.(undefined)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { DM_API_KEY, DM_MARKET } = process.env
  if (!DM_API_KEY || !DM_MARKET) throw new Error('Set DM_API_KEY (scopes read and trade) and DM_MARKET')
  await followFillsExample(process.env.DM_API_URL ?? 'http://127.0.0.1:3000', DM_API_KEY, DM_MARKET)
}
