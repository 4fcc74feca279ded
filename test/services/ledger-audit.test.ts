/**
 * The ledger auditor against a real ledger: a clean one passes and the checkpoint advances;
 * each way of corrupting it (written directly in SQL, as a privileged user, with the ledger's
 * triggers off) is reported by the next run as exactly that violation, naming the entry and
 * the account, branch or position; a run reads only the postings committed since the last; and
 * trades committing while it audits raise no false alarm.
 */
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLedgerAuditor } from '../../src/jobs/ledger-audit.js'
import { type AuditRun, runLedgerAudit } from '../../src/services/ledger-audit/audit.js'
import { createMarket } from '../../src/services/markets/create.js'
import { ISSUANCE_ACCOUNT } from '../../src/services/money/postings.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { newUser } from '../helpers/money.js'
import { createTestUser } from '../helpers/users.js'

let t: TestApp
/** A superuser connection for writing what the service never would. */
let admin: pg.PoolClient

beforeAll(async () => {
  t = await createTestApp()
  admin = await t.ctx.db.pool.connect()
})

afterAll(async () => {
  admin?.release()
  await t?.close()
})

async function audit(maxPostings = 50_000): Promise<AuditRun> {
  const run = await runLedgerAudit(t.ctx, { maxPostings, timeBudgetMs: 60_000 })
  if (!run) throw new Error('the auditor lock was taken')
  return run
}

async function lastSeq(): Promise<bigint> {
  // int8 columns arrive as bigint (db/database.ts sets the parser for every pg client).
  const { rows } = await admin.query<{ last_seq: bigint }>('select last_seq from public.ledger_sequence')
  return rows[0]?.last_seq as bigint
}

async function market(creator: string) {
  return createMarket(t.ctx, creator, {
    question: `Will the auditor notice ${randomUUID().slice(0, 8)}?`,
    kind: 'binary',
    subsidy: '100',
    closeAt: new Date(Date.now() + 86_400_000),
  })
}

async function buy(userId: string, marketId: string, amount = '10') {
  return placeTrade(t.ctx, userId, marketId, { outcome: 'YES', side: 'buy', amount }, randomUUID())
}

/**
 * A journal entry written as no service would: with the ledger's triggers off (replica role), the
 * postings numbered from the counter and carrying the balance_after given (default: none).
 */
async function rawEntry(
  kind: string,
  postings: Array<{ account: bigint; amount: bigint; balanceAfter?: bigint | null }>,
  extra: { branchId?: string; marketId?: string } = {},
): Promise<bigint> {
  await admin.query('begin')
  try {
    await admin.query('set local session_replication_role = replica')
    const { rows } = await admin.query<{ id: bigint }>(
      `insert into public.journal_entries (kind, market_id, branch_id, created_at) values ($1, $2, $3, now()) returning id`,
      [kind, extra.marketId ?? null, extra.branchId ?? null],
    )
    const entryId = rows[0]?.id as bigint
    const counter = await admin.query<{ last_seq: bigint }>(
      'update public.ledger_sequence set last_seq = last_seq + $1 returning last_seq',
      [postings.length],
    )
    const first = (counter.rows[0]?.last_seq as bigint) - BigInt(postings.length) + 1n
    for (const [i, p] of postings.entries()) {
      await admin.query(
        `insert into public.ledger_postings (seq, entry_id, account_id, user_id, amount, balance_after, created_at)
         values ($1, $2, $3, (select user_id from public.ledger_accounts where id = $3), $4, $5, now())`,
        [
          String(first + BigInt(i)),
          String(entryId),
          String(p.account),
          String(p.amount),
          p.balanceAfter?.toString() ?? null,
        ],
      )
    }
    await admin.query('commit')
    return entryId
  } catch (error) {
    await admin.query('rollback')
    throw error
  }
}

async function asReplica(text: string, values: unknown[] = []) {
  await admin.query('begin')
  await admin.query('set local session_replication_role = replica')
  await admin.query(text, values)
  await admin.query('commit')
}

async function cashAccount(userId: string): Promise<{ id: bigint; balance: bigint }> {
  const { rows } = await admin.query<{ id: bigint; balance: bigint }>(
    `select id, balance from public.ledger_accounts where kind = 'user_cash' and user_id = $1`,
    [userId],
  )
  return rows[0] as { id: bigint; balance: bigint }
}

async function lastEntryOf(accountId: bigint): Promise<bigint> {
  const { rows } = await admin.query<{ entry_id: bigint }>(
    'select entry_id from public.ledger_postings where account_id = $1 order by seq desc limit 1',
    [String(accountId)],
  )
  return rows[0]?.entry_id as bigint
}

describe('a clean ledger', () => {
  it('passes, and the checkpoint reaches the last committed posting', async () => {
    const alice = await newUser(t.ctx.db, '1000')
    const bob = await newUser(t.ctx.db, '1000')
    const m = await market(alice)
    await buy(bob, m.id)
    await placeTrade(t.ctx, alice, m.id, { outcome: 'NO', side: 'buy', amount: '5' }, randomUUID())

    const run = await audit()
    expect(run.findings).toEqual([])
    expect(run.result).toBe('ok')
    expect(run.caughtUp).toBe(true)
    expect(run.fromSeq).toBe(0n)
    expect(run.toSeq).toBe(await lastSeq())
    expect(BigInt(run.postings)).toBe(await lastSeq())
    const { rows } = await admin.query(
      'select checked_seq, last_run_result from public.ledger_audit_checkpoint',
    )
    expect(rows[0]).toEqual({ checked_seq: await lastSeq(), last_run_result: 'ok' })
  })

  it('reads only the postings committed since the last run, in ranges of the size asked for', async () => {
    await audit()
    const before = await lastSeq()
    const carol = await newUser(t.ctx.db, '1000')
    const m = await market(carol)
    for (let i = 0; i < 4; i++) await buy(carol, m.id, '3')
    const added = (await lastSeq()) - before
    expect(added).toBeGreaterThan(12n)

    const run = await audit(5)
    expect(run.findings).toEqual([])
    expect(run.fromSeq).toBe(before)
    expect(run.toSeq).toBe(before + added)
    expect(BigInt(run.postings)).toBe(added)
    expect(run.ranges).toBe(Math.ceil(Number(added) / 5))

    const idle = await audit()
    expect(idle).toMatchObject({ postings: 0, ranges: 0, caughtUp: true, fromSeq: before + added })
  })
})

describe('a corrupted ledger: the next run reports exactly what was done', () => {
  beforeAll(async () => {
    expect((await audit()).findings).toEqual([])
  })

  it('an entry that does not sum to zero', async () => {
    const entry = await rawEntry('admin_grant', [
      { account: ISSUANCE_ACCOUNT, amount: -5_000_000n },
      { account: 2n, amount: 3_000_000n },
    ])
    const run = await audit()
    expect(run.result).toBe('violation')
    expect(run.findings).toEqual([
      expect.objectContaining({
        invariant: 'entry_balanced',
        subject: `entry:${entry}`,
        entryIds: [entry],
        detail: { total: '-2000000', postings: 2 },
      }),
    ])
  })

  it('a balance that disagrees with its postings', async () => {
    const dave = await newUser(t.ctx.db, '50')
    const account = await cashAccount(dave)
    const grant = await lastEntryOf(account.id)
    await asReplica('update public.ledger_accounts set balance = balance + 7 where id = $1', [
      String(account.id),
    ])

    const run = await audit()
    expect(run.findings).toEqual([
      expect.objectContaining({
        invariant: 'balance_matches_postings',
        subject: `account:${account.id}`,
        accountId: account.id,
        userId: dave,
        entryIds: [grant],
        detail: expect.objectContaining({
          balance: String(account.balance + 7n),
          last_balance_after: String(account.balance),
        }),
      }),
    ])
  })

  it('cash below zero', async () => {
    const erin = await newUser(t.ctx.db, '1')
    const account = await cashAccount(erin)
    // CHECK constraints hold even for the replica role: drop it for this write, and put it back
    // unvalidated (the row it would refuse stays, for the auditor to find).
    await admin.query(
      'alter table public.ledger_accounts drop constraint ledger_accounts_balance_nonnegative',
    )
    try {
      const entry = await rawEntry('admin_grant', [
        { account: account.id, amount: -3_000_000n, balanceAfter: account.balance - 3_000_000n },
        { account: ISSUANCE_ACCOUNT, amount: 3_000_000n },
      ])
      await asReplica('update public.ledger_accounts set balance = $2 where id = $1', [
        String(account.id),
        String(account.balance - 3_000_000n),
      ])
      const run = await audit()
      expect(run.findings).toEqual([
        expect.objectContaining({
          invariant: 'cash_nonnegative',
          subject: `account:${account.id}`,
          accountId: account.id,
          userId: erin,
          entryIds: [entry],
        }),
      ])
    } finally {
      await admin.query(
        'alter table public.ledger_accounts add constraint ledger_accounts_balance_nonnegative check (balance >= 0) not valid',
      )
    }
  })

  it('an escrow below its worst case', async () => {
    const frank = await newUser(t.ctx.db, '1000')
    const m = await market(frank)
    await buy(frank, m.id, '50')
    expect((await audit()).findings).toEqual([])
    const { rows } = await admin.query<{ id: bigint; balance: bigint; branch_id: string; worst: bigint }>(
      `select a.id, a.balance, b.id as branch_id, (select max(x) from unnest(b.q) x) as worst
         from public.ledger_accounts a join public.market_branches b on b.id = a.branch_id
        where b.market_id = $1`,
      [m.id],
    )
    const escrow = rows[0] as { id: bigint; balance: bigint; branch_id: string; worst: bigint }
    // Take out enough that one micro-credit is missing from the worst case.
    const taken = escrow.balance - escrow.worst + 1n
    const entry = await rawEntry(
      'payout',
      [
        { account: escrow.id, amount: -taken, balanceAfter: escrow.balance - taken },
        { account: ISSUANCE_ACCOUNT, amount: taken },
      ],
      { branchId: escrow.branch_id, marketId: m.id },
    )
    await asReplica('update public.ledger_accounts set balance = balance - $2 where id = $1', [
      String(escrow.id),
      String(taken),
    ])

    const run = await audit()
    expect(run.findings).toEqual([
      expect.objectContaining({
        invariant: 'escrow_covers_worst_case',
        subject: `branch:${escrow.branch_id}`,
        branchId: escrow.branch_id,
        marketId: m.id,
        entryIds: [entry],
        detail: expect.objectContaining({
          worst_case: String(escrow.worst),
          shortfall: '1',
          phase: 'unresolved',
        }),
      }),
    ])
  })

  it('a position that disagrees with its trades', async () => {
    const gina = await newUser(t.ctx.db, '1000')
    const m = await market(gina)
    const trade = await buy(gina, m.id, '20')
    const { rows } = await admin.query<{ id: bigint }>(
      'select id from public.journal_entries where trade_id = $1',
      [trade.response.trade.id],
    )
    const entry = rows[0]?.id as bigint
    await asReplica('update public.positions set fees_total = fees_total + 1 where user_id = $1', [gina])

    const run = await audit()
    expect(run.findings).toEqual([
      expect.objectContaining({
        invariant: 'position_matches_trades',
        userId: gina,
        marketId: m.id,
        entryIds: [entry],
      }),
    ])
  })

  it('records each finding once, open, and the admin read shows them with the checkpoint', async () => {
    const { rows } = await admin.query<{ invariant: string; n: string }>(
      `select invariant, count(*) as n from public.ledger_audit_violations where resolved_at is null
        group by invariant order by invariant`,
    )
    expect(rows).toEqual(
      [
        'balance_matches_postings',
        'cash_nonnegative',
        'entry_balanced',
        'escrow_covers_worst_case',
        'position_matches_trades',
      ].map((invariant) => ({ invariant, n: 1n })),
    )

    const boss = await createTestUser(t, { admin: true })
    const user = await createTestUser(t)
    // Their sign-up grants are clean: the run finds nothing new, and the five stay open.
    expect((await audit()).findings).toEqual([])
    const denied = await t.app.inject({ method: 'GET', url: '/v1/admin/ledger/audit', headers: user.headers })
    expect(denied.statusCode).toBe(403)
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/ledger/audit', headers: boss.headers })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.checkpoint).toMatchObject({ checked_seq: String(await lastSeq()), behind: '0' })
    expect(body.last_run).toMatchObject({ result: 'ok', error: null })
    expect(body.open_violations.total).toBe(5)
    expect(body.open_violations.by_invariant).toMatchObject({ entry_balanced: 1, position_matches_trades: 1 })
    expect(body.open_violations.items.map((v: { invariant: string }) => v.invariant).sort()).toEqual(
      rows.map((r) => r.invariant),
    )
  })
})

describe('the worker loop', () => {
  it('counts its runs and shows the open violations and the checkpoint as metrics', async () => {
    const auditor = startLedgerAuditor(t.ctx, { autoStart: false })
    try {
      const hana = await newUser(t.ctx.db, '10')
      await auditor.tick()
      const text = await t.ctx.metrics.registry.metrics()
      expect(text).toContain(`dm_ledger_audit_checked_seq ${await lastSeq()}`)
      expect(text).toMatch(/dm_ledger_audit_runs_total\{result="ok"\} [1-9]/)
      expect(text).toContain('dm_ledger_audit_violations{invariant="entry_balanced"} 1')
      expect(text).toMatch(/dm_ledger_audit_last_success_timestamp_seconds \d{10}/)
      expect(text).toMatch(/dm_ledger_audit_duration_seconds_count [1-9]/)
      expect(hana).toBeTruthy()
    } finally {
      await auditor.stop()
    }
  })
})

describe('auditing while trading', () => {
  it('raises no false alarm for trades that commit during a run', async () => {
    const traders = await Promise.all(Array.from({ length: 6 }, () => newUser(t.ctx.db, '1000')))
    const markets = await Promise.all([market(traders[0] as string), market(traders[1] as string)])
    let trading = true
    const trades = (async () => {
      for (let round = 0; round < 8; round++) {
        await Promise.all(
          traders.map((u, i) =>
            placeTrade(
              t.ctx,
              u,
              (markets[i % 2] as { id: string }).id,
              { outcome: i % 3 === 0 ? 'NO' : 'YES', side: 'buy', amount: '2' },
              randomUUID(),
            ),
          ),
        )
      }
      trading = false
    })()
    const runs: AuditRun[] = []
    while (trading) {
      const run = await runLedgerAudit(t.ctx, { maxPostings: 7, timeBudgetMs: 50 })
      if (run) runs.push(run)
    }
    await trades
    runs.push(await audit())
    expect(runs.flatMap((r) => r.findings)).toEqual([])
    expect(runs.reduce((n, r) => n + r.ranges, 0)).toBeGreaterThan(2)
    expect(runs.at(-1)?.toSeq).toBe(await lastSeq())
  })
})
