/**
 * Money helpers for tests: users with credits (without going through HTTP), a settable clock,
 * and the ledger's invariants as SQL checks that every money test ends with.
 */
import { randomUUID } from 'node:crypto'
import type { Database, Queryable } from '../../src/db/database.js'
import { sql } from '../../src/db/database.js'
import type { Clock } from '../../src/domain/clock.js'
import type { Principal } from '../../src/domain/identity/principal.js'
import { parseAmount } from '../../src/domain/money.js'
import { grantSignupCredits } from '../../src/services/money/issuance.js'
import { withMoneyTransaction } from '../../src/services/money/transaction.js'

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-12-01T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current)
  }
  set(at: Date | string): void {
    this.current = new Date(at)
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms)
  }
}

const InsertUser = sql(
  'TestInsertUser',
  `insert into auth.users (id, aud, role, email, created_at, updated_at)
   values ($1, 'authenticated', 'authenticated', $2, now(), now())`,
)

/** A user row as Supabase Auth would have it, granted `credits` from issuance. */
export async function newUser(db: Database, credits = '1000', now = new Date()): Promise<string> {
  const id = randomUUID()
  await withMoneyTransaction(db, async (m) => {
    await m.tx.execute(InsertUser, [id, `${id}@example.test`])
    await grantSignupCredits(m, id, parseAmount(credits), now)
  })
  return id
}

/** A session principal for service calls (what the authenticate plugin would build). */
export function principalOf(userId: string, role: 'user' | 'admin' = 'user'): Principal {
  return { userId, role, via: 'session', scopes: new Set(['read', 'trade', 'agents']) }
}

const checks: Array<{ name: string; text: string }> = [
  {
    name: 'every journal entry sums to zero and has two or more postings',
    text: `select entry_id::text as item from public.ledger_postings group by entry_id
            having sum(amount) <> 0 or count(*) < 2`,
  },
  {
    name: 'every entry has postings',
    text: `select e.id::text as item from public.journal_entries e
            where not exists (select 1 from public.ledger_postings p where p.entry_id = e.id)`,
  },
  {
    name: 'no balance is negative (cash, escrow, bonds)',
    text: `select id::text || ' ' || kind || ' ' || balance as item from public.ledger_accounts where balance < 0`,
  },
  {
    name: 'each kept balance equals the sum of its postings',
    text: `select a.id::text || ': ' || a.balance || ' vs ' || coalesce(p.total, 0) as item
             from public.ledger_accounts a
             left join (select account_id, sum(amount) as total from public.ledger_postings group by account_id) p
               on p.account_id = a.id
            where a.balance is not null and a.balance <> coalesce(p.total, 0)`,
  },
  {
    name: 'posting sequence numbers are gap-free and match the counter',
    text: `select 'count ' || count(*) || ', min ' || coalesce(min(seq), 0) || ', max ' || coalesce(max(seq), 0)
                  || ', counter ' || (select last_seq from public.ledger_sequence) as item
             from public.ledger_postings
           having count(*) <> coalesce(max(seq), 0) or coalesce(min(seq), 1) <> 1
               or coalesce(max(seq), 0) <> (select last_seq from public.ledger_sequence)`,
  },
  {
    name: 'total credits held = total issued',
    text: `select 'held ' || held || ' issued ' || issued as item from (
             select (select coalesce(sum(amount), 0) from public.ledger_postings where account_id <> 1) as held,
                    (select coalesce(-sum(amount), 0) from public.ledger_postings where account_id = 1) as issued
           ) t where held <> issued`,
  },
  {
    name: 'each position equals the sum of its trades',
    text: `select coalesce(p.branch_id, t.branch_id)::text || ' ' || coalesce(p.user_id, t.trader_id)::text
                  || ' ' || coalesce(p.outcome, t.outcome) as item
             from public.positions p
             full join (
               select branch_id, trader_id, outcome,
                      sum(case side when 'buy' then shares else -shares end) as shares,
                      sum(cost) as cost, sum(proceeds) as proceeds, sum(fee) as fee, count(*) as n
                 from public.trades group by branch_id, trader_id, outcome
             ) t on t.branch_id = p.branch_id and t.trader_id = p.user_id and t.outcome = p.outcome
            where p.shares is distinct from t.shares or p.cost_total is distinct from t.cost
               or p.proceeds_total is distinct from t.proceeds or p.fees_total is distinct from t.fee
               or p.trade_count is distinct from t.n`,
  },
  {
    name: "each branch's q is the sum of its positions and its counters match its trades",
    text: `select b.id::text as item from public.market_branches b
            where b.q is distinct from (
                    select array_agg(coalesce(s.shares, 0) order by o.index)
                      from public.market_outcomes o
                      left join (select outcome, sum(shares) as shares from public.positions
                                  where branch_id = b.id group by outcome) s on s.outcome = o.index
                     where o.market_id = b.market_id)::bigint[]
               or b.version <> (select count(*) from public.trades t where t.branch_id = b.id)
               or b.trade_count <> b.version`,
  },
  {
    name: 'each unsettled escrow covers its worst-case liability',
    text: `select b.id::text || ' escrow ' || a.balance || ' < ' || (select max(x) from unnest(b.q) x) as item
             from public.market_branches b
             join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
            where b.settled_at is null and a.balance < (select max(x) from unnest(b.q) x)`,
  },
  {
    name: 'each settled escrow is empty',
    text: `select b.id::text || ' ' || a.balance as item from public.market_branches b
             join public.ledger_accounts a on a.kind = 'branch_escrow' and a.branch_id = b.id
            where b.settled_at is not null and a.balance <> 0`,
  },
  {
    name: 'no idempotency key traded twice',
    text: `select trader_id::text || ' ' || idempotency_key as item from public.trades
            where idempotency_key is not null group by trader_id, idempotency_key having count(*) > 1`,
  },
]

/** Every invariant of the ledger and the markets, as failures ("check: item"); [] when all hold. */
export async function ledgerViolations(db: Database): Promise<string[]> {
  const failures: string[] = []
  for (const check of checks) {
    const rows = await db.many(sql<{ item: string }>(`Invariant${checks.indexOf(check)}`, check.text))
    for (const row of rows.slice(0, 5)) failures.push(`${check.name}: ${row.item}`)
  }
  return failures
}

const Cash = sql<{ balance: bigint }>(
  'TestCash',
  `select balance from public.ledger_accounts where kind = 'user_cash' and user_id = $1`,
)

export async function cashOf(db: Database, userId: string): Promise<bigint> {
  return (await db.maybeOne(Cash, [userId]))?.balance ?? 0n
}

const Escrow = sql<{ balance: bigint }>(
  'TestEscrow',
  `select a.balance from public.ledger_accounts a join public.market_branches b on a.branch_id = b.id
    where b.market_id = $1 and b.index = $2`,
)

export async function escrowOf(db: Database, marketId: string, branchIndex = 0): Promise<bigint> {
  return (await db.one(Escrow, [marketId, branchIndex])).balance
}

const Fees = sql<{ total: bigint }>(
  'TestFees',
  'select coalesce(sum(amount), 0) as total from public.ledger_postings where account_id = 2',
)

export async function feesCollected(db: Database): Promise<bigint> {
  return (await db.one(Fees)).total
}

const Totals = sql<{ cash: bigint; fees: bigint; issued: bigint; escrow: bigint }>(
  'TestLedgerTotals',
  `select (select coalesce(sum(balance), 0) from public.ledger_accounts where kind = 'user_cash') as cash,
          (select coalesce(sum(amount), 0) from public.ledger_postings where account_id = 2) as fees,
          (select coalesce(-sum(amount), 0) from public.ledger_postings where account_id = 1) as issued,
          (select coalesce(sum(balance), 0) from public.ledger_accounts where kind = 'branch_escrow') as escrow`,
)

/** Where every credit issued is now: users' cash, fees, escrows (for end-of-test accounting). */
export function ledgerTotals(db: Queryable) {
  return db.one(Totals)
}
