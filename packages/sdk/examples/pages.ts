/**
 * Following your fills: every trade of yours, page after page (`pages` follows `next_cursor`),
 * then your positions and portfolio. Uses an API key with the `read` scope, as a reporting job
 * would.
 *
 *   DM_API_URL=http://127.0.0.1:3000 DM_API_KEY=dm_… npx tsx packages/sdk/examples/pages.ts
 */
import { fileURLToPath } from 'node:url'
import { createClient, unwrap } from '../src/index.js'

export async function pagesExample(
  baseUrl: string,
  apiKey: string,
  log: (line: string) => void = console.log,
) {
  const dm = createClient({ baseUrl, credentials: { apiKey } })

  const trades = []
  // A small page size only to show the paging; the default is 50 a page.
  for await (const trade of dm.pages('/v1/me/trades', { query: { limit: 2 } })) {
    trades.push(trade)
    log(`${trade.created_at} ${trade.side} ${trade.shares} ${trade.outcome.label} in ${trade.question}`)
  }

  const positions = []
  for await (const position of dm.pages('/v1/me/positions')) positions.push(position)
  const portfolio = await unwrap(dm.api.GET('/v1/me/portfolio'))
  log(`${trades.length} trades, ${positions.length} positions, total ${portfolio.total} credits`)
  return { trades, positions, portfolio }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const apiKey = process.env.DM_API_KEY
  if (!apiKey) throw new Error('Set DM_API_KEY (create one at POST /v1/me/api-keys)')
  await pagesExample(process.env.DM_API_URL ?? 'http://127.0.0.1:3000', apiKey)
}
