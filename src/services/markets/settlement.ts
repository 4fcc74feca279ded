/**
 * Settlement: paying every holder of a resolved market, or refunding every trader of a voided
 * one (or of a voided branch of a decision market), then returning what is left of each branch's
 * escrow to its funder.
 *
 * Resumable and idempotent. The work is cut into steps, each its own transaction under the
 * market's and the branches' row locks, then the cash of the users it pays (one sweep), the
 * ledger last (the lock order of money/transaction.ts): a chunk of holders (SETTLEMENT_CHUNK_SIZE users, in user
 * order), or closing a branch, or finalising the market. A position is paid once: the step that
 * pays it sets its `settled_at` in the same transaction, and the next step (or a second run of
 * the job, which waits on the same locks) selects only unsettled positions. A crash between
 * steps loses nothing; the job's retry continues where the last commit left off.
 *
 * Ordering of a void: traders who sold at a profit (net paid < 0) give it back first
 * (clawbacks, as far as their cash allows); then the escrow refunds the others, in full unless
 * clawbacks fell short by more than the subsidy, in which case at the ratio recorded on the
 * branch when the refunds began (domain/settlement.ts).
 */
import type { AppContext } from '../../context.js'
import { sql } from '../../db/database.js'
import {
  FULL_REFUND,
  netPaid,
  payoutFor,
  planRefund,
  type Ratio,
  type Resolution,
  refundRatio,
  type TraderTotals,
} from '../../domain/settlement.js'
import { SETTLE_MARKET_JOB } from '../jobs.js'
import { accountBalance, lockCashAccount, lockCashAccounts } from '../money/ledger.js'
import { FEES_ACCOUNT, type JournalEntryInput } from '../money/postings.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'
import { type BranchRow, lockBranches, lockMarket, type MarketRow } from './repository.js'

interface HolderPosition {
  user_id: string
  outcome: number
  shares: bigint
  cost_basis: bigint
  realized_pnl: bigint
  cost_total: bigint
  proceeds_total: bigint
  fees_total: bigint
}

const POSITION_COLUMNS =
  'user_id, outcome, shares, cost_basis, realized_pnl, cost_total, proceeds_total, fees_total'

// The next chunk of unsettled holders of a branch, whole users at a time (a user's positions
// in every outcome are settled together), in user order.
const NextHolders = sql<HolderPosition>(
  'NextUnsettledHolders',
  `select ${POSITION_COLUMNS} from public.positions
    where branch_id = $1 and settled_at is null
      and user_id in (select distinct user_id from public.positions
                       where branch_id = $1 and settled_at is null order by user_id limit $2)
    order by user_id, outcome`,
)

// Void, first phase: the traders who owe (net paid < 0), a chunk at a time.
const NextDebtors = sql<HolderPosition>(
  'NextUnsettledDebtors',
  `select ${POSITION_COLUMNS} from public.positions
    where branch_id = $1 and settled_at is null
      and user_id in (select user_id from public.positions
                       where branch_id = $1 and settled_at is null
                       group by user_id
                      having sum(cost_total) + sum(fees_total) - sum(proceeds_total) < 0
                       order by user_id limit $2)
    order by user_id, outcome`,
)

const UnsettledTotals = sql<{ cost_total: bigint; proceeds_total: bigint; fees_total: bigint }>(
  'UnsettledTraderTotals',
  `select sum(cost_total) as cost_total, sum(proceeds_total) as proceeds_total, sum(fees_total) as fees_total
     from public.positions where branch_id = $1 and settled_at is null
    group by user_id`,
)

// Read after the branch lock, in its own statement, so it sees every commit before the lock.
const SetRefundRatio = sql(
  'SetBranchRefundRatio',
  'update public.market_branches set refund_ratio_num = $2, refund_ratio_den = $3 where id = $1',
)

const SettlePositions = sql(
  'SettlePositions',
  `update public.positions p
      set payout = v.payout, realized_pnl = v.realized_pnl, cost_basis = 0, settled_at = $2, updated_at = $2
     from unnest($3::uuid[], $4::smallint[], $5::bigint[], $6::bigint[]) as v(user_id, outcome, payout, realized_pnl)
    where p.branch_id = $1 and p.user_id = v.user_id and p.outcome = v.outcome and p.settled_at is null`,
)

const SettleBranch = sql(
  'SettleBranch',
  `update public.market_branches set settled_at = $2, status = case when status = 'voided' then 'voided' else 'settled' end
    where id = $1`,
)

const FinalizeMarket = sql(
  'FinalizeMarket',
  `update public.markets
      set status = case when status = 'resolved' then 'finalized' else status end, finalized_at = $2, updated_at = $2
    where id = $1`,
)

const HasOpenDispute = sql<{ open: boolean }>(
  'MarketHasOpenDispute',
  `select exists (select 1 from public.market_disputes where market_id = $1 and status = 'open') as open`,
)

export type SettleStep = 'progress' | 'done' | 'waiting'

function resolutionOf(market: MarketRow): Resolution {
  if (market.kind === 'scalar') {
    return {
      kind: 'scalar',
      value: market.resolution_value ?? 0n,
      lo: market.scalar_lo ?? 0n,
      hi: market.scalar_hi ?? 1n,
    }
  }
  return { kind: 'outcome', winner: market.resolution_outcome ?? -1 }
}

function byUser(rows: readonly HolderPosition[]): Map<string, HolderPosition[]> {
  const users = new Map<string, HolderPosition[]>()
  for (const row of rows) {
    const list = users.get(row.user_id)
    if (list) list.push(row)
    else users.set(row.user_id, [row])
  }
  return users
}

function totalsOf(positions: readonly HolderPosition[]): TraderTotals {
  let costTotal = 0n
  let proceedsTotal = 0n
  let feesTotal = 0n
  for (const p of positions) {
    costTotal += p.cost_total
    proceedsTotal += p.proceeds_total
    feesTotal += p.fees_total
  }
  return { costTotal, proceedsTotal, feesTotal }
}

interface SettledPosition {
  userId: string
  outcome: number
  payout: bigint
  realizedPnl: bigint
}

async function writeSettlement(
  m: MoneyTransaction,
  branch: BranchRow,
  settled: readonly SettledPosition[],
  entries: readonly JournalEntryInput[],
  now: Date,
): Promise<void> {
  const { tx } = m
  await tx.execute(SettlePositions, [
    branch.id,
    now,
    settled.map((s) => s.userId),
    settled.map((s) => s.outcome),
    settled.map((s) => s.payout),
    settled.map((s) => s.realizedPnl),
  ])
  m.post(entries, now)
}

/** Pays a chunk of holders of a branch of a resolved market; false when none was left. */
async function payHolders(
  m: MoneyTransaction,
  market: MarketRow,
  branch: BranchRow,
  chunk: number,
  now: Date,
): Promise<boolean> {
  const { tx } = m
  const holders = byUser(await tx.many(NextHolders, [branch.id, chunk]))
  if (holders.size === 0) return false
  const resolution = resolutionOf(market)
  const cash = await lockCashAccounts(m, [...holders.keys()])
  const settled: SettledPosition[] = []
  const entries: JournalEntryInput[] = []
  for (const [userId, positions] of holders) {
    let total = 0n
    for (const p of positions) {
      const payout = payoutFor(resolution, p.outcome, p.shares)
      total += payout
      settled.push({
        userId,
        outcome: p.outcome,
        payout,
        realizedPnl: p.realized_pnl + payout - p.cost_basis,
      })
    }
    const account = cash.get(userId)
    if (total > 0n && account) {
      entries.push({
        kind: 'payout',
        userId,
        marketId: market.id,
        branchId: branch.id,
        postings: [
          { account: branch.escrow_account_id, amount: -total },
          { account: account.id, amount: total },
        ],
      })
    }
  }
  await writeSettlement(m, branch, settled, entries, now)
  return true
}

/** Refunds a chunk of traders of a voided branch; false when none was left. */
async function refundTraders(
  m: MoneyTransaction,
  branch: BranchRow,
  chunk: number,
  now: Date,
): Promise<boolean> {
  const { tx } = m
  let ratio: Ratio = FULL_REFUND
  let rows = await tx.many(NextDebtors, [branch.id, chunk])
  if (rows.length === 0) {
    if (branch.refund_ratio_num === null || branch.refund_ratio_den === null) {
      // Every clawback is done: fix the ratio for the refunds, once, from the escrow as it is now.
      const escrow = await accountBalance(m, branch.escrow_account_id)
      const owed = (await tx.many(UnsettledTotals, [branch.id])).map((t) => ({
        costTotal: t.cost_total,
        proceedsTotal: t.proceeds_total,
        feesTotal: t.fees_total,
      }))
      ratio = refundRatio(escrow, owed)
      await tx.execute(SetRefundRatio, [branch.id, ratio.num, ratio.den])
    } else {
      ratio = { num: branch.refund_ratio_num, den: branch.refund_ratio_den }
    }
    rows = await tx.many(NextHolders, [branch.id, chunk])
  }
  const traders = byUser(rows)
  if (traders.size === 0) return false
  const cash = await lockCashAccounts(m, [...traders.keys()])
  const settled: SettledPosition[] = []
  const entries: JournalEntryInput[] = []
  for (const [userId, positions] of traders) {
    const account = cash.get(userId)
    if (!account) throw new Error(`trader ${userId} has no cash account`)
    const totals = totalsOf(positions)
    const plan = planRefund(totals, account.balance, netPaid(totals) >= 0n ? ratio : FULL_REFUND)
    // The whole refund is recorded on the trader's first position; realised P&L per position is
    // what it returned minus what it cost, so the trader's total is refund − net paid.
    positions.forEach((p, i) => {
      const payout = i === 0 ? plan.toTrader : 0n
      settled.push({
        userId,
        outcome: p.outcome,
        payout,
        realizedPnl: p.proceeds_total - p.cost_total - p.fees_total + payout,
      })
    })
    entries.push({
      kind: 'refund',
      userId,
      marketId: branch.market_id,
      branchId: branch.id,
      memo: plan.shortfall > 0n ? `Refund at cost; ${plan.shortfall} micro-credits short` : 'Refund at cost',
      postings: [
        { account: account.id, amount: plan.toTrader },
        { account: FEES_ACCOUNT, amount: -plan.fromFees },
        { account: branch.escrow_account_id, amount: plan.toEscrow },
      ].filter((p) => p.amount !== 0n),
    })
  }
  await writeSettlement(
    m,
    branch,
    settled,
    entries.filter((e) => e.postings.length >= 2),
    now,
  )
  return true
}

/** Returns what is left in the branch's escrow to its funder and marks the branch settled. */
async function closeBranch(
  m: MoneyTransaction,
  market: MarketRow,
  branch: BranchRow,
  now: Date,
): Promise<void> {
  const { tx } = m
  // With the refunds and payouts this transaction has posted (written at COMMIT).
  const left = await accountBalance(m, branch.escrow_account_id)
  await tx.execute(SettleBranch, [branch.id, now])
  if (left > 0n) {
    const funder = await lockCashAccount(m, branch.funder_id)
    m.post(
      [
        {
          kind: 'subsidy_return',
          userId: branch.funder_id,
          marketId: market.id,
          branchId: branch.id,
          memo: 'Unused subsidy returned',
          postings: [
            { account: branch.escrow_account_id, amount: -left },
            { account: funder.id, amount: left },
          ],
        },
      ],
      now,
    )
  }
}

/**
 * One step of settling a market, in one transaction: 'progress' when it did some work and more
 * may remain, 'done' when the market is settled (or there is nothing to settle), 'waiting' when
 * the market is not ready: its dispute window is still open (the settle job is then enqueued
 * again for the window's end), or a dispute awaits an admin (whose settlement enqueues it).
 */
export async function settleStep(ctx: AppContext, marketId: string): Promise<SettleStep> {
  const chunk = ctx.config.SETTLEMENT_CHUNK_SIZE
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await lockMarket(m, marketId)
    const now = ctx.clock.now()
    if (market.finalized_at !== null) return 'done'
    if (market.status === 'resolved') {
      if (market.dispute_until && now.getTime() < market.dispute_until.getTime()) {
        // Run before the window ends: the queue starts jobs by the database's clock, which may
        // be ahead of this process's. Come back at the end of the window (with this commit),
        // or the market would stay resolved and unpaid for good.
        await ctx.queue.send(
          SETTLE_MARKET_JOB,
          { marketId: market.id },
          { tx, startAfter: market.dispute_until, singletonKey: `settle:${market.id}` },
        )
        return 'waiting'
      }
      if ((await tx.one(HasOpenDispute, [market.id])).open) return 'waiting'
    } else if (market.status !== 'voided') {
      return 'waiting'
    }
    const branches = await lockBranches(m, market.id)
    const branch = branches.find((b) => b.settled_at === null)
    if (!branch) {
      await tx.execute(FinalizeMarket, [market.id, now])
      return 'done'
    }
    const worked =
      branch.status === 'voided'
        ? await refundTraders(m, branch, chunk, now)
        : await payHolders(m, market, branch, chunk, now)
    if (!worked) await closeBranch(m, market, branch, now)
    return 'progress'
  })
}

/** Settles the market completely, step after step (the settle job's body). */
export async function settleMarket(ctx: AppContext, marketId: string): Promise<SettleStep> {
  for (;;) {
    const step = await settleStep(ctx, marketId)
    if (step !== 'progress') return step
  }
}

// Everyone a settlement of these branches may pay or charge: their unsettled traders and
// their funders.
const SettlementParties = sql<{ user_id: string }>(
  'SettlementPartiesOfBranches',
  `select distinct user_id from public.positions where branch_id = any($1::uuid[]) and settled_at is null
   union
   select funder_id from public.market_branches where id = any($1::uuid[])`,
)

/**
 * Refunds every trader of the voided branches and returns each escrow's remainder to its
 * funder, inside the caller's transaction (whose market and branch locks it relies on). A
 * decision voids the branches it did not choose this way: the same transaction that records
 * the decision settles them, so no refund is ever pending behind a decision. Decision markets
 * are small (≤ 16 branches); plain voids of large markets use the chunked job instead.
 *
 * The cash of everyone involved is locked first, in one ascending sweep (the ledger's lock
 * order): settling branch after branch, locking each one's traders as it went, took cash row
 * locks while holding the ledger_sequence row from the branch before, and could deadlock with
 * any trade elsewhere holding one of those cash rows and waiting for the sequence.
 */
export async function settleVoidedBranchesNow(
  m: MoneyTransaction,
  market: MarketRow,
  branches: readonly BranchRow[],
  now: Date,
): Promise<void> {
  const { tx } = m
  const pending = branches.filter((b) => b.settled_at === null)
  for (const branch of pending) {
    if (branch.status !== 'voided') throw new Error(`branch ${branch.id} is not voided`)
  }
  if (pending.length === 0) return
  const parties = await tx.many(SettlementParties, [pending.map((b) => b.id)])
  await lockCashAccounts(
    m,
    parties.map((p) => p.user_id),
  )
  for (const branch of pending) {
    // Large chunks: one transaction either way; the chunking only bounds each statement.
    while (await refundTraders(m, branch, 1000, now)) {
      // refundTraders fixed the refund ratio on the branch row on its first pass; reload it.
      const fresh = (await lockBranches(m, market.id)).find((b) => b.id === branch.id)
      if (fresh) {
        Object.assign(branch, {
          refund_ratio_num: fresh.refund_ratio_num,
          refund_ratio_den: fresh.refund_ratio_den,
        })
      }
    }
    await closeBranch(m, market, branch, now)
  }
}
