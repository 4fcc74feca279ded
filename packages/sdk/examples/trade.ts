/**
 * A first bot: sign up, open a market, find it in the list, quote, trade, and retry the trade
 * safely with the same Idempotency-Key (the second call is answered with the first trade).
 *
 *   DM_API_URL=http://127.0.0.1:3000 npx tsx packages/sdk/examples/trade.ts
 *
 * In your own project, import from '@decision-markets/sdk' instead of '../src/index.js'.
 */
import { fileURLToPath } from 'node:url'
import { createClient, signUp, unwrap } from '../src/index.js'

export async function tradeExample(baseUrl: string, log: (line: string) => void = console.log) {
  // Local auth confirms at once and grants the new user starting credits.
  const session = await signUp(baseUrl, {
    email: `bot-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    password: 'a long enough password',
  })
  const dm = createClient({ baseUrl, credentials: { session } })

  const market = await unwrap(
    dm.api.POST('/v1/markets', {
      body: {
        question: 'Will the SDK example trade?',
        kind: 'binary',
        subsidy: '100',
        close_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    }),
  )
  log(`opened ${market.slug}`)

  // The newest open markets, first page only (`pages` follows every cursor; see pages.ts).
  const list = await unwrap(dm.api.GET('/v1/markets', { params: { query: { status: 'open', limit: 10 } } }))
  log(`open markets on the first page: ${list.items.length}`)

  const order = { outcome: 'YES', side: 'buy', amount: '10' } as const
  const quote = await dm.quote(market.slug, order)
  log(`10 credits buy ${quote.shares} YES at ${quote.avg_price.toFixed(3)}, fee ${quote.fee}`)

  // Slippage bound: refuse the trade if the price moved so that it buys 5 % fewer shares than quoted.
  const bounded = { ...order, min_shares: (Number(quote.shares) * 0.95).toFixed(6) }
  const placed = await dm.trade(market.slug, bounded)
  log(`bought ${placed.result.trade.shares} YES (trade ${placed.result.trade.id})`)

  // The same key again, as after a timeout: the server answers the first trade, never a second.
  const retried = await dm.trade(market.slug, bounded, { idempotencyKey: placed.idempotencyKey })
  log(
    `retry replayed: ${retried.replayed}, same trade: ${retried.result.trade.id === placed.result.trade.id}`,
  )

  return { market, list, quote, placed, retried }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await tradeExample(process.env.DM_API_URL ?? 'http://127.0.0.1:3000')
}
