/**
 * Handling refusals: every error is a `ProblemError` with the problem document's stable `code`,
 * its `status`, `title` and `detail` (and the fields at fault, for validation errors). Here a
 * buy larger than the balance, and a read-only API key that tries to trade.
 *
 *   DM_API_URL=http://127.0.0.1:3000 DM_EMAIL=… DM_PASSWORD=… DM_MARKET=<slug> npx tsx packages/sdk/examples/errors.ts
 */
import { fileURLToPath } from 'node:url'
import { createClient, ProblemError, signIn, unwrap } from '../src/index.js'

async function refusal(attempt: Promise<unknown>): Promise<ProblemError> {
  try {
    await attempt
  } catch (error) {
    if (error instanceof ProblemError) return error
    throw error
  }
  throw new Error('expected the API to refuse')
}

export async function errorsExample(
  baseUrl: string,
  login: { email: string; password: string },
  market: string,
  log: (line: string) => void = console.log,
) {
  const dm = createClient({ baseUrl, credentials: { session: await signIn(baseUrl, login) } })

  const tooBig = await refusal(dm.trade(market, { outcome: 'YES', side: 'buy', amount: '5000' }))
  log(`${tooBig.status} ${tooBig.code}: ${tooBig.detail ?? tooBig.title}`)

  const badAmount = await refusal(dm.quote(market, { outcome: 'YES', side: 'buy', amount: '1.2345678' }))
  log(`${badAmount.status} ${badAmount.code} at ${badAmount.errors.map((e) => e.field).join(', ')}`)

  // A key limited to reading cannot trade.
  const key = await unwrap(dm.api.POST('/v1/me/api-keys', { body: { name: 'reports', scopes: ['read'] } }))
  const reader = createClient({ baseUrl, credentials: { apiKey: key.key } })
  const forbidden = await refusal(reader.trade(market, { outcome: 'YES', side: 'buy', amount: '1' }))
  log(`${forbidden.status} ${forbidden.code}: ${forbidden.detail ?? forbidden.title}`)

  return { tooBig, badAmount, forbidden }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { DM_EMAIL, DM_PASSWORD, DM_MARKET } = process.env
  if (!DM_EMAIL || !DM_PASSWORD || !DM_MARKET) throw new Error('Set DM_EMAIL, DM_PASSWORD and DM_MARKET')
  await errorsExample(
    process.env.DM_API_URL ?? 'http://127.0.0.1:3000',
    { email: DM_EMAIL, password: DM_PASSWORD },
    DM_MARKET,
  )
}
