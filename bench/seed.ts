/**
 * Grows the benchmark's database to a platform's size, set-based in SQL (generate_series and
 * INSERT … SELECT, no HTTP): `users` users, each as a local sign-up leaves them (auth.users, a
 * session and its refresh token, a profile, a cash account, the sign-up grant, the audit row);
 * `markets` binary markets created by the first `markets` of them (outcomes, one branch, its
 * escrow account, the subsidy entry); and `trades` buys spread uniformly over those markets and
 * users, priced by the LMSR from each branch's running q, with their positions, journal entries,
 * ledger postings (numbered from the gap-free counter, which is advanced by their number) and
 * the branches' q, volume and counters. The result satisfies every invariant of
 * test/helpers/money.ts (run them with BENCH_SEED_CHECK=1), so the service's queries meet data
 * shaped like the real thing.
 *
 * What is simplified, and why it does not matter to what is measured: every seeded trade is a
 * buy (a sell needs the trader's running holdings, which would make the generation sequential;
 * the trade path and the portfolio read the same rows either way); seeded markets have no close
 * job in pg-boss (their close_at is 30 days out, and the benchmark's database is dropped at the
 * end); costs are computed in SQL's double precision with the engine's formula and safety margin
 * (domain/market-maker/lmsr.ts), so they may differ from the engine's by a micro-credit, always
 * in the market maker's favour.
 *
 * History is laid out in time: sign-ups over days 30–20 before now, markets on day 20–19, trades
 * from day 19 to a minute ago; entry ids and posting numbers follow that order. The benchmark's
 * own rows (created at run time, before the seeding) keep their lower numbers.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'

export interface SeedOptions {
  users: number
  markets: number
  trades: number
  /** Sign-up grant of each seeded user, micro-credits. */
  grant: bigint
  /** Subsidy of each seeded market's branch, micro-credits. */
  subsidy: bigint
  feeBps: number
  /**
   * Insert the postings through the ledger's triggers (ledger_apply_posting per row, the deferred
   * balance check per row) instead of computing balances set-based: slower, for comparison.
   */
  viaTriggers?: boolean
  log?: (line: string) => void
}

export interface SeedResult {
  seconds: number
  /** Seconds per step, in order. */
  steps: Array<{ step: string; seconds: number }>
  postings: number
}

/** A fixed Argon2id-shaped hash: seeded users never sign in; the column just has its usual width. */
const PASSWORD_HASH = `$argon2id$v=19$m=19456,t=2,p=1$${'c2VlZGVkc2FsdA'}$${'A'.repeat(43)}`

export async function seedGrownData(url: string, options: SeedOptions): Promise<SeedResult> {
  const { users, markets, trades, grant, subsidy, feeBps } = options
  if (markets > users)
    throw new Error('BENCH_SEED_MARKETS must not exceed BENCH_SEED_USERS (one market per creator)')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const steps: SeedResult['steps'] = []
  const started = performance.now()
  const step = async (name: string, text: string, values: unknown[] = []) => {
    const t0 = performance.now()
    const result = await client.query(text, values)
    const seconds = (performance.now() - t0) / 1000
    steps.push({ step: name, seconds })
    options.log?.(`    ${name}: ${seconds.toFixed(1)} s`)
    return result
  }
  try {
    // Before the first temp table: the seed_* tables (~400 MB at full size) stay in memory.
    await client.query(`set temp_buffers = '1GB'`)
    await client.query('begin')
    // The window sorts and hash aggregates over a million rows stay in memory.
    await client.query(`set local work_mem = '256MB'`)
    await client.query(`set local maintenance_work_mem = '256MB'`)

    await step(
      'seed_users',
      `create temp table seed_users on commit drop as
       select n, gen_random_uuid() as id, gen_random_uuid() as session_id,
              now() - interval '30 days' + (n::float8 / $1) * interval '10 days' as created_at
         from generate_series(1, $1::int) as n`,
      [users],
    )
    await step(
      'seed_markets',
      `create temp table seed_markets on commit drop as
       select u.n, gen_random_uuid() as id, gen_random_uuid() as branch_id, u.id as creator_id,
              now() - interval '20 days' + (u.n::float8 / $1) * interval '1 day' as created_at
         from seed_users u where u.n <= $1`,
      [markets],
    )
    // The trades, priced one after the other per branch: q before each trade is the running sum
    // of the earlier ones (a window), and the cost is C(q + δ·e_k) − C(q) = b·ln(1 − p_k + p_k·e^x)
    // with x = δ / b, plus the engine's safety margin, rounded up (lmsr.ts, costFromPrepared);
    // b = L / ln 2 nudged down by 8 ε, as `liquidity` does.
    await step(
      'seed_fills',
      `create temp table seed_fills on commit drop as
       with drawn as (
         select j, 1 + floor(random() * $2)::int as m, 1 + floor(random() * $3)::int as u,
                (random() < 0.5)::int as outcome,
                (2000000 + floor(random() * 18000000))::bigint as shares,
                now() - interval '19 days' + (j::float8 / $1) * (interval '19 days' - interval '1 minute') as created_at
           from generate_series(1, $1::int) as j
       ),
       running as (
         select d.*,
                row_number() over (partition by m order by j) as branch_seq,
                coalesce(sum(case when outcome = 0 then shares end)
                           over (partition by m order by j rows between unbounded preceding and 1 preceding), 0) as q0,
                coalesce(sum(case when outcome = 1 then shares end)
                           over (partition by m order by j rows between unbounded preceding and 1 preceding), 0) as q1
           from drawn d
       ),
       priced as (
         select r.*, ($4::float8 / ln(2)) * (1 - 8 * 2.220446049250313e-16) as b from running r
       ),
       costed as (
         select p.*,
                -- the trade's outcome's price before, and the move in units of b
                1 / (1 + exp((case when outcome = 0 then q1 - q0 else q0 - q1 end)::float8 / b)) as pk,
                shares::float8 / b as x,
                greatest(abs(q0), abs(q1))::float8 / b as scale
           from priced p
       ),
       cost as (
         select c.*, b * ln(1 + pk * (exp(x) - 1)) as raw_cost from costed c
       ),
       final as (
         select c.*,
                ceil(raw_cost + greatest(1, 1e-12 * (b * (scale + x) + abs(raw_cost))))::bigint as cost,
                q0 + case when outcome = 0 then shares else 0 end as q0_after,
                q1 + case when outcome = 1 then shares else 0 end as q1_after
           from cost c
       )
       select f.j, f.m, f.u, f.outcome, f.shares, f.branch_seq, f.created_at, f.cost,
              (f.cost * $5 + 9999) / 10000 as fee, f.q0_after, f.q1_after,
              array[1 / (1 + exp((f.q1_after - f.q0_after)::float8 / f.b)),
                    1 / (1 + exp((f.q0_after - f.q1_after)::float8 / f.b))] as prices_after,
              gen_random_uuid() as trade_id, mk.id as market_id, mk.branch_id, us.id as trader_id
         from final f
         join seed_markets mk on mk.n = f.m
         join seed_users us on us.n = f.u`,
      [trades, markets, users, subsidy.toString(), feeBps],
    )

    // Ids: account ids, entry ids and posting numbers are reserved as ranges. Nothing else
    // writes while the benchmark seeds (the API is idle between scenarios); the counter row,
    // locked here until COMMIT, is what a concurrent trade would queue on anyway.
    const counts = (
      await client.query<{ postings: string }>(
        `select (2 * $1::bigint + 2 * $2::bigint + 2 * (select count(*) from seed_fills)
                 + (select count(*) from seed_fills where fee > 0))::text as postings`,
        [users, markets],
      )
    ).rows[0]
    const postings = Number(counts?.postings)
    const seqBase = (
      await client.query<{ base: string }>(
        `update public.ledger_sequence set last_seq = last_seq + $1 returning (last_seq - $1)::text as base`,
        [postings],
      )
    ).rows[0]?.base
    const accountBase = (
      await client.query<{ base: string }>(
        `select (setval(pg_get_serial_sequence('public.ledger_accounts', 'id'),
                        nextval(pg_get_serial_sequence('public.ledger_accounts', 'id')) + $1 - 1) - $1)::text as base`,
        [users + markets],
      )
    ).rows[0]?.base
    const entryBase = (
      await client.query<{ base: string }>(
        `select (setval('public.journal_entries_id_seq', nextval('public.journal_entries_id_seq') + $1 - 1) - $1)::text
                as base`,
        [users + markets + trades],
      )
    ).rows[0]?.base

    await step(
      'auth.users',
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                               raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at,
                               is_sso_user, is_anonymous)
       select '00000000-0000-0000-0000-000000000000', s.id, 'authenticated', 'authenticated',
              'seed-' || s.n || '@example.test', $1, s.created_at,
              '{"provider": "email", "providers": ["email"]}'::jsonb,
              jsonb_build_object('email', 'seed-' || s.n || '@example.test', 'email_verified', true,
                                 'phone_verified', false, 'sub', s.id),
              s.created_at, s.created_at, s.created_at, false, false
         from seed_users s`,
      [PASSWORD_HASH],
    )
    await step(
      'sessions',
      `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
       select session_id, id, created_at, created_at, 'aal1', 'bench-seed', '127.0.0.1' from seed_users`,
    )
    await step(
      'refresh_tokens',
      `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
       select '00000000-0000-0000-0000-000000000000',
              encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), id::text, false,
              created_at, created_at, null, session_id
         from seed_users`,
    )
    await step(
      'profiles',
      `insert into public.profiles (user_id, username, display_name, created_at, updated_at)
       select id, 'seed_' || n, 'Seed trader ' || n, created_at, created_at from seed_users`,
    )
    await step(
      'audit_log',
      `insert into public.audit_log (occurred_at, actor_id, actor_kind, action, subject_type, subject_id, ip, user_agent)
       select created_at, id, 'session', 'auth.signed_up', 'user', id::text, '127.0.0.1', 'bench-seed' from seed_users`,
    )

    await step(
      'markets',
      `insert into public.markets (id, slug, question, kind, creator_id, resolver_id, subsidy_per_branch, fee_bps,
                                   close_at, created_at, updated_at)
       select id, 'seeded-market-' || n, 'Seeded market number ' || n || '?', 'binary', creator_id, creator_id,
              $1, $2, now() + interval '30 days', created_at, created_at
         from seed_markets`,
      [subsidy.toString(), feeBps],
    )
    await step(
      'market_outcomes',
      `insert into public.market_outcomes (market_id, index, label)
       select m.id, o.index, o.label from seed_markets m
       cross join (values (0::smallint, 'YES'), (1::smallint, 'NO')) as o(index, label)`,
    )
    // Each branch as its trades left it: q = Σ shares per outcome, version = trade_count =
    // number of trades, volume = Σ (cost + proceeds), trader_count = distinct traders.
    await step(
      'market_branches',
      `insert into public.market_branches (id, market_id, index, label, status, q, subsidy, funder_id, volume,
                                           trade_count, trader_count, version, last_trade_at)
       select m.branch_id, m.id, 0, 'main', 'open',
              array[coalesce(t.q0, 0), coalesce(t.q1, 0)]::bigint[], $1, m.creator_id,
              coalesce(t.volume, 0), coalesce(t.n, 0), coalesce(t.traders, 0), coalesce(t.n, 0), t.last_at
         from seed_markets m
         left join (
           select market_id, sum(case when outcome = 0 then shares else 0 end) as q0,
                  sum(case when outcome = 1 then shares else 0 end) as q1,
                  sum(cost) as volume, count(*) as n, count(distinct trader_id) as traders,
                  max(created_at) as last_at
             from seed_fills group by market_id
         ) t on t.market_id = m.id`,
      [subsidy.toString()],
    )

    await step(
      'trades',
      `insert into public.trades (id, market_id, branch_id, branch_seq, trader_id, outcome, side, shares, cost,
                                  proceeds, fee, prices_after, created_at)
       select trade_id, market_id, branch_id, branch_seq, trader_id, outcome, 'buy', shares, cost, 0, fee,
              prices_after, created_at
         from seed_fills order by j`,
    )
    // A buy-only position: the basis is everything paid, fees included (domain/settlement.ts applyFill).
    await step(
      'positions',
      `insert into public.positions (branch_id, user_id, outcome, market_id, shares, cost_basis, realized_pnl,
                                     shares_bought, shares_sold, cost_total, proceeds_total, fees_total, trade_count,
                                     created_at, updated_at)
       select branch_id, trader_id, outcome, market_id, sum(shares), sum(cost + fee), 0, sum(shares), 0, sum(cost), 0,
              sum(fee), count(*), min(created_at), max(created_at)
         from seed_fills group by branch_id, trader_id, outcome, market_id`,
    )

    // The ledger: entries in time order (sign-ups, subsidies, trades), their postings in the
    // order the service writes them, numbered on from the counter.
    await step(
      'seed_entries',
      `create temp table seed_entries on commit drop as
       select $1::bigint + row_number() over (order by at, phase, ord) as id, e.*
         from (
           select 1 as phase, s.created_at as at, s.n::bigint as ord, 'signup_grant' as kind, s.id as user_id,
                  null::uuid as market_id, null::uuid as branch_id, null::uuid as trade_id, 'Sign-up credits' as memo
             from seed_users s
           union all
           select 2, m.created_at, m.n, 'subsidy', m.creator_id, m.id, null, null, 'Market subsidy escrowed'
             from seed_markets m
           union all
           select 3, f.created_at, f.j, 'trade', f.trader_id, f.market_id, f.branch_id, f.trade_id, null
             from seed_fills f
         ) e`,
      [entryBase],
    )
    // Cash account of seeded user n: accountBase + n; escrow of seeded market n: accountBase + users + n.
    await step(
      'seed_postings',
      `create temp table seed_postings on commit drop as
       with p as (
         select e.id as entry_id, e.at, 1 as k, 1::bigint as account_id, -$2::bigint as amount
           from seed_entries e where e.phase = 1
         union all
         select e.id, e.at, 2, $1::bigint + e.ord, $2::bigint from seed_entries e where e.phase = 1
         union all
         select e.id, e.at, 1, $1::bigint + m.n, -$3::bigint
           from seed_entries e join seed_markets m on m.n = e.ord where e.phase = 2
         union all
         select e.id, e.at, 2, $1::bigint + $4 + m.n, $3::bigint
           from seed_entries e join seed_markets m on m.n = e.ord where e.phase = 2
         union all
         select e.id, e.at, 1, $1::bigint + f.u, -(f.cost + f.fee)
           from seed_entries e join seed_fills f on f.j = e.ord where e.phase = 3
         union all
         select e.id, e.at, 2, $1::bigint + $4 + f.m, f.cost
           from seed_entries e join seed_fills f on f.j = e.ord where e.phase = 3
         union all
         select e.id, e.at, 3, 2::bigint, f.fee
           from seed_entries e join seed_fills f on f.j = e.ord where e.phase = 3 and f.fee > 0
       )
       select $5::bigint + row_number() over (order by entry_id, k) as seq, p.*,
              -- what ledger_apply_posting would have set: the running balance of kept-balance
              -- accounts (all but issuance and fees, ids 1 and 2, whose balance is not kept)
              case when account_id > 2 then sum(amount) over (partition by account_id order by entry_id, k) end
                as balance_after
         from p`,
      [accountBase, grant.toString(), subsidy.toString(), users, seqBase],
    )
    const [{ count }] = (
      await client.query<{ count: string }>('select count(*)::text as count from seed_postings')
    ).rows as [{ count: string }]
    if (Number(count) !== postings) throw new Error(`seed: ${count} postings built, ${postings} reserved`)

    await step(
      'journal_entries',
      `insert into public.journal_entries (id, kind, user_id, market_id, branch_id, trade_id, memo, created_at)
       select id, kind, user_id, market_id, branch_id, trade_id, memo, at from seed_entries order by id`,
    )

    // Accounts. Set-based: each is created holding what its postings sum to (the balance CHECK
    // still applies to every row). Through the triggers: created empty, and the posting trigger
    // moves them one posting at a time.
    await step(
      'ledger_accounts',
      `insert into public.ledger_accounts (id, kind, user_id, branch_id, balance, created_at) overriding system value
       select a.id, a.kind, a.user_id, a.branch_id, case when $2 then 0 else coalesce(b.total, 0) end, a.created_at
         from (
           select $1::bigint + n as id, 'user_cash' as kind, id as user_id, null::uuid as branch_id, created_at
             from seed_users
           union all
           select $1::bigint + $3 + n, 'branch_escrow', null, branch_id, created_at from seed_markets
         ) a
         left join (select account_id, sum(amount) as total from seed_postings group by account_id) b
           on b.account_id = a.id
        order by a.id`,
      [accountBase, options.viaTriggers === true, users],
    )

    if (options.viaTriggers) {
      await step(
        'ledger_postings (through the triggers)',
        `insert into public.ledger_postings (seq, entry_id, account_id, amount, created_at)
         select seq, entry_id, account_id, amount, at from seed_postings order by seq`,
      )
    } else {
      // The one bypass: with session_replication_role = replica, ordinary triggers do not fire
      // for this statement, i.e. neither ledger_apply_posting (one UPDATE of the account per
      // posting: ~3 million row versions of 10^5 rows) nor the deferred per-posting balance check
      // nor the entry_id foreign-key check. It leaves the same end state as the triggers would:
      // the accounts were created above with the sum of their postings, and balance_after and
      // user_id are the running sums and owners the trigger would have written
      // (BENCH_SEED_CHECK=1 verifies both, and every entry's balance, afterwards). Measured on the
      // 2-core machine: through the triggers ~250 µs per posting (80 s for 320,200, and 8 s more
      // for the deferred checks at commit), set-based ~10 µs.
      await client.query('set local session_replication_role = replica')
      await step(
        'ledger_postings (set-based)',
        `insert into public.ledger_postings (seq, entry_id, account_id, user_id, amount, balance_after, created_at)
         select p.seq, p.entry_id, p.account_id, a.user_id, p.amount, p.balance_after, p.at
           from seed_postings p left join public.ledger_accounts a on a.id = p.account_id and a.kind = 'user_cash'
          order by p.seq`,
      )
      await client.query('set local session_replication_role = origin')
    }
    await step('commit', 'commit')

    // Autovacuum would otherwise start on these tables during the next measurement (inserts
    // past the threshold) and the first readers would set hint bits: do both now, and the
    // statistics the planner needs (ANALYZE).
    const t0 = performance.now()
    for (const table of [
      'auth.users',
      'auth.sessions',
      'auth.refresh_tokens',
      'public.profiles',
      'public.audit_log',
      'public.markets',
      'public.market_outcomes',
      'public.market_branches',
      'public.trades',
      'public.positions',
      'public.journal_entries',
      'public.ledger_accounts',
      'public.ledger_postings',
    ]) {
      await client.query(`vacuum (analyze) ${table}`)
    }
    steps.push({ step: 'vacuum (analyze)', seconds: (performance.now() - t0) / 1000 })
    options.log?.(`    vacuum (analyze): ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    // The WAL of the seeding is flushed to the data files now, not by a checkpoint during the
    // next measurement.
    await step('checkpoint', 'checkpoint')
    return { seconds: (performance.now() - started) / 1000, steps, postings }
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    await client.end()
  }
}

/**
 * What the seeding's one bypass must leave as the trigger would have: each posting's running
 * balance and owner. (The other invariants are test/helpers/money.ts's ledgerViolations.)
 */
export const seedChecks: Array<{ name: string; text: string }> = [
  {
    name: "each posting's balance_after and user_id are what ledger_apply_posting sets",
    text: `select p.seq::text as item
             from (select seq, account_id, user_id, balance_after,
                          sum(amount) over (partition by account_id order by seq) as running
                     from public.ledger_postings) p
             join public.ledger_accounts a on a.id = p.account_id
            where (a.balance is null and (p.balance_after is not null or p.user_id is not null))
               or (a.balance is not null and (p.balance_after is distinct from p.running
                                              or p.user_id is distinct from a.user_id))
            limit 5`,
  },
  {
    name: 'every posting names an existing entry',
    text: `select p.seq::text as item from public.ledger_postings p
            where not exists (select 1 from public.journal_entries e where e.id = p.entry_id) limit 5`,
  },
]
