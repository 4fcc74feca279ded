-- Markets: a question, an outcome space and one or more branches. A plain market has one
-- branch; a decision market (issue 5) has one per candidate action, each its own conditional
-- LMSR market over the same outcomes. Everything a trader moves lives on the branch (q, escrow,
-- positions, trades); the market row holds what the branches share (question, outcome space,
-- lifecycle, resolution).
--
-- Readable by everyone (anon included) like a public order book; written only by the service,
-- which connects as the table owner. The API roles lose INSERT/UPDATE/DELETE so Supabase's
-- auto-generated REST API can never move a market around the ledger.

create table public.markets (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
  question text not null check (char_length(question) between 3 and 300),
  description text not null default '' check (char_length(description) <= 20000),
  kind text not null check (kind in ('binary', 'categorical', 'scalar')),
  status text not null default 'open'
    check (status in ('open', 'closed', 'decided', 'resolved', 'finalized', 'voided')),
  creator_id uuid not null references auth.users (id),
  -- Reports the outcome; the creator unless another user was named.
  resolver_id uuid not null references auth.users (id),
  -- Scalar range in micro-units of the market's unit (exact, like money).
  scalar_lo bigint,
  scalar_hi bigint,
  scalar_unit text check (char_length(scalar_unit) <= 32),
  -- The creator's subsidy L per branch (micro-credits): b = L / ln n.
  subsidy_per_branch bigint not null check (subsidy_per_branch > 0),
  -- Snapshot of TRADE_FEE_BPS at creation: a market's fee never changes under its traders.
  fee_bps integer not null check (fee_bps between 0 and 10000),
  close_at timestamptz not null,
  closed_at timestamptz,
  decide_at timestamptz,
  -- Resolution: an outcome index (binary, categorical) or a value (scalar, micro-units).
  resolution_outcome smallint,
  resolution_value bigint,
  resolution_evidence jsonb,
  resolved_by uuid references auth.users (id),
  resolved_at timestamptz,
  -- Disputes are accepted until then; finalisation runs after it (or when an admin settles).
  dispute_until timestamptz,
  finalized_at timestamptz,
  voided_at timestamptz,
  void_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  search tsvector generated always as (
    setweight(to_tsvector('english', question), 'A') || setweight(to_tsvector('english', description), 'B')
  ) stored,
  constraint markets_scalar_range check (
    (kind = 'scalar') = (scalar_lo is not null and scalar_hi is not null)
    and (scalar_lo is null or scalar_hi > scalar_lo)
  ),
  constraint markets_close_after_creation check (close_at > created_at)
);

create index markets_created_idx on public.markets (created_at desc, id desc);
create index markets_status_created_idx on public.markets (status, created_at desc, id desc);
create index markets_creator_idx on public.markets (creator_id, created_at desc);
create index markets_search_idx on public.markets using gin (search);

-- The outcome space, shared by every branch of the market. Binary: YES (0), NO (1); scalar:
-- LONG (0), SHORT (1); categorical: 2–32 labels. `index` is the position in each branch's q.
create table public.market_outcomes (
  id uuid primary key default gen_random_uuid(),
  market_id uuid not null references public.markets (id),
  index smallint not null check (index between 0 and 31),
  label text not null check (char_length(label) between 1 and 100),
  unique (market_id, index)
);
create unique index market_outcomes_label_idx on public.market_outcomes (market_id, lower(label));

-- One LMSR market maker per branch. `q` (micro-shares outstanding per outcome) is the state the
-- trade transaction locks FOR UPDATE; `status` is the branch's own view of trading (closing a
-- market updates its branches, which waits for in-flight trades: see services/markets/lifecycle.ts).
create table public.market_branches (
  id uuid primary key default gen_random_uuid(),
  market_id uuid not null references public.markets (id),
  index smallint not null check (index between 0 and 15),
  label text not null check (char_length(label) between 1 and 200),
  status text not null default 'open' check (status in ('open', 'closed', 'voided', 'settled')),
  q bigint[] not null check (cardinality(q) between 2 and 32),
  subsidy bigint not null check (subsidy > 0),
  -- Who escrowed the subsidy, and gets back what is left of it when the branch settles.
  funder_id uuid not null references auth.users (id),
  volume bigint not null default 0 check (volume >= 0),
  trade_count bigint not null default 0,
  trader_count integer not null default 0,
  -- Number of trades applied; each trade records the value it produced as its branch_seq.
  version bigint not null default 0,
  last_trade_at timestamptz,
  -- Void with clawback shortfall: refunds are paid at refund_ratio_num / refund_ratio_den.
  refund_ratio_num bigint,
  refund_ratio_den bigint,
  settled_at timestamptz,
  unique (market_id, index)
);

alter table public.markets enable row level security;
alter table public.market_outcomes enable row level security;
alter table public.market_branches enable row level security;

create policy markets_read_all on public.markets for select to anon, authenticated using (true);
create policy markets_service on public.markets for select to service_role using (true);
create policy market_outcomes_read_all on public.market_outcomes for select to anon, authenticated using (true);
create policy market_outcomes_service on public.market_outcomes for select to service_role using (true);
create policy market_branches_read_all on public.market_branches for select to anon, authenticated using (true);
create policy market_branches_service on public.market_branches for select to service_role using (true);

revoke insert, update, delete, truncate on public.markets, public.market_outcomes, public.market_branches
  from anon, authenticated, service_role;
