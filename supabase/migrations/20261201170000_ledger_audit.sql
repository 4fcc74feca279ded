-- The ledger auditor (src/services/ledger-audit): a worker job that re-checks, after the fact, the
-- rules the ledger's triggers and constraints enforce as it is written. The triggers can be
-- dropped, disabled (session_replication_role = replica) or wrong; the auditor reads what is
-- stored and says so when it disagrees. It walks the postings in seq order from a checkpoint, so
-- each run reads only what committed since the last one.

-- Where the auditor is: every posting up to checked_seq has been checked, with the entries,
-- balances, escrows and positions it touched. One row; the last run's outcome beside it, for the
-- admin read (GET /v1/admin/ledger/audit) and the metrics.
create table public.ledger_audit_checkpoint (
  singleton boolean primary key default true check (singleton),
  checked_seq bigint not null default 0 check (checked_seq >= 0),
  checked_at timestamptz,
  last_run_at timestamptz,
  -- The last run that finished its checks (ok or violation): an alert on its age catches an
  -- auditor that stopped or keeps failing.
  last_success_at timestamptz,
  last_run_result text check (last_run_result in ('ok', 'violation', 'error')),
  last_run_ms integer,
  last_run_postings bigint,
  last_error text check (char_length(last_error) <= 2000)
);
insert into public.ledger_audit_checkpoint (singleton) values (true);

-- What the auditor found. A violation stays open (resolved_at null) until an operator has looked
-- into it and closes it; finding the same thing again only refreshes last_seen_at, so a balance
-- that stays wrong while its account keeps trading is one row, not one per run.
create table public.ledger_audit_violations (
  id bigint generated always as identity primary key,
  invariant text not null check (invariant in (
    'entry_balanced', 'balance_matches_postings', 'cash_nonnegative', 'escrow_covers_worst_case',
    'position_matches_trades'
  )),
  -- What is wrong, as a stable key: 'entry:<id>', 'account:<id>', 'posting:<seq>',
  -- 'branch:<uuid>', 'position:<branch>:<user>:<outcome>'.
  subject text not null check (char_length(subject) <= 200),
  -- The journal entries involved (the unbalanced one; the postings that broke a balance; the
  -- trades of a position), and the account, branch, market and user when there is one.
  entry_ids bigint[] not null default '{}',
  account_id bigint,
  branch_id uuid,
  market_id uuid,
  user_id uuid,
  detail jsonb not null,
  -- The posting range of the run that found it.
  found_in_first_seq bigint not null,
  found_in_last_seq bigint not null,
  found_at timestamptz not null,
  last_seen_at timestamptz not null,
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id),
  resolution_note text check (char_length(resolution_note) <= 2000)
);
create unique index ledger_audit_violations_open_idx on public.ledger_audit_violations (invariant, subject)
  where resolved_at is null;
create index ledger_audit_violations_found_idx on public.ledger_audit_violations (found_at desc, id desc);

-- The auditor compares each position a range's trades touched with the sums of that trader's
-- trades in that branch. Through trades_trader_idx it read every trade of the trader and kept
-- those of the branch: 0.5 ms per (branch, trader) on 10⁶ postings, 1.8 s for a range of 10,000,
-- and growing with each trader's history; by (branch, trader) it reads only the pair's own trades
-- (0.76 s for that range; bench/ledger-audit.ts). The price is one more index entry per trade
-- (bench/README.md, ledger audit).
create index trades_branch_trader_idx on public.trades (branch_id, trader_id);

-- Nobody but the service: a violation names accounts, users and amounts of many users at once.
alter table public.ledger_audit_checkpoint enable row level security;
alter table public.ledger_audit_violations enable row level security;
create policy ledger_audit_checkpoint_service on public.ledger_audit_checkpoint for select to service_role using (true);
create policy ledger_audit_violations_service on public.ledger_audit_violations for select to service_role using (true);
revoke all on public.ledger_audit_checkpoint, public.ledger_audit_violations from anon, authenticated;
revoke insert, update, delete, truncate on public.ledger_audit_checkpoint, public.ledger_audit_violations
  from service_role;
