/**
 * Anyone can check the decision: from public GETs alone (the market with its decision part, each
 * branch's price history, and the observations endpoint), an independent few-line lagging TWAP
 * gives back every branch's reported score. A decision from proposals is the hard case: its
 * market is created, then opens later, and the scores start at the opening, not the creation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decideMarket } from '../../src/services/decisions/decide.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { TestClock } from '../helpers/clock.js'
import { call as callAs } from '../helpers/http.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

const T0 = Date.parse('2032-05-01T00:00:00Z')
const clock = new TestClock(new Date(T0))
let t: TestApp
let operator: TestUser
let traders: TestUser[]

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_ACCESS_TOKEN_TTL_S: '86400' } })
  operator = await createTestUser(t)
  traders = [await createTestUser(t), await createTestUser(t), await createTestUser(t)]
})
afterAll(() => t?.close())

// biome-ignore lint/suspicious/noExplicitAny: the test reads loosely typed public JSON
type Json = Record<string, any>
const call = (method: string, url: string, user?: TestUser, payload?: unknown) =>
  callAs<Json>(t, method, url, user, payload)
/** Only what an anonymous client can read. */
async function publicGet(url: string): Promise<Json> {
  const res = await call('GET', url)
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200)
  return res.body
}

interface Point {
  at: string
  prices: number[]
}

/**
 * The lagging TWAP as the API documents it, written here from the description, not from the
 * domain module: observation k at opened_at + k·interval, the first the opening score, each
 * next one stepping at most max_step toward the score of the last price point at or before
 * it; the score is the mean of those in [window_start, window_end]. Binary: the score is P(YES).
 */
function recompute(
  points: Point[],
  p: { opened: number; start: number; end: number; interval: number; step: number },
) {
  const score = (prices: number[]) => (prices[0] as number) / prices.reduce((a, b) => a + b, 0)
  const observations: Array<{ at: number; value: number }> = []
  let observation = score((points[0] as Point).prices)
  let current = observation
  let next = 1
  for (let k = 0; p.opened + k * p.interval <= p.end; k++) {
    const at = p.opened + k * p.interval
    if (k > 0) {
      while (next < points.length && Date.parse((points[next] as Point).at) <= at) {
        current = score((points[next] as Point).prices)
        next++
      }
      const delta = current - observation
      observation = Math.abs(delta) <= p.step ? current : observation + Math.sign(delta) * p.step
    }
    observations.push({ at, value: observation })
  }
  const inWindow = observations.filter((o) => o.at >= p.start)
  return { observations, score: inWindow.reduce((sum, o) => sum + o.value, 0) / inWindow.length }
}

async function checkFromPublicData(marketId: string) {
  const market = await publicGet(`/v1/markets/${marketId}`)
  const { rule, scoring, scores } = market.decision
  const params = {
    opened: Date.parse(scoring.opened_at),
    start: Date.parse(scoring.window_start),
    end: Date.parse(scoring.window_end),
    interval: rule.twap_interval_seconds * 1000,
    step: rule.twap_max_step_bps / 10_000,
  }
  const recomputed: number[] = []
  for (const branch of market.branches as Array<{ index: number }>) {
    const points: Point[] = []
    let cursor: string | null = null
    do {
      const page: Json = await publicGet(
        `/v1/markets/${marketId}/history?branch=${branch.index}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      )
      points.push(...page.points)
      cursor = page.next_cursor
    } while (cursor)
    // The price path starts where the scores do: at the opening, not at the market's creation.
    expect(points[0]?.at).toBe(scoring.opened_at)
    const mine = recompute(
      points.filter((pt) => Date.parse(pt.at) <= params.end),
      params,
    )
    const reported = scores.find((s: Json) => s.branch === branch.index)
    expect(mine.score, `branch ${branch.index}`).toBeCloseTo(reported.score, 10)
    expect(mine.observations.filter((o) => o.at >= params.start)).toHaveLength(reported.observations)
    recomputed.push(mine.score)

    // The observations endpoint shows each of them, and they are the same.
    const shown: Json[] = []
    cursor = null
    do {
      const page: Json = await publicGet(
        `/v1/markets/${marketId}/decision/observations?branch=${branch.index}&limit=25${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(page).toMatchObject({
        opened_at: scoring.opened_at,
        window_start: scoring.window_start,
        window_end: scoring.window_end,
        interval_seconds: rule.twap_interval_seconds,
        max_step_bps: rule.twap_max_step_bps,
        threshold_bps: rule.threshold_bps,
      })
      expect(page.score).toBe(reported.score)
      shown.push(...page.observations)
      cursor = page.next_cursor
    } while (cursor)
    expect(shown).toHaveLength(mine.observations.length)
    shown.forEach((o, k) => {
      expect(Date.parse(o.at)).toBe(mine.observations[k]?.at)
      expect(o.value).toBeCloseTo(mine.observations[k]?.value as number, 10)
      expect(o.in_window).toBe(Date.parse(o.at) >= params.start)
    })
  }
  return { market, recomputed }
}

describe('decision scores recomputed from public data', () => {
  it('a decision from proposals, opened long after its creation, live and decided', async () => {
    const agent = await call('POST', '/v1/agents', operator, {
      name: 'Auditable agent',
      objective: { kind: 'binary', measurement: 'The plan pays off' },
      action_source: 'proposals',
      default_action: 'Status quo',
      decision_rule: {
        min_traders: 1,
        min_volume: '1',
        threshold_bps: 200,
        twap_interval_seconds: 60,
        twap_window_seconds: 1800,
        twap_max_step_bps: 150,
      },
      liquidity_per_decision: '20',
      delivery: { type: 'polling' },
    })
    expect(agent.status, JSON.stringify(agent.body)).toBe(201)
    const opened = await call('POST', `/v1/agents/${agent.body.id}/decisions`, operator, {
      question: 'Which plan?',
      decide_at: new Date(T0 + 2 * 3_600_000).toISOString(),
      close_at: new Date(T0 + 3 * 3_600_000).toISOString(),
    })
    const marketId = opened.body.market.id
    for (const label of ['Plan X', 'Plan Y']) {
      const proposal = await call('POST', `/v1/markets/${marketId}/proposals`, traders[0], { label })
      await call('POST', `/v1/markets/${marketId}/proposals/${proposal.body.id}/review`, operator, {
        status: 'admitted',
      })
    }
    // Opens 17 min 13 s after creation: off the creation's minute grid.
    clock.current = new Date(T0 + 17 * 60_000 + 13_000)
    expect((await call('POST', `/v1/markets/${marketId}/open`, operator)).status).toBe(200)

    const [alice, bob, carol] = traders as [TestUser, TestUser, TestUser]
    const trade = async (atMs: number, user: TestUser, branch: number, outcome: string, amount: string) => {
      clock.current = new Date(atMs)
      const res = await call('POST', `/v1/markets/${marketId}/trades`, user, {
        branch,
        outcome,
        side: 'buy',
        amount,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    const openedAt = clock.now().getTime()
    await trade(openedAt + 5_000, alice, 1, 'YES', '12')
    await trade(openedAt + 5_000, bob, 1, 'NO', '3') // same instant: the later trade wins
    await trade(openedAt + 7 * 60_000 + 30_000, carol, 2, 'YES', '8')
    await trade(openedAt + 41 * 60_000, bob, 0, 'NO', '6')
    await trade(openedAt + 60 * 60_000, alice, 2, 'YES', '20')
    await trade(openedAt + 60 * 60_000 + 59_999, carol, 1, 'YES', '9')

    clock.current = new Date(openedAt + 75 * 60_000 + 17_000)
    await checkFromPublicData(marketId)

    // Trades in the last minutes (the whale the lag is for), then the decision.
    await trade(T0 + 2 * 3_600_000 - 30_000, bob, 0, 'YES', '150')
    clock.current = new Date(T0 + 2 * 3_600_000)
    const record = await decideMarket(t.ctx, marketId, { kind: 'deadline' })
    expect(record?.reason).toBeDefined()
    const { market, recomputed } = await checkFromPublicData(marketId)
    expect(market.status).toBe('decided')

    // And the choice follows from the recomputed scores and the threshold.
    const defaultBranch = market.decision.default_branch as number
    const best = recomputed.indexOf(Math.max(...recomputed))
    const margin = (recomputed[best] as number) - (recomputed[defaultBranch] as number)
    const threshold = market.decision.rule.threshold_bps / 10_000
    expect(Math.abs(margin - threshold)).toBeGreaterThan(1e-6) // not a knife-edge case
    expect(market.decision.result.chosen.branch).toBe(margin > threshold ? best : defaultBranch)
  })
})
