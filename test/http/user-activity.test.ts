/**
 * Another trader's activity, as a bot author follows it: GET /v1/users/{username}/trades and
 * /positions, public (anonymous or signed in as someone else), paged, filtered by market; cash
 * and the ledger stay the owner's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { buyYes, openBinaryMarket } from '../helpers/markets.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

let t: TestApp
let alice: TestUser
let bob: TestUser
let aliceName: string
let markets: { id: string }[]
const tradeIds: string[] = []

beforeAll(async () => {
  t = await createTestApp()
  alice = await createTestUser(t)
  bob = await createTestUser(t)
  aliceName = (await t.app.inject({ method: 'GET', url: '/v1/me', headers: alice.headers })).json().username
  markets = [
    await openBinaryMarket(t, bob, 'Activity, first?'),
    await openBinaryMarket(t, bob, 'Activity, second?'),
  ]
  for (const market of markets) {
    tradeIds.push(await buyYes(t, alice, market.id, '2'))
    tradeIds.push(await buyYes(t, alice, market.id, '3'))
  }
  await buyYes(t, bob, markets[0]?.id as string, '1')
})
afterAll(() => t.close())

describe("a user's public activity", () => {
  it('lists their trades newest first, to anyone, paged and filtered by market', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: `/v1/users/${aliceName}/trades?limit=3` })
    expect(anonymous.statusCode, anonymous.body).toBe(200)
    const first = anonymous.json()
    expect(first.items.map((trade: { id: string }) => trade.id)).toEqual([...tradeIds].reverse().slice(0, 3))
    expect(
      first.items.every((trade: { trader: { username: string } }) => trade.trader.username === aliceName),
    ).toBe(true)
    const rest = await t.app.inject({
      method: 'GET',
      url: `/v1/users/${aliceName}/trades?limit=3&cursor=${first.next_cursor}`,
    })
    expect(rest.json().items.map((trade: { id: string }) => trade.id)).toEqual([tradeIds[0]])
    expect(rest.json().next_cursor).toBeNull()

    const oneMarket = await t.app.inject({
      method: 'GET',
      url: `/v1/users/${aliceName}/trades?market_id=${markets[0]?.id}`,
      headers: bob.headers,
    })
    expect(oneMarket.json().items.map((trade: { id: string }) => trade.id)).toEqual([
      tradeIds[1],
      tradeIds[0],
    ])
  })

  it('lists their open positions valued at current prices, to anyone', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/users/${aliceName}/positions`,
      headers: bob.headers,
    })
    expect(res.statusCode, res.body).toBe(200)
    const positions = res.json().items as Array<{
      market: { id: string }
      shares: string
      outcome: { label: string }
    }>
    expect(positions.map((p) => [p.market.id, p.outcome.label, p.shares]).sort()).toEqual(
      markets.map((m) => [m.id, 'YES', '5']).sort(),
    )
    // The same as the owner sees under /v1/me/positions.
    const own = await t.app.inject({ method: 'GET', url: '/v1/me/positions', headers: alice.headers })
    expect(res.json().items).toEqual(own.json().items)
  })

  it('answers 404 for an unknown user and 400 for a bad query; cash stays private', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/users/nobody_like_this/trades' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'not_found' })
    const bad = await t.app.inject({ method: 'GET', url: `/v1/users/${aliceName}/positions?status=maybe` })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    const cash = await t.app.inject({ method: 'GET', url: `/v1/users/${aliceName}/ledger` })
    expect(cash.statusCode).toBe(404)
  })
})
