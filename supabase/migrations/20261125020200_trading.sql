-- Trades, positions, idempotency keys and disputes.
--
-- A trade is one transaction (services/markets/trading.ts): lock the branch row, run the pure
-- trade engine, write the trade, the position, the branch's new q and the ledger postings.
-- Positions and trades of a branch change only while that branch's row is locked, which is why
-- they need no locks of their own.

-- Every trade, public like a tape (the trader's username is joined from profiles on read).
create table public.trades (
  id uuid primary key default gen_random_uuid(),
  -- No foreign key to markets: its KEY SHARE lock would make every trade of a decision market's
  -- branches contend on the one market row. branch_id implies the market.
  market_id uuid not null,
  branch_id uuid not null references public.market_branches (id),
  -- The branch's version after this trade: 1, 2, 3, … per branch (price history order).
  branch_seq bigint not null,
  -- No foreign key to auth.users either (same reason: one user trading in several markets at
  -- once); the trader's position row, written in the same transaction, has it.
  trader_id uuid not null,
  outcome smallint not null,
  side text not null check (side in ('buy', 'sell')),
  shares bigint not null check (shares > 0),
  -- Paid to the market maker (buy) or by it (sell), fee excluded; micro-credits.
  cost bigint not null check (cost >= 0),
  proceeds bigint not null check (proceeds >= 0),
  fee bigint not null check (fee >= 0),
  -- The branch's prices right after the trade: one point of the price history per trade.
  prices_after double precision[] not null,
  idempotency_key text,
  created_at timestamptz not null,
  unique (branch_id, branch_seq),
  check ((side = 'buy' and proceeds = 0) or (side = 'sell' and cost = 0))
);
create index trades_market_idx on public.trades (market_id, created_at desc, id desc);
create index trades_trader_idx on public.trades (trader_id, created_at desc, id desc);

-- What a user holds of one outcome of one branch, and what it cost them. Totals are kept per
-- outcome so that a void (here, and per branch in issue 5) refunds each trader exactly what
-- they paid net of what they received: Σ(cost + fee) − Σ(proceeds − fee).
create table public.positions (
  branch_id uuid not null references public.market_branches (id),
  user_id uuid not null references auth.users (id),
  outcome smallint not null,
  market_id uuid not null references public.markets (id),
  -- Always the sum of the trades' share deltas (never reset: settlement sets `payout`).
  shares bigint not null check (shares >= 0),
  -- Average-cost basis of the shares still held, fees included; realised P&L of the sold ones.
  cost_basis bigint not null check (cost_basis >= 0),
  realized_pnl bigint not null default 0,
  shares_bought bigint not null default 0 check (shares_bought >= 0),
  shares_sold bigint not null default 0 check (shares_sold >= 0),
  cost_total bigint not null default 0 check (cost_total >= 0),
  proceeds_total bigint not null default 0 check (proceeds_total >= 0),
  fees_total bigint not null default 0 check (fees_total >= 0),
  trade_count integer not null default 0,
  -- Paid at finalisation, or refunded at a void; NULL while the branch is unsettled.
  payout bigint,
  settled_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (branch_id, user_id, outcome),
  check (shares = shares_bought - shares_sold)
);
-- created_at, not updated_at: an index on a column every trade changes would rule out HOT updates.
create index positions_user_idx on public.positions (user_id, created_at desc, branch_id, outcome);
-- Settlement walks the unsettled holders of a branch in user order, a chunk at a time.
create index positions_unsettled_idx on public.positions (branch_id, user_id) where settled_at is null;

-- Idempotency-Key: the same key and body return the stored response; the same key with another
-- body is a 409. The primary key is what makes "never trades twice" hold under concurrency: a
-- second transaction inserting the same key waits for the first and then finds it.
create table public.idempotency_keys (
  user_id uuid not null,
  key text not null check (char_length(key) between 1 and 255),
  -- SHA-256 of the operation and its canonical body.
  request_hash text not null,
  trade_id uuid not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (user_id, key)
);
create index idempotency_keys_created_idx on public.idempotency_keys (created_at);

-- Disputes of a resolution: any holder, within the window, posting a bond; an admin settles.
create table public.market_disputes (
  id uuid primary key default gen_random_uuid(),
  market_id uuid not null references public.markets (id),
  disputer_id uuid not null references auth.users (id),
  reason text not null check (char_length(reason) between 1 and 2000),
  evidence_url text check (char_length(evidence_url) <= 2000),
  bond bigint not null check (bond >= 0),
  status text not null default 'open' check (status in ('open', 'upheld', 'rejected')),
  settled_by uuid references auth.users (id),
  settled_at timestamptz,
  settlement_note text check (char_length(settlement_note) <= 2000),
  created_at timestamptz not null
);
-- One open dispute at a time: the admin's settlement answers it, and is final.
create unique index market_disputes_open_idx on public.market_disputes (market_id) where status = 'open';
create index market_disputes_market_idx on public.market_disputes (market_id, created_at);

alter table public.trades enable row level security;
alter table public.positions enable row level security;
alter table public.idempotency_keys enable row level security;
alter table public.market_disputes enable row level security;

create policy trades_read_all on public.trades for select to anon, authenticated using (true);
create policy trades_service on public.trades for select to service_role using (true);
create policy positions_read_own on public.positions for select to authenticated
  using (user_id = (select auth.uid()));
create policy positions_service on public.positions for select to service_role using (true);
create policy idempotency_keys_read_own on public.idempotency_keys for select to authenticated
  using (user_id = (select auth.uid()));
create policy idempotency_keys_service on public.idempotency_keys for select to service_role using (true);
create policy market_disputes_read_all on public.market_disputes for select to anon, authenticated using (true);
create policy market_disputes_service on public.market_disputes for select to service_role using (true);

revoke insert, update, delete, truncate on
  public.trades, public.positions, public.idempotency_keys, public.market_disputes
  from anon, authenticated, service_role;
