/**
 * Markets and trades through the API (app.inject), for the tests that need some activity to
 * watch: a binary market open for an hour, and buys of its YES outcome.
 */
import { expect } from 'vitest'
import type { TestApp } from './app.js'
import type { TestUser } from './users.js'

export async function openBinaryMarket(
  t: TestApp,
  user: TestUser,
  question: string,
): Promise<{ id: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/markets',
    headers: user.headers,
    payload: {
      question,
      kind: 'binary',
      subsidy: '100',
      close_at: new Date(Date.now() + 3_600_000).toISOString(),
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

/** Buys `shares` of YES; resolves with the trade's id. */
export async function buyYes(t: TestApp, user: TestUser, marketId: string, shares = '1'): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/markets/${marketId}/trades`,
    headers: user.headers,
    payload: { outcome: 'YES', side: 'buy', shares },
  })
  expect(res.statusCode, res.body).toBe(201)
  return (res.json() as { trade: { id: string } }).trade.id
}
