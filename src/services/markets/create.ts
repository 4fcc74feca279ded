/**
 * Creating a market: validate, escrow the creator's subsidy for each branch, and schedule the
 * close, all in one transaction (the close job is enqueued in it, so a market never exists
 * without the job that closes it, and a rolled-back creation leaves no orphan job).
 */
import { randomBytes } from 'node:crypto'
import type { AppContext } from '../../context.js'
import { sql, type Transaction } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import { MAX_OUTCOMES, MIN_OUTCOMES } from '../../domain/market-maker/index.js'
import { formatAmount } from '../../domain/money.js'
import { ErrorCode, errors } from '../../errors/codes.js'
import { CLOSE_MARKET_JOB } from '../jobs.js'
import { amountField } from '../money/amounts.js'
import { createEscrowAccount, lockCashAccount } from '../money/ledger.js'
import { type MoneyTransaction, withMoneyTransaction } from '../money/transaction.js'
import { isUuid, MARKET_COLUMNS, type MarketKind, type MarketRow } from './repository.js'

export interface CreateMarketInput {
  readonly question: string
  readonly description?: string
  readonly kind: MarketKind
  /** Categorical: 2–32 labels. Binary and scalar have fixed outcomes (YES/NO, LONG/SHORT). */
  readonly outcomes?: readonly string[]
  /** Scalar: the range as decimal strings (negative allowed), and an optional unit. */
  readonly scalar?: { readonly lo: string; readonly hi: string; readonly unit?: string }
  /** Credits escrowed per branch (decimal string). */
  readonly subsidy: string
  readonly closeAt: Date
  /** Reports the outcome; the creator when omitted. */
  readonly resolverId?: string
  readonly slug?: string
  /** Branch labels; a plain market has one branch (issue 5 passes its candidate actions). */
  readonly branches?: readonly string[]
  readonly decideAt?: Date
}

export const BINARY_OUTCOMES = ['YES', 'NO'] as const
export const SCALAR_OUTCOMES = ['LONG', 'SHORT'] as const
export const MAIN_BRANCH_LABEL = 'main'

function slugify(question: string): string {
  const base = question
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  // A random suffix keeps slugs unique without a lookup; base36 of 5 bytes ≈ 8 characters.
  const suffix = BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36)
  return base ? `${base}-${suffix}` : `market-${suffix}`
}

function outcomeLabels(input: CreateMarketInput): string[] {
  if (input.kind === 'binary' || input.kind === 'scalar') {
    if (input.outcomes !== undefined) {
      throw errors.validation(`A ${input.kind} market has fixed outcomes; omit outcomes`, [
        { field: '/body/outcomes', message: `is not allowed for ${input.kind} markets` },
      ])
    }
    return [...(input.kind === 'binary' ? BINARY_OUTCOMES : SCALAR_OUTCOMES)]
  }
  const labels = (input.outcomes ?? []).map((label) => label.trim())
  if (labels.length < MIN_OUTCOMES || labels.length > MAX_OUTCOMES) {
    throw errors.validation(`A categorical market has ${MIN_OUTCOMES}–${MAX_OUTCOMES} outcomes`, [
      { field: '/body/outcomes', message: `must list ${MIN_OUTCOMES}–${MAX_OUTCOMES} labels` },
    ])
  }
  const seen = new Set<string>()
  labels.forEach((label, i) => {
    if (label.length === 0 || label.length > 100) {
      throw errors.validation('Outcome labels have 1–100 characters', [
        { field: `/body/outcomes/${i}`, message: 'must have 1–100 characters' },
      ])
    }
    if (/^\d+$/.test(label)) {
      // Trades name outcomes by index or label; an all-digit label would be ambiguous.
      throw errors.validation('Outcome labels cannot be plain numbers', [
        { field: `/body/outcomes/${i}`, message: 'must not be a plain number' },
      ])
    }
    const key = label.toLowerCase()
    if (seen.has(key)) {
      throw errors.validation('Outcome labels must be unique', [
        { field: `/body/outcomes/${i}`, message: `repeats '${label}'` },
      ])
    }
    seen.add(key)
  })
  return labels
}

const InsertMarket = sql<MarketRow>(
  'InsertMarket',
  `insert into public.markets as m (slug, question, description, kind, creator_id, resolver_id, scalar_lo, scalar_hi,
     scalar_unit, subsidy_per_branch, fee_bps, close_at, decide_at, created_at, updated_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
   returning ${MARKET_COLUMNS}`,
)

const InsertOutcomes = sql(
  'InsertMarketOutcomes',
  `insert into public.market_outcomes (market_id, index, label)
   select $1, o.ord - 1, o.label from unnest($2::text[]) with ordinality as o(label, ord)`,
)

const InsertBranch = sql<{ id: string }>(
  'InsertMarketBranch',
  `insert into public.market_branches (market_id, index, label, q, subsidy, funder_id, status)
   values ($1, $2, $3, array_fill(0::bigint, array[$4::int]), $5, $6, $7)
   returning id`,
)

const UserExists = sql<{ id: string }>('MarketUserExists', 'select id from auth.users where id = $1')

export function createMarket(
  ctx: AppContext,
  creatorId: string,
  input: CreateMarketInput,
): Promise<MarketRow> {
  return withMoneyTransaction(ctx.db, (m) => createMarketInTransaction(ctx, m, creatorId, input))
}

/**
 * The same, inside the caller's transaction: a decision market is created together with its
 * decision settings, the agent's record and the job that decides it (services/decisions).
 */
export async function createMarketInTransaction(
  ctx: AppContext,
  m: MoneyTransaction,
  creatorId: string,
  input: CreateMarketInput,
): Promise<MarketRow> {
  const { tx } = m
  const { config } = ctx
  const now = ctx.clock.now()
  const labels = outcomeLabels(input)
  const branchLabels = input.branches ?? [MAIN_BRANCH_LABEL]
  const subsidy = amountField(input.subsidy, '/body/subsidy')
  if (subsidy < config.MARKET_MIN_SUBSIDY_CREDITS || subsidy > config.MARKET_MAX_SUBSIDY_CREDITS) {
    throw errors.invalidAmount(
      '/body/subsidy',
      `subsidy must be between ${formatAmount(config.MARKET_MIN_SUBSIDY_CREDITS)} and ` +
        `${formatAmount(config.MARKET_MAX_SUBSIDY_CREDITS)} credits`,
    )
  }
  let lo: bigint | null = null
  let hi: bigint | null = null
  if (input.kind === 'scalar') {
    if (!input.scalar) {
      throw errors.validation('A scalar market needs its range', [
        { field: '/body/scalar', message: 'is required for scalar markets' },
      ])
    }
    lo = amountField(input.scalar.lo, '/body/scalar/lo', { allowNegative: true })
    hi = amountField(input.scalar.hi, '/body/scalar/hi', { allowNegative: true })
    if (hi <= lo) {
      throw errors.validation('The scalar range needs lo < hi', [
        { field: '/body/scalar/hi', message: 'must be greater than lo' },
      ])
    }
  } else if (input.scalar !== undefined) {
    throw errors.validation('Only scalar markets have a range', [
      { field: '/body/scalar', message: `is not allowed for ${input.kind} markets` },
    ])
  }
  if (input.closeAt.getTime() <= now.getTime()) {
    throw errors.validation('close_at must be in the future', [
      { field: '/body/close_at', message: 'must be in the future' },
    ])
  }
  const slug = input.slug?.toLowerCase() ?? slugify(input.question)
  // `GET /v1/markets/{id or slug}` reads a UUID as an id: a slug shaped like one could never be found.
  if (isUuid(slug)) {
    throw errors.validation('A slug cannot look like a market id', [
      { field: '/body/slug', message: 'must not be shaped like a UUID' },
    ])
  }
  const total = subsidy * BigInt(branchLabels.length)

  const resolverId = input.resolverId ?? creatorId
  if (resolverId !== creatorId && !(await tx.maybeOne(UserExists, [resolverId]))) {
    throw errors.notFound('User', `No user with id ${resolverId} to name as resolver`)
  }
  const cash = await lockCashAccount(m, creatorId)
  if (cash.balance < total) {
    throw errors.unprocessable(
      ErrorCode.InsufficientFunds,
      'Insufficient funds',
      `The subsidy needs ${formatAmount(total)} credits; you have ${formatAmount(cash.balance)}`,
    )
  }
  const market = await insertMarket(tx, [
    slug,
    input.question.trim(),
    input.description?.trim() ?? '',
    input.kind,
    creatorId,
    resolverId,
    lo,
    hi,
    input.scalar?.unit ?? null,
    subsidy,
    config.TRADE_FEE_BPS,
    input.closeAt,
    input.decideAt ?? null,
    now,
  ])
  await tx.execute(InsertOutcomes, [market.id, labels])
  await ctx.queue.send(
    CLOSE_MARKET_JOB,
    { marketId: market.id },
    { tx, startAfter: input.closeAt, singletonKey: `close:${market.id}` },
  )
  await addBranches(m, market, {
    labels: branchLabels,
    firstIndex: 0,
    outcomes: labels.length,
    funder: { id: cash.id, userId: creatorId },
    now,
  })
  return market
}

/**
 * Adds branches to a market, each escrowing the market's subsidy per branch from the funder's
 * cash (locked by the caller, who has checked it suffices) in one journal entry. Used at
 * creation, and when a decision market admits proposed actions before it opens.
 */
export async function addBranches(
  m: MoneyTransaction,
  market: Pick<MarketRow, 'id' | 'subsidy_per_branch'>,
  options: {
    labels: readonly string[]
    firstIndex: number
    outcomes: number
    funder: { id: bigint; userId: string }
    now: Date
    status?: 'open' | 'closed'
  },
): Promise<void> {
  const { tx } = m
  const subsidy = market.subsidy_per_branch
  const escrows: bigint[] = []
  for (const [offset, label] of options.labels.entries()) {
    const branch = await tx.one(InsertBranch, [
      market.id,
      options.firstIndex + offset,
      label,
      options.outcomes,
      subsidy,
      options.funder.userId,
      options.status ?? 'open',
    ])
    escrows.push(await createEscrowAccount(tx, branch.id))
  }
  m.post(
    [
      {
        kind: 'subsidy',
        userId: options.funder.userId,
        marketId: market.id,
        memo: 'Market subsidy escrowed',
        postings: [
          { account: options.funder.id, amount: -subsidy * BigInt(options.labels.length) },
          ...escrows.map((account) => ({ account, amount: subsidy })),
        ],
      },
    ],
    options.now,
  )
}

async function insertMarket(tx: Transaction, values: unknown[]): Promise<MarketRow> {
  try {
    return await tx.one(InsertMarket, values)
  } catch (error) {
    if (
      error instanceof DatabaseError &&
      error.failure === 'conflict' &&
      error.constraint === 'markets_slug_key'
    ) {
      throw errors.conflict(`The slug '${String(values[0])}' is taken`)
    }
    if (error instanceof DatabaseError && error.failure === 'constraint') {
      throw errors.validation(`The market is invalid (${error.constraint ?? 'constraint'})`)
    }
    throw error
  }
}
