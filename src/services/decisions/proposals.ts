/**
 * Actions proposed by users. An agent whose action source is `proposals` opens each decision in
 * a proposing phase: the market exists (question, outcomes, the default action's branch,
 * escrowed) but nothing trades. Users propose actions; the operator admits or rejects each;
 * then the operator opens the market: every admitted proposal becomes a branch (escrowed from
 * the operator's cash like the others), the agent records its prior if it has an LLM, and
 * trading starts. A market still proposing at decide_at is voided by the decide job.
 */
import type { Static } from '@sinclair/typebox'
import type { AppContext } from '../../context.js'
import type { ProposeActionBody } from '../../contracts/agents.js'
import { type Queryable, sql } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import { MAX_ACTIONS, MIN_ACTIONS } from '../../domain/agents/settings.js'
import type { Principal } from '../../domain/identity/principal.js'
import { formatAmount } from '../../domain/money.js'
import { ErrorCode, errors } from '../../errors/codes.js'
import { assertAllowed } from '../identity/access.js'
import { addBranches } from '../markets/create.js'
import {
  listBranches,
  listOutcomes,
  lockBranches,
  lockMarket,
  type MarketRow,
} from '../markets/repository.js'
import { lockCashAccount } from '../money/ledger.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'
import { findDecisionFacts } from './scores.js'

export interface ProposalRow {
  id: string
  market_id: string
  proposer_id: string
  proposer: string | null
  label: string
  description: string
  status: 'pending' | 'admitted' | 'rejected'
  reviewed_at: Date | null
  created_at: Date
}

const PROPOSAL_COLUMNS = `p.id, p.market_id, p.proposer_id, pr.username as proposer, p.label, p.description, p.status,
  p.reviewed_at, p.created_at`

const InsertProposal = sql<{ id: string }>(
  'InsertProposal',
  `insert into public.decision_proposals (market_id, proposer_id, label, description, created_at)
   values ($1, $2, $3, $4, $5) returning id`,
)

const FindProposal = sql<ProposalRow>(
  'FindProposal',
  `select ${PROPOSAL_COLUMNS} from public.decision_proposals p left join public.profiles pr on pr.user_id = p.proposer_id
    where p.id = $1 and p.market_id = $2`,
)

const ListProposals = sql<ProposalRow>(
  'ListProposals',
  `select ${PROPOSAL_COLUMNS} from public.decision_proposals p left join public.profiles pr on pr.user_id = p.proposer_id
    where p.market_id = $1 order by p.created_at, p.id`,
)

const ReviewProposal = sql(
  'ReviewProposal',
  `update public.decision_proposals set status = $3, reviewed_at = $4 where id = $1 and market_id = $2 and status = 'pending'`,
)

const OpenMarket = sql(
  'OpenProposedMarket',
  `update public.markets set status = 'open', opened_at = $2, updated_at = $2 where id = $1 and status = 'proposing'`,
)

const OpenBranches = sql(
  'OpenProposedBranches',
  `update public.market_branches set status = 'open' where market_id = $1 and status = 'closed'`,
)

export function proposalJson(row: ProposalRow) {
  return {
    id: row.id,
    market_id: row.market_id,
    proposer: row.proposer,
    label: row.label,
    description: row.description,
    status: row.status,
    reviewed_at: row.reviewed_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  }
}

async function proposingMarket(tx: Queryable, marketId: string, locked: MarketRow) {
  const facts = await findDecisionFacts(tx, marketId)
  if (!facts?.agent_id || locked.status !== 'proposing') {
    throw errors.conflict(
      locked.status === 'proposing' || !facts?.agent_id
        ? 'This market does not take proposals'
        : `Proposals are closed: the market is ${locked.status}`,
      ErrorCode.ProposalsClosed,
    )
  }
  return facts as typeof facts & { agent_id: string; operator_id: string }
}

/** POST /v1/markets/{id}/proposals: any signed-in user proposes an action. */
export async function proposeAction(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  input: Static<typeof ProposeActionBody>,
): Promise<ProposalRow> {
  const actor = assertAllowed(principal, 'proposal.create')
  const label = input.label.trim()
  if (!label)
    throw errors.validation('label must not be blank', [
      { field: '/body/label', message: 'must not be blank' },
    ])
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await lockMarket(m, marketId)
    await proposingMarket(tx, marketId, market)
    const taken = (await listBranches(tx, marketId)).some(
      (b) => b.label.toLowerCase() === label.toLowerCase(),
    )
    if (taken) throw errors.conflict(`'${label}' is already an action of this decision`)
    try {
      const { id } = await tx.one(InsertProposal, [
        marketId,
        actor.userId,
        label,
        input.description?.trim() ?? '',
        ctx.clock.now(),
      ])
      return (await tx.one(FindProposal, [id, marketId])) as ProposalRow
    } catch (error) {
      if (error instanceof DatabaseError && error.failure === 'conflict') {
        throw errors.conflict(`'${label}' has been proposed already`)
      }
      throw error
    }
  })
}

export function listProposals(db: Queryable, marketId: string) {
  return db.many(ListProposals, [marketId])
}

/** POST /v1/markets/{id}/proposals/{proposalId}/review: the operator admits or rejects. */
export async function reviewProposal(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  proposalId: string,
  status: 'admitted' | 'rejected',
): Promise<ProposalRow> {
  return withMoneyTransaction(ctx.db, async (m) => {
    const { tx } = m
    const market = await lockMarket(m, marketId)
    const facts = await proposingMarket(tx, marketId, market)
    assertAllowed(principal, 'proposal.review', { ownerId: facts.operator_id })
    const found = await tx.maybeOne(FindProposal, [proposalId, marketId])
    if (!found) throw errors.notFound('Proposal', `No proposal ${proposalId} on this market`)
    if (found.status !== 'pending') throw errors.conflict(`The proposal was already ${found.status}`)
    await tx.execute(ReviewProposal, [proposalId, marketId, status, ctx.clock.now()])
    return (await tx.one(FindProposal, [proposalId, marketId])) as ProposalRow
  })
}

/**
 * Opening adds the admitted proposals as branches and escrows their subsidy: with none there is
 * nothing to add (the ledger refused the empty subsidy entry: a 500), and a decision from
 * proposals without any is not the decision its proposers were promised.
 */
export function noAdmittedProposal() {
  return errors.unprocessable(
    ErrorCode.InvalidMarketState,
    'No admitted proposal',
    'Admit at least one proposal before opening this decision (or let decide_at void it)',
  )
}

/**
 * POST /v1/markets/{id}/open: the operator opens a proposing market with the admitted
 * proposals as branches. Returns the labels, for the agent's prior (asked by the caller).
 */
export async function openProposedMarket(
  ctx: AppContext,
  principal: Principal | null,
  marketId: string,
  m: MoneyTransaction,
): Promise<{ agentId: string; labels: string[] }> {
  const { tx } = m
  const now = ctx.clock.now()
  const market = await lockMarket(m, marketId)
  const facts = await proposingMarket(tx, marketId, market)
  assertAllowed(principal, 'proposal.review', { ownerId: facts.operator_id })
  if (market.decide_at === null || market.decide_at.getTime() <= now.getTime()) {
    throw errors.invalidMarketState('decide_at has passed: the market can no longer open; void it instead')
  }
  const branches = await lockBranches(m, marketId)
  const admitted = (await tx.many(ListProposals, [marketId])).filter((p) => p.status === 'admitted')
  if (admitted.length === 0) throw noAdmittedProposal()
  const count = branches.length + admitted.length
  if (count < MIN_ACTIONS || count > MAX_ACTIONS) {
    throw errors.unprocessable(
      ErrorCode.InvalidMarketState,
      'Not enough actions',
      `A decision needs ${MIN_ACTIONS}–${MAX_ACTIONS} actions; this one would have ${count}. Admit proposals first.`,
    )
  }
  const cash = await lockCashAccount(m, facts.operator_id)
  const needed = market.subsidy_per_branch * BigInt(admitted.length)
  if (cash.balance < needed) {
    throw errors.unprocessable(
      ErrorCode.InsufficientFunds,
      'Insufficient funds',
      `Opening needs ${formatAmount(needed)} credits of liquidity for the admitted actions; you have ${formatAmount(cash.balance)}`,
    )
  }
  const outcomes = (await listOutcomes(tx, marketId)).length
  await addBranches(m, market, {
    labels: admitted.map((p) => p.label),
    firstIndex: branches.length,
    outcomes,
    funder: { id: cash.id, userId: facts.operator_id },
    now,
    status: 'closed',
  })
  await tx.execute(OpenBranches, [marketId])
  // The decide job was queued when the market was created (services/decisions/create.ts).
  await tx.execute(OpenMarket, [marketId, now])
  return {
    agentId: facts.agent_id,
    labels: [...branches.map((b) => b.label), ...admitted.map((p) => p.label)],
  }
}
