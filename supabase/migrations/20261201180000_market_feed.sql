-- The feed of market lifecycle events for the realtime channels (services/realtime): one row per
-- market created and per change of a market's status, numbered twice, both gap-free and in commit
-- order:
--   * `seq`, across all markets: the `markets` channel (the global list) resumes by it;
--   * `market_seq`, per market: the status stream of the `market:<id>` channel resumes by it.
-- Trades never write here (a trade's own number is its branch_seq), so the counter row below is
-- taken only by market creations and status changes, never by the trading hot path.
--
-- Written by a trigger, so no writer of a market's status can forget it (lifecycle.ts,
-- settlement.ts, decisions/*.ts all update `markets.status`). The trigger is a deferred
-- constraint trigger: it runs at COMMIT, after every statement of the transaction, so the
-- counter row is held only from then to the end of the commit (like ledger_sequence, which the
-- same transaction has already taken by then: always ledger first, feed second, so the two
-- counters cannot deadlock). Taken at the UPDATE instead, a close would hold it while it waits
-- for the market's in-flight trades, and every other market's close would queue behind.

create table public.market_feed_sequence (
  singleton boolean primary key default true check (singleton),
  last_seq bigint not null check (last_seq >= 0)
);
insert into public.market_feed_sequence (singleton, last_seq) values (true, 0);

create table public.market_feed (
  seq bigint primary key,
  market_id uuid not null references public.markets (id),
  market_seq bigint not null check (market_seq > 0),
  kind text not null check (kind in ('created', 'status')),
  status text not null,
  created_at timestamptz not null,
  unique (market_id, market_seq)
);

create function public.market_feed_record() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  next_seq bigint;
  next_market_seq bigint;
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  update public.market_feed_sequence set last_seq = last_seq + 1 returning last_seq into next_seq;
  -- The market row is locked by this transaction (it inserted or updated it), so no other
  -- transaction numbers this market's events meanwhile.
  select coalesce(max(f.market_seq), 0) + 1 into next_market_seq
    from public.market_feed f where f.market_id = new.id;
  insert into public.market_feed (seq, market_id, market_seq, kind, status, created_at)
  values (next_seq, new.id, next_market_seq, case tg_op when 'INSERT' then 'created' else 'status' end,
          new.status, coalesce(new.updated_at, new.created_at));
  return null;
end
$$;

create constraint trigger markets_feed after insert or update of status on public.markets
  deferrable initially deferred
  for each row execute function public.market_feed_record();

-- Markets that existed before the feed: their creation, in creation order, so the `markets`
-- channel's snapshot sequence covers them.
insert into public.market_feed (seq, market_id, market_seq, kind, status, created_at)
select row_number() over (order by m.created_at, m.id), m.id, 1, 'created', m.status, m.created_at
  from public.markets m;
update public.market_feed_sequence set last_seq = (select count(*) from public.market_feed);

alter table public.market_feed enable row level security;
alter table public.market_feed_sequence enable row level security;
create policy market_feed_read_all on public.market_feed for select to anon, authenticated using (true);
create policy market_feed_service on public.market_feed for select to service_role using (true);
create policy market_feed_sequence_service on public.market_feed_sequence for select to service_role using (true);
revoke insert, update, delete, truncate on public.market_feed, public.market_feed_sequence
  from anon, authenticated, service_role;
