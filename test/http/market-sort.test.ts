/**
 * GET /v1/markets?sort=…: newest, volume, closing_soon and traders, each in its order with ties
 * broken by id, paged by its own cursor without a gap or a repeat; a cursor of another order or
 * a sort we do not know is a 400 problem naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/money.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const HOUR = 3_600_000
const clock = new TestClock(new Date())
let t: TestApp
let users: TestUser[]

interface Listed {
  id: string
  status: string
  volume: string
  traders: number
  close_at: string
  created_at: string
}

/** Every market of a sort (filtered to this test's markets by their question), page by page. */
async function all(sort: string, limit = 2): Promise<Listed[]> {
  const seen: Listed[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 20; pages++) {
    const query = new URLSearchParams({ sort, limit: String(limit), q: 'sortable' })
    if (cursor) query.set('cursor', cursor)
    const res = await t.app.inject({ url: `/v1/markets?${query}` })
    expect(res.statusCode, res.body).toBe(200)
    const page = res.json() as { items: Listed[]; next_cursor: string | null }
    expect(page.items.length).toBeLessThanOrEqual(limit)
    seen.push(...page.items)
    cursor = page.next_cursor
    if (!cursor) return seen
  }
  throw new Error('too many pages')
}

beforeAll(async () => {
  t = await createTestApp({ clock })
  users = await Promise.all([1, 2, 3, 4].map(() => createTestUser(t)))
  // Five markets: closing in 5, 1, 3, 2 and 4 days; traded by 0, 3, 1, 2 and 1 users with
  // different amounts; the last one closed early (not "closing soon").
  const closing = [5, 1, 3, 2, 4]
  const traders = [0, 3, 1, 2, 1]
  const amounts = ['0', '2', '30', '4', '5']
  const ids: string[] = []
  for (const [i, days] of closing.entries()) {
    clock.advance(1000)
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/markets',
      headers: (users[0] as TestUser).headers,
      payload: {
        question: `Sortable market number ${i}?`,
        kind: 'binary',
        subsidy: '50',
        close_at: new Date(clock.now().getTime() + days * 24 * HOUR).toISOString(),
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    ids.push(res.json().id)
  }
  for (const [i, id] of ids.entries()) {
    for (const user of users.slice(0, traders[i])) {
      clock.advance(1000)
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/markets/${id}/trades`,
        headers: user.headers,
        payload: { side: 'buy', outcome: 'YES', amount: amounts[i] },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
  }
  const close = await t.app.inject({
    method: 'POST',
    url: `/v1/markets/${ids[4]}/close`,
    headers: (users[0] as TestUser).headers,
  })
  expect(close.statusCode, close.body).toBe(200)
})
afterAll(() => t?.close())

const amount = (text: string) => Number(text)

describe('GET /v1/markets?sort=', () => {
  it('newest (the default): by creation, newest first', async () => {
    const listed = await all('newest')
    expect(listed).toHaveLength(5)
    expect(listed.map((m) => m.created_at)).toEqual(
      listed
        .map((m) => m.created_at)
        .sort()
        .reverse(),
    )
    const unsorted = await t.app.inject({ url: '/v1/markets?q=sortable&limit=10' })
    expect(unsorted.json().items.map((m: Listed) => m.id)).toEqual(listed.map((m) => m.id))
  })

  it('volume: largest first, ties by id, every market once across pages', async () => {
    const listed = await all('volume')
    expect(listed).toHaveLength(5)
    const volumes = listed.map((m) => amount(m.volume))
    expect(volumes).toEqual([...volumes].sort((a, b) => b - a))
    expect(volumes[0]).toBeGreaterThan(volumes[1] as number)
    expect(new Set(listed.map((m) => m.id)).size).toBe(5)
    // A page of one at a time gives the same order.
    expect((await all('volume', 1)).map((m) => m.id)).toEqual(listed.map((m) => m.id))
  })

  it('traders: most first, ties broken by id the same way on every page', async () => {
    const listed = await all('traders', 1)
    expect(listed.map((m) => m.traders)).toEqual([3, 2, 1, 1, 0])
    const tied = listed.slice(2, 4).map((m) => m.id)
    expect(tied).toEqual([...tied].sort().reverse())
  })

  it('closing_soon: open markets only, soonest first', async () => {
    const listed = await all('closing_soon')
    expect(listed).toHaveLength(4)
    expect(listed.every((m) => m.status === 'open')).toBe(true)
    const times = listed.map((m) => m.close_at)
    expect(times).toEqual([...times].sort())
  })

  it('refuses a cursor of another order, and a sort it does not know, naming the allowed values', async () => {
    const first = await t.app.inject({ url: '/v1/markets?q=sortable&limit=1&sort=volume' })
    const cursor = first.json().next_cursor as string
    for (const sort of ['newest', 'traders', 'closing_soon']) {
      const res = await t.app.inject({ url: `/v1/markets?sort=${sort}&cursor=${cursor}` })
      expect(res.statusCode, `${sort}: ${res.body}`).toBe(400)
      expect(res.json().code).toBe('validation_failed')
    }
    const forged = Buffer.from('volume:99999999999999999999|x', 'utf8').toString('base64url')
    expect((await t.app.inject({ url: `/v1/markets?sort=volume&cursor=${forged}` })).statusCode).toBe(400)
    const unknown = await t.app.inject({ url: '/v1/markets?sort=popular' })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().code).toBe('validation_failed')
    expect(unknown.body).toContain('sort')
  })
})
