/**
 * The market lifecycle: open → closed → resolved (dispute window) → finalized, or → voided from
 * any state before finalized. Deadlines move markets by themselves through jobs enqueued in the
 * transaction that sets the deadline (closing at close_at, settling when the dispute window
 * ends); the creator, the resolver or an admin move them earlier where the authorisation table
 * allows. Payouts and refunds are in settlement.ts.
 *
 * Every step takes its locks in the order written in services/money/transaction.ts: the market row,
 * then its branches (`lockMarketAndBranches`), then cash rows, the ledger last. Its time is read
 * after the branch locks: a trade that committed before them is stamped earlier than the step
 * (a close read its time before waiting and stamped closed_at up to 2 s before trades that it
 * had waited for). Every step is idempotent: a job that runs twice finds the market already moved and does
 * nothing.
 */
import type { Static } from '@sinclair/typebox'
import type { AppContext } from '../../context.js'
import type { ResolveBody, SettleDisputeBody } from '../../contracts/markets.js'
import { sql, type Transaction } from '../../db/database.js'
import type { Principal } from '../../domain/identity/principal.js'
import { formatAmount } from '../../domain/money.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import { attachEvidence, type EvidenceFileRef } from '../evidence/index.js'
import { CLOSE_MARKET_JOB, SETTLE_MARKET_JOB } from '../jobs.js'
import { amountField } from '../money/amounts.js'
import { lockCashAccount, lockCashAccounts, marketBondsAccount } from '../money/ledger.js'
import { FEES_ACCOUNT } from '../money/postings.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'
import { assertAllowed } from './access.js'
import { resolveOutcome } from './outcomes.js'
import {
  listOutcomes,
  lockMarket,
  lockMarketAndBranches,
  MARKET_COLUMNS,
  type MarketRow,
} from './repository.js'

// A decided decision market keeps its status: its chosen branch closes, and what it is
// waiting for next (resolution) is the same as for a closed market.
const SetClosed = sql<MarketRow>(
  'SetMarketClosed',
  `update public.markets m
      set status = case when m.status = 'open' then 'closed' else m.status end, closed_at = $2, updated_at = $2
    where m.id = $1 and (m.status = 'open' or (m.status = 'decided' and m.closed_at is null))
   returning ${MARKET_COLUMNS}`,
)

/** Still taking trades: open, or decided with its chosen branch trading until close_at. */
export function isTrading(market: Pick<MarketRow, 'status' | 'closed_at'>): boolean {
  return market.status === 'open' || (market.status === 'decided' && market.closed_at === null)
}

// The branches are already locked (lockMarketAndBranches): trades in flight on them have
// committed, and the trades that queue behind find status 'closed' on the row they lock.
const CloseBranches = sql(
  'CloseMarketBranches',
  `update public.market_branches set status = 'closed' where market_id = $1 and status = 'open'`,
)

/** Closes the market; its row and its branches must be locked by the caller. */
async function closeInTransaction(tx: Transaction, market: MarketRow, now: Date): Promise<MarketRow> {
  const closed = await tx.one(SetClosed, [market.id, now])
  await tx.execute(CloseBranches, [market.id])
  return closed
}

/**
 * The close_at deadline (job). Does nothing if the market is no longer open; if the job runs
 * before close_at (clock skew between the queue and this process), it schedules itself again.
 */
export async function closeMarketAtDeadline(ctx: AppContext, marketId: string): Promise<void> {
  await withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const { market } = await lockMarketAndBranches(m, marketId)
    const now = ctx.clock.now()
    if (!isTrading(market)) return
    if (now.getTime() < market.close_at.getTime()) {
      await ctx.queue.send(
        CLOSE_MARKET_JOB,
        { marketId },
        { tx, startAfter: market.close_at, singletonKey: `close:${marketId}` },
      )
      return
    }
    await closeInTransaction(tx, market, now)
  })
}

/** POST /v1/markets/{id}/close: the creator (or an admin) stops trading before close_at. */
export async function closeMarketEarly(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
): Promise<MarketRow> {
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const { market } = await lockMarketAndBranches(m, marketId)
    const now = ctx.clock.now()
    assertAllowed(principal, 'market.close', { ownerId: market.creator_id })
    if (!isTrading(market)) throw errors.invalidMarketState(`The market is already ${market.status}`)
    return closeInTransaction(tx, market, now)
  })
}

/** A reported outcome: the body of POST …/resolve (and of an agent's outcome report). */
export type ResolveInput = Static<typeof ResolveBody>

const SetResolved = sql<MarketRow>(
  'SetMarketResolved',
  `update public.markets m
      set status = 'resolved', resolution_outcome = $2, resolution_value = $3, resolution_evidence = $4,
          resolved_by = $5, resolved_at = $6, dispute_until = $7, updated_at = $6,
          closed_at = coalesce(closed_at, $6)
    where m.id = $1
   returning ${MARKET_COLUMNS}`,
)

interface ParsedResolution {
  outcome: number | null
  value: bigint | null
}

async function parseResolution(
  ctx: AppContext,
  market: MarketRow,
  input: Omit<ResolveInput, 'evidence'>,
  field = '/body',
): Promise<ParsedResolution> {
  if (market.kind === 'scalar') {
    if (input.value === undefined || input.outcome !== undefined) {
      throw errors.validation('A scalar market resolves to a value', [
        { field: `${field}/value`, message: 'is required (and outcome is not allowed) for scalar markets' },
      ])
    }
    return { outcome: null, value: amountField(input.value, `${field}/value`, { allowNegative: true }) }
  }
  if (input.outcome === undefined || input.value !== undefined) {
    throw errors.validation(`A ${market.kind} market resolves to an outcome`, [
      {
        field: `${field}/outcome`,
        message: `is required (and value is not allowed) for ${market.kind} markets`,
      },
    ])
  }
  const outcomes = await listOutcomes(ctx.db, market.id)
  const outcome = resolveOutcome(outcomes, input.outcome)
  return { outcome: outcome.index, value: null }
}

function evidenceJson(evidence: ResolveInput['evidence']) {
  const url = evidence.url?.trim()
  const note = evidence.note?.trim()
  if (!url && !note && !evidence.files?.length) {
    throw errors.validation('A resolution carries evidence: a URL, a note or files', [
      { field: '/body/evidence', message: 'needs a url, a note or files' },
    ])
  }
  if (url && !/^https?:\/\/\S+$/i.test(url)) {
    throw errors.validation('The evidence URL must be http(s)', [
      { field: '/body/evidence/url', message: 'must be an http(s) URL' },
    ])
  }
  return { ...(url ? { url } : {}), ...(note ? { note } : {}) }
}

/**
 * POST /v1/markets/{id}/resolve: the resolver (or an admin) reports the outcome with evidence.
 * An open market is closed by it. The dispute window opens; the settle job is enqueued for its
 * end (in this transaction).
 */
export async function resolveMarket(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  input: ResolveInput,
): Promise<MarketRow> {
  const evidence = evidenceJson(input.evidence)
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    let { market } = await lockMarketAndBranches(m, marketId)
    const now = ctx.clock.now()
    const actor = assertAllowed(principal, 'market.resolve', { resolverId: market.resolver_id })
    // A decision market resolves its chosen branch: it must have decided first (the branches
    // not taken are refunded, not resolved).
    if (market.decide_at !== null && (market.status === 'open' || market.status === 'closed')) {
      throw errors.invalidMarketState(
        `This decision market decides at ${market.decide_at.toISOString()}; it can be resolved once it has decided`,
      )
    }
    if (isTrading(market)) market = await closeInTransaction(tx, market, now)
    if (market.status !== 'closed' && market.status !== 'decided') {
      throw errors.invalidMarketState(`A ${market.status} market cannot be resolved`)
    }
    const resolution = await parseResolution(ctx, market, input)
    const files = await attachEvidence(
      tx,
      actor.userId,
      input.evidence.files ?? [],
      '/body/evidence/files',
      now,
    )
    const disputeUntil = new Date(now.getTime() + ctx.config.DISPUTE_WINDOW_S * 1000)
    const resolved = await tx.one(SetResolved, [
      market.id,
      resolution.outcome,
      resolution.value,
      files.length > 0 ? { ...evidence, files } : evidence,
      actor.userId,
      now,
      disputeUntil,
    ])
    await ctx.queue.send(
      SETTLE_MARKET_JOB,
      { marketId: market.id },
      { tx, startAfter: disputeUntil, singletonKey: `settle:${market.id}` },
    )
    return resolved
  })
}

// ---------------------------------------------------------------------------------------
// Disputes
// ---------------------------------------------------------------------------------------

export interface DisputeRow {
  id: string
  market_id: string
  disputer_id: string
  reason: string
  evidence_url: string | null
  evidence_files: EvidenceFileRef[] | null
  bond: bigint
  status: 'open' | 'upheld' | 'rejected'
  settled_by: string | null
  settled_at: Date | null
  settlement_note: string | null
  created_at: Date
}

const DISPUTE_COLUMNS = `id, market_id, disputer_id, reason, evidence_url, evidence_files, bond, status, settled_by, settled_at,
  settlement_note, created_at`

const HoldsShares = sql<{ holds: boolean }>(
  'DisputerHoldsShares',
  'select exists (select 1 from public.positions where market_id = $1 and user_id = $2 and shares > 0) as holds',
)

const InsertDispute = sql<DisputeRow>(
  'InsertDispute',
  `insert into public.market_disputes (market_id, disputer_id, reason, evidence_url, bond, created_at, evidence_files)
   values ($1, $2, $3, $4, $5, $6, $7)
   on conflict (market_id) where status = 'open' do nothing
   returning ${DISPUTE_COLUMNS}`,
)

/**
 * POST /v1/markets/{id}/disputes: a holder disputes the resolution within the window by posting
 * the bond (from their cash to the market's bond account). One open dispute at a time; while it
 * is open the market is not finalised.
 */
export async function disputeResolution(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  input: { reason: string; evidenceUrl?: string; evidenceFiles?: readonly string[] },
): Promise<DisputeRow> {
  const bond = ctx.config.DISPUTE_BOND_CREDITS
  const reason = input.reason.trim()
  if (reason === '') {
    throw errors.validation('A dispute says why', [{ field: '/body/reason', message: 'must not be blank' }])
  }
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await lockMarket(m, marketId)
    const now = ctx.clock.now()
    const actor = assertAllowed(principal, 'market.dispute')
    if (
      market.status !== 'resolved' ||
      !market.dispute_until ||
      now.getTime() >= market.dispute_until.getTime()
    ) {
      throw errors.invalidMarketState(
        market.status === 'resolved'
          ? 'The dispute window has ended'
          : `A ${market.status} market cannot be disputed`,
        ErrorCode.DisputeWindowClosed,
      )
    }
    const { holds } = await tx.one(HoldsShares, [market.id, actor.userId])
    if (!holds) {
      throw new AppError({
        code: ErrorCode.NotAHolder,
        status: 403,
        title: 'Only holders may dispute',
        detail: 'You hold no shares in this market',
      })
    }
    const files = await attachEvidence(
      tx,
      actor.userId,
      input.evidenceFiles ?? [],
      '/body/evidence_files',
      now,
    )
    const dispute = await tx.maybeOne(InsertDispute, [
      market.id,
      actor.userId,
      reason,
      input.evidenceUrl ?? null,
      bond,
      now,
      files.length > 0 ? JSON.stringify(files) : null,
    ])
    if (!dispute) throw errors.conflict('This resolution is already under dispute')
    if (bond > 0n) {
      const cash = await lockCashAccount(m, actor.userId)
      if (cash.balance < bond) {
        throw errors.unprocessable(
          ErrorCode.InsufficientFunds,
          'Insufficient funds',
          `A dispute needs a bond of ${formatAmount(bond)} credits`,
        )
      }
      const bonds = await marketBondsAccount(tx, market.id)
      m.post(
        [
          {
            kind: 'bond',
            userId: actor.userId,
            marketId: market.id,
            memo: `Dispute bond ${dispute.id}`,
            postings: [
              { account: cash.id, amount: -bond },
              { account: bonds, amount: bond },
            ],
          },
        ],
        now,
      )
    }
    return dispute
  })
}

const FindDispute = sql<DisputeRow>(
  'FindDispute',
  `select ${DISPUTE_COLUMNS} from public.market_disputes where id = $1`,
)

const SettleDisputeRow = sql<DisputeRow>(
  'SettleDispute',
  `update public.market_disputes set status = $2, settled_by = $3, settled_at = $4, settlement_note = $5
    where id = $1 and status = 'open'
   returning ${DISPUTE_COLUMNS}`,
)

// The settlement is final: no further disputes, and the settle job may run now.
const EndDisputeWindow = sql(
  'EndDisputeWindow',
  `update public.markets set dispute_until = $2, updated_at = $2, resolution_outcome = coalesce($3, resolution_outcome),
          resolution_value = coalesce($4, resolution_value),
          resolution_evidence = case when $5::jsonb is null then resolution_evidence
                                     else resolution_evidence || jsonb_build_object('admin', $5::jsonb) end
    where id = $1`,
)

/** Upheld: the correct outcome or value; omit both with `void: true` to void the market. */
export type SettleDisputeInput = Static<typeof SettleDisputeBody>

/**
 * An admin settles an open dispute. Upheld: the bond goes back to the disputer and the
 * resolution is corrected (or the market voided). Rejected: the bond is forfeited to the fee
 * account and the resolution stands. Either way the decision is final and settlement follows.
 *
 * Lock order (money/transaction.ts): the market (and, to void it, its branches), the disputer's
 * cash, then the bond's posting, last. It used to post first and then void, locking the
 * branches while it held the ledger's sequence row: a trade on one of them, waiting for that
 * row, deadlocked with it.
 */
export async function settleDispute(
  ctx: AppContext,
  principal: Principal | null,
  disputeId: string,
  input: SettleDisputeInput,
): Promise<{ dispute: DisputeRow; market: MarketRow }> {
  const admin = assertAllowed(principal, 'dispute.settle')
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const found = /^[0-9a-f-]{36}$/i.test(disputeId) ? await tx.maybeOne(FindDispute, [disputeId]) : undefined
    if (!found) throw errors.notFound('Dispute', `No dispute with id '${disputeId}'`)
    const upheld = input.decision === 'uphold'
    const voiding = upheld && input.void === true
    const market = voiding
      ? (await lockMarketAndBranches(m, found.market_id)).market
      : await lockMarket(m, found.market_id)
    const now = ctx.clock.now()
    if (found.status !== 'open') throw errors.invalidMarketState(`The dispute was already ${found.status}`)
    let correction: ParsedResolution | null = null
    if (upheld && !input.void) {
      correction = await parseResolution(ctx, market, { outcome: input.outcome, value: input.value })
    } else if (input.outcome !== undefined || input.value !== undefined) {
      throw errors.validation('Only an upheld dispute that does not void corrects the resolution')
    }
    const dispute = await tx.one(SettleDisputeRow, [
      found.id,
      upheld ? 'upheld' : 'rejected',
      admin.userId,
      now,
      input.note ?? null,
    ])
    const disputerCash = found.bond > 0n && upheld ? (await lockCashAccount(m, found.disputer_id)).id : null
    let after: MarketRow
    if (voiding) {
      // This dispute is settled already: the void finds no open dispute and posts nothing.
      after = await voidInTransaction(
        ctx,
        m,
        market,
        `Dispute ${found.id} upheld: ${input.note ?? 'voided'}`,
        now,
      )
    } else {
      await tx.execute(EndDisputeWindow, [
        market.id,
        now,
        correction?.outcome ?? null,
        correction?.value ?? null,
        correction ? { by: admin.userId, at: now.toISOString(), note: input.note ?? null } : null,
      ])
      await ctx.queue.send(
        SETTLE_MARKET_JOB,
        { marketId: market.id },
        { tx, singletonKey: `settle-now:${market.id}` },
      )
      after = await lockMarket(m, market.id)
    }
    if (found.bond > 0n) {
      const bonds = await marketBondsAccount(tx, market.id)
      m.post(
        [
          {
            kind: upheld ? 'bond_return' : 'bond_forfeit',
            userId: found.disputer_id,
            marketId: market.id,
            actorId: admin.userId,
            memo: `Dispute ${found.id} ${upheld ? 'upheld' : 'rejected'}`,
            postings: [
              { account: bonds, amount: -found.bond },
              { account: disputerCash ?? FEES_ACCOUNT, amount: found.bond },
            ],
          },
        ],
        now,
      )
    }
    return { dispute, market: after }
  })
}

// ---------------------------------------------------------------------------------------
// Void
// ---------------------------------------------------------------------------------------

const SetVoided = sql<MarketRow>(
  'SetMarketVoided',
  `update public.markets m set status = 'voided', voided_at = $2, void_reason = $3, updated_at = $2,
          closed_at = coalesce(closed_at, $2)
    where m.id = $1
   returning ${MARKET_COLUMNS}`,
)

const VoidBranches = sql(
  'VoidMarketBranches',
  `update public.market_branches set status = 'voided' where market_id = $1 and settled_at is null`,
)

const OpenDisputes = sql<DisputeRow>(
  'OpenDisputesOfMarket',
  `select ${DISPUTE_COLUMNS} from public.market_disputes where market_id = $1 and status = 'open'`,
)

/**
 * Voids the market; the caller holds its row and its branches (`lockMarketAndBranches`). Any
 * open dispute is answered: its bond goes back. Cash is locked, and the bond returns posted,
 * after every other write (the lock order of money/transaction.ts).
 */
export async function voidInTransaction(
  ctx: AppContext,
  m: MoneyTransaction,
  market: MarketRow,
  reason: string,
  now: Date,
): Promise<MarketRow> {
  const { tx } = m
  if (market.status === 'finalized' || market.status === 'voided') {
    throw errors.invalidMarketState(`A ${market.status} market cannot be voided`)
  }
  const voided = await tx.one(SetVoided, [market.id, now, reason])
  await tx.execute(VoidBranches, [market.id])
  // A void answers any open dispute: its bond goes back, since the resolution it disputed is gone.
  const disputes = await tx.many(OpenDisputes, [market.id])
  for (const dispute of disputes) {
    await tx.one(SettleDisputeRow, [dispute.id, 'upheld', null, now, 'Market voided'])
  }
  await ctx.queue.send(
    SETTLE_MARKET_JOB,
    { marketId: market.id },
    { tx, singletonKey: `settle-now:${market.id}` },
  )
  const bonded = disputes.filter((d) => d.bond > 0n)
  if (bonded.length > 0) {
    const cash = await lockCashAccounts(
      m,
      bonded.map((d) => d.disputer_id),
    )
    const bonds = await marketBondsAccount(tx, market.id)
    const entries = bonded.map((dispute) => {
      const account = cash.get(dispute.disputer_id)
      if (!account) throw new Error(`cash account of ${dispute.disputer_id} was not locked`)
      return {
        kind: 'bond_return' as const,
        userId: dispute.disputer_id,
        marketId: market.id,
        memo: `Dispute ${dispute.id}: market voided`,
        postings: [
          { account: bonds, amount: -dispute.bond },
          { account: account.id, amount: dispute.bond },
        ],
      }
    })
    m.post(entries, now)
  }
  return voided
}

/** POST /v1/markets/{id}/void (admin): every trade is refunded at cost by the settle job. */
export async function voidMarket(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  reason: string,
): Promise<MarketRow> {
  assertAllowed(principal, 'market.void')
  const why = reason.trim()
  if (why === '') {
    throw errors.validation('A void says why', [{ field: '/body/reason', message: 'must not be blank' }])
  }
  return withMoneyTransaction(ctx.db, async (m) => {
    const { market } = await lockMarketAndBranches(m, marketId)
    return voidInTransaction(ctx, m, market, why, ctx.clock.now())
  })
}
