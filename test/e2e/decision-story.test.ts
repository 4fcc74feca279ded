/**
 * The story the platform exists for, end to end over a real socket, with the job queue's
 * workers running: an operator creates an agent with three actions; its LLM (a local server
 * speaking the chat-completions protocol) prefers A; three traders trade and the market favours
 * C; at decide_at the worker decides C and delivers it to the operator's webhook (a local
 * server that checks signatures and fails the first deliveries); the A and B branches are
 * refunded to the micro-unit; the outcome is reported; payouts are made; the ledger balances
 * and the total of credits is unchanged.
 */

import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DecisionWebhookPayload } from '../../src/contracts/webhooks.js'
import { jobDefinitions } from '../../src/jobs/index.js'
import { type FakeLlmServer, startFakeLlm } from '../fakes/llm-server.js'
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { registerFormats } from '../helpers/formats.js'
import { createTestUser, type TestUser } from '../helpers/users.js'

interface DecisionRow {
  prior: { action: string; confidence: number } | null
  delivery: { status: string; attempts: number; last_status: number } | null
  decision: { chosen: { branch: number; label: string }; reason: string } | null
  overrode_prior: boolean | null
}

const WEBHOOK_SECRET = 'whsec_story_0123456789abcdef'

let t: TestApp
let base: string
let llm: FakeLlmServer
let receiver: WebhookReceiver
let operator: TestUser
let traders: TestUser[]

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  user?: TestUser,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(user ? user.headers : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await t.ctx.db.pool.query(text, values)).rows as T[]
}

beforeAll(async () => {
  t = await createTestApp({
    env: {
      QUEUE_POLL_INTERVAL_SECONDS: '1',
      WEBHOOK_RETRY_DELAY_SECONDS: '1',
      WEBHOOK_MAX_ATTEMPTS: '6',
      DISPUTE_WINDOW_S: '1',
      TRADE_FEE_BPS: '100',
    },
  })
  await t.ctx.queue.work(jobDefinitions(t.ctx))
  base = await t.app.listen({ port: 0, host: '127.0.0.1' })
  llm = await startFakeLlm(() => ({
    kind: 'json',
    value: { action: 'Launch A', confidence: 0.8, rationale: 'A worked last quarter' },
  }))
  receiver = await startWebhookReceiver(WEBHOOK_SECRET, { failFirst: 2 })
  operator = await createTestUser(t)
  traders = [await createTestUser(t), await createTestUser(t), await createTestUser(t)]
})

afterAll(async () => {
  await receiver?.close()
  await llm?.close()
  await t?.close()
})

describe('an agent lets a decision market choose', () => {
  it('from prior to payout', async () => {
    const issuedBefore = await sql<{ issued: string }>(
      `select (-coalesce(sum(amount), 0))::text as issued from public.ledger_postings where account_id = 1`,
    )

    // 1. The operator creates an agent with three actions, an LLM and a webhook.
    const agent = await api<{ id: string }>('POST', '/v1/agents', operator, {
      name: 'Growth agent',
      description: 'Picks the next product launch',
      objective: { kind: 'binary', measurement: 'Monthly active users above 10k by the end of the quarter' },
      action_source: 'fixed',
      actions: [
        { label: 'Launch A', description: 'The redesign' },
        { label: 'Launch B', description: 'The API' },
        { label: 'Launch C', description: 'The mobile app' },
      ],
      llm: { base_url: llm.baseUrl, model: 'story-model', api_key: 'sk-story' },
      default_action: 'Launch A',
      decision_rule: {
        threshold_bps: 200,
        min_traders: 3,
        min_volume: '10',
        twap_interval_seconds: 1,
        twap_max_step_bps: 2000,
      },
      liquidity_per_decision: '50',
      delivery: { type: 'webhook', url: receiver.url, secret: WEBHOOK_SECRET },
    })
    expect(agent.status).toBe(201)

    // 2. A decision: the agent records its prior (A), and the market opens with three branches.
    const decideAt = new Date(Date.now() + 7_000)
    const opened = await api<{
      market: {
        id: string
        branches: Array<{ index: number; label: string }>
        decision: { default_branch: number }
      }
      prior: { action: string; confidence: number }
    }>('POST', `/v1/agents/${agent.body.id}/decisions`, operator, {
      question: 'Will monthly active users pass 10k this quarter?',
      context: 'Last quarter: 7.5k MAU',
      decide_at: decideAt.toISOString(),
      close_at: new Date(Date.now() + 120_000).toISOString(),
    })
    expect(opened.status).toBe(201)
    const marketId = opened.body.market.id
    // The request did not wait for the LLM: the worker asks it, records the prior, then opens.
    const prepared = await until('the market to open', async () => {
      const res = await api<{ items: Array<{ market: { id: string; status: string }; prior: unknown }> }>(
        'GET',
        `/v1/agents/${agent.body.id}/decisions`,
        operator,
      )
      const row = res.body.items.find((d) => d.market.id === marketId)
      return row?.market.status === 'open' ? row : undefined
    })
    expect(prepared.prior).toMatchObject({ action: 'Launch A', confidence: 0.8 })
    expect(llm.requests).toHaveLength(1)
    expect(llm.requests[0]?.authorization).toBe('Bearer sk-story')
    expect(opened.body.market.branches.map((b) => b.label)).toEqual(['Launch A', 'Launch B', 'Launch C'])
    expect(opened.body.market.decision.default_branch).toBe(0)

    // The prior is the operator's until the market decides.
    const publicView = await api<{ items: Array<{ prior: unknown }> }>(
      'GET',
      `/v1/agents/${agent.body.id}/decisions`,
    )
    expect(publicView.body.items[0]?.prior).toBeNull()

    // 3. The operator may not trade in the undecided market.
    const conflicted = await api<{ code: string }>('POST', `/v1/markets/${marketId}/trades`, operator, {
      branch: 2,
      outcome: 'YES',
      side: 'buy',
      amount: '5',
    })
    expect(conflicted.status).toBe(403)
    expect(conflicted.body.code).toBe('conflict_of_interest')

    // 4. Three traders trade; the market favours C.
    const trade = async (user: TestUser, branch: number, body: Record<string, unknown>) => {
      const res = await api<{ code?: string }>('POST', `/v1/markets/${marketId}/trades`, user, {
        branch,
        ...body,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    const [alice, bob, carol] = traders as [TestUser, TestUser, TestUser]
    await trade(alice, 2, { outcome: 'YES', side: 'buy', amount: '40' })
    await trade(bob, 2, { outcome: 'YES', side: 'buy', amount: '30' })
    await trade(carol, 0, { outcome: 'NO', side: 'buy', amount: '25' })
    await trade(bob, 1, { outcome: 'NO', side: 'buy', amount: '20' })
    await trade(alice, 0, { outcome: 'YES', side: 'buy', amount: '10' })
    await trade(alice, 0, { outcome: 'YES', side: 'sell', shares: '5' })
    await trade(carol, 2, { outcome: 'YES', side: 'buy', amount: '15' })

    const live = await api<{ decision: { scores: Array<{ branch: number; spot: number }>; result: null } }>(
      'GET',
      `/v1/markets/${marketId}`,
    )
    const spots = live.body.decision.scores.map((s) => s.spot)
    expect(spots[2]).toBeGreaterThan(spots[0] as number)
    expect(spots[2]).toBeGreaterThan(spots[1] as number)
    expect(live.body.decision.result).toBeNull()

    // What each trader paid, net, per branch (buys cost + fee, sells pay proceeds − fee).
    const netPaid = await sql<{ trader_id: string; branch: number; net: string }>(
      `select t.trader_id, b.index as branch,
              (sum(case when t.side = 'buy' then t.cost + t.fee else -(t.proceeds - t.fee) end))::text as net
         from public.trades t join public.market_branches b on b.id = t.branch_id
        where t.market_id = $1 group by t.trader_id, b.index`,
      [marketId],
    )
    const cashBefore = new Map(
      (
        await sql<{ user_id: string; balance: string }>(
          `select user_id, balance::text from public.ledger_accounts where kind = 'user_cash' and user_id = any($1)`,
          [traders.map((u) => u.userId)],
        )
      ).map((r) => [r.user_id, BigInt(r.balance)]),
    )

    // 5. At decide_at the worker decides: C, against the agent's prior.
    const decided = await until('the decision', async () => {
      const res = await api<{
        status: string
        decision: {
          result: { chosen: { branch: number; label: string }; reason: string } | null
          prior: { action: string }
        }
      }>('GET', `/v1/markets/${marketId}`)
      // The event itself: the market is decided (read in one snapshot with its result).
      return res.body.status === 'decided' && res.body.decision.result ? res.body : undefined
    })
    expect(Date.now()).toBeGreaterThanOrEqual(decideAt.getTime())
    expect(decided.status).toBe('decided')
    expect(decided.decision.result?.chosen).toEqual({ branch: 2, label: 'Launch C' })
    expect(decided.decision.result?.reason).toBe('best_beats_default')
    expect(decided.decision.prior.action).toBe('Launch A')

    // 6. A and B are refunded to the micro-unit; C's positions stand.
    const refunds = await sql<{ user_id: string; branch: number; refunded: string }>(
      `select p.user_id, b.index as branch, p.amount::text as refunded
         from public.journal_entries e
         join public.ledger_postings p on p.entry_id = e.id and p.user_id is not null
         join public.market_branches b on b.id = e.branch_id
        where e.market_id = $1 and e.kind = 'refund'`,
      [marketId],
    )
    const expectedRefunds = netPaid.filter((n) => n.branch !== 2)
    expect(refunds).toHaveLength(expectedRefunds.length)
    for (const paid of expectedRefunds) {
      const refund = refunds.find((r) => r.user_id === paid.trader_id && r.branch === paid.branch)
      expect(refund?.refunded, `refund of ${paid.trader_id} in branch ${paid.branch}`).toBe(paid.net)
    }
    for (const user of traders) {
      const refunded = expectedRefunds
        .filter((n) => n.trader_id === user.userId)
        .reduce((sum, n) => sum + BigInt(n.net), 0n)
      const [row] = await sql<{ balance: string }>(
        `select balance::text from public.ledger_accounts where kind = 'user_cash' and user_id = $1`,
        [user.userId],
      )
      expect(BigInt(row?.balance ?? '0')).toBe((cashBefore.get(user.userId) ?? 0n) + refunded)
    }
    const branches = await sql<{ index: number; status: string; escrow: string }>(
      `select b.index, b.status, a.balance::text as escrow from public.market_branches b
         join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
        where b.market_id = $1 order by b.index`,
      [marketId],
    )
    expect(branches.map((b) => [b.status, b.escrow])).toEqual([
      ['voided', '0'],
      ['voided', '0'],
      ['open', expect.any(String)],
    ])
    const voidedTrade = await api<{ code: string }>('POST', `/v1/markets/${marketId}/trades`, alice, {
      branch: 0,
      outcome: 'YES',
      side: 'buy',
      amount: '5',
    })
    expect(voidedTrade.status).toBe(409)
    expect(voidedTrade.body.code).toBe('market_closed')

    // 7. The webhook: two failed attempts, then delivered once, signed, with the chosen action.
    const delivery = await until('the webhook delivery', async () =>
      receiver.accepted.length > 0 ? receiver.accepted[0] : undefined,
    )
    expect(delivery.event).toBe('decision.made')
    expect(delivery.body).toMatchObject({
      action: { branch: 2, label: 'Launch C' },
      default_action: { branch: 0, label: 'Launch A' },
      overrode_default: true,
      reason: 'best_beats_default',
      market: { id: marketId },
    })
    expect(receiver.attempts.filter((a) => a.status === 503)).toHaveLength(2)
    expect(receiver.attempts.every((a) => a.signatureOk && a.deliveryId === delivery.deliveryId)).toBe(true)
    // The body is what the OpenAPI document's webhooks section says it is.
    registerFormats()
    expect(
      [...Value.Errors(DecisionWebhookPayload, delivery.body)].map((e) => `${e.path}: ${e.message}`),
    ).toEqual([])
    // Retries as documented: the first WEBHOOK_RETRY_DELAY_SECONDS (1 s) after the failure, the
    // next twice that, each within a poll interval (1 s) of its due time.
    const [first, second, third] = receiver.attempts.map((a) => a.atMs) as [number, number, number]
    expect(second - first).toBeGreaterThanOrEqual(1000)
    expect(second - first).toBeLessThan(1000 + 1000 + 500)
    expect(third - second).toBeGreaterThanOrEqual(2000)
    expect(third - second).toBeLessThan(2000 + 1000 + 500)

    // The operator sees it all in the agent's decisions; the public sees the prior now too.
    const mine = await until('the delivery record', async () => {
      const res = await api<{ items: DecisionRow[] }>(
        'GET',
        `/v1/agents/${agent.body.id}/decisions`,
        operator,
      )
      const row = res.body.items[0]
      return row?.delivery?.status === 'delivered' ? row : undefined
    })
    expect(mine).toMatchObject({
      prior: { action: 'Launch A', confidence: 0.8 },
      decision: { chosen: { branch: 2, label: 'Launch C' }, reason: 'best_beats_default' },
      overrode_prior: true,
      delivery: { status: 'delivered', attempts: 3, last_status: 200 },
    })
    const publicAfter = await api<{ items: DecisionRow[] }>('GET', `/v1/agents/${agent.body.id}/decisions`)
    expect(publicAfter.body.items[0]?.prior).toMatchObject({ action: 'Launch A' })
    expect(publicAfter.body.items[0]?.delivery).toBeNull()

    // 8. The outcome is reported: YES. The chosen branch resolves; after the dispute window,
    // holders are paid.
    const reported = await api<{ status: string }>(
      'POST',
      `/v1/agents/${agent.body.id}/decisions/${marketId}/outcome`,
      operator,
      { outcome: 'YES', evidence: { url: 'https://metrics.example/mau', note: '10.4k MAU' } },
    )
    expect(reported.status, JSON.stringify(reported.body)).toBe(200)
    expect(reported.body.status).toBe('resolved')
    await until('finalisation', async () => {
      const res = await api<{ status: string }>('GET', `/v1/markets/${marketId}`)
      return res.body.status === 'finalized' ? true : undefined
    })
    const payouts = await sql<{ user_id: string; paid: string }>(
      `select p.user_id, p.amount::text as paid from public.journal_entries e
         join public.ledger_postings p on p.entry_id = e.id and p.user_id is not null
        where e.market_id = $1 and e.kind = 'payout'`,
      [marketId],
    )
    const yesShares = await sql<{ user_id: string; shares: string }>(
      `select p.user_id, p.shares::text from public.positions p join public.market_branches b on b.id = p.branch_id
        where b.market_id = $1 and b.index = 2 and p.outcome = 0 and p.shares > 0`,
      [marketId],
    )
    expect(payouts.length).toBe(yesShares.length)
    for (const holder of yesShares) {
      expect(payouts.find((p) => p.user_id === holder.user_id)?.paid).toBe(holder.shares)
    }

    // 9. The ledger: every entry balances, no cash below zero, escrows empty, credits unchanged.
    const unbalanced = await sql(
      `select entry_id from public.ledger_postings group by entry_id having sum(amount) <> 0 or count(*) < 2`,
    )
    expect(unbalanced).toEqual([])
    const negative = await sql(`select id from public.ledger_accounts where balance < 0`)
    expect(negative).toEqual([])
    const escrows = await sql<{ total: string }>(
      `select coalesce(sum(a.balance), 0)::text as total from public.ledger_accounts a
         join public.market_branches b on b.id = a.branch_id where b.market_id = $1`,
      [marketId],
    )
    expect(escrows[0]?.total).toBe('0')
    const [totals] = await sql<{ held: string; issued: string }>(
      `select (select coalesce(sum(balance), 0) from public.ledger_accounts where balance is not null)
                + (select coalesce(sum(amount), 0) from public.ledger_postings where account_id = 2) as held,
              (select -coalesce(sum(amount), 0) from public.ledger_postings where account_id = 1) as issued`,
    )
    expect(String(totals?.held)).toBe(String(totals?.issued))
    // Nothing was issued by the story itself beyond the sign-up grants of its four users.
    expect(BigInt(String(totals?.issued)) - BigInt(issuedBefore[0]?.issued ?? '0')).toBe(0n)
  }, 120_000)
})
