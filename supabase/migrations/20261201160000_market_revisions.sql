-- The version of what a market shows, for the read cache, ETags and (later) the realtime feed.
-- A market's public state is its row, its branches and their escrow balances. Trades change
-- branches only, and each trade already numbers itself in its branch (market_branches.version,
-- the trade's branch_seq): the trade path reports those numbers after commit itself, and adds no
-- write here (a trigger on market_branches would run once per trade in the hottest statement).
-- Everything else (open, close, decide, resolve, dispute, void, settle, new markets) changes
-- the market row, or locks it (the settlement steps move escrow under the market's lock and
-- write the row only at the end; LockMarket is an UPDATE for that reason), so the row carries
-- a revision bumped by every update, in the committing transaction.
alter table public.markets add column revision bigint not null default 0;

create function public.markets_bump_revision() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.revision := old.revision + 1;
  return new;
end
$$;

create trigger markets_bump_revision before update on public.markets
  for each row execute function public.markets_bump_revision();

-- Every process LISTENs on dm_read_versions and raises its versions (the cache's, shared in
-- Redis when there is one): the notification is delivered at commit, never for a rolled-back
-- change, and covers changes made by the worker, the CLI or an operator's SQL. Lifecycle
-- changes are rare, so the commit-time lock that NOTIFY takes costs nothing measurable; trades
-- never notify.
create function public.markets_notify_revision() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_notify('dm_read_versions', 'market:' || new.id::text || ':' || new.revision::text);
  return null;
end
$$;

create trigger markets_notify_revision after insert or update on public.markets
  for each row execute function public.markets_notify_revision();

-- The tape shows each trader's username: a change of it changes every tape.
create function public.profiles_notify_username() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_notify('dm_read_versions', 'profiles');
  return null;
end
$$;

create trigger profiles_notify_username after update of username on public.profiles
  for each row when (old.username is distinct from new.username)
  execute function public.profiles_notify_username();
