-- Where the Supabase Realtime publisher (jobs/broadcast.ts, services/realtime/broadcast.ts) is
-- in the feed: what it has POSTed to the project's /realtime/v1/api/broadcast. The feed's own
-- numbers are the cursor (a branch's trade number, market_feed.seq), so the publisher follows the
-- database, not the bus: a process that dies between a commit and its publish loses nothing,
-- the next pass sends it. Advanced in the transaction that holds the publisher's advisory lock,
-- after the POST succeeded: at-least-once, a retried event keeps its seq.

-- One row: the publisher started at `started_at`; market_feed events up to feed_seq are sent.
-- Absent until the first pass, which starts from the heads of that moment (a deployment that
-- turns SUPABASE_URL on does not replay its whole history).
create table public.realtime_broadcast_state (
  singleton boolean primary key default true check (singleton),
  started_at timestamptz not null default now(),
  feed_seq bigint not null check (feed_seq >= 0)
);

-- Per branch, the last trade number sent. A branch without a row was created after the start:
-- its whole tape is to send.
create table public.realtime_broadcast_branches (
  branch_id uuid primary key references public.market_branches (id) on delete cascade,
  last_seq bigint not null check (last_seq >= 0)
);

revoke all on public.realtime_broadcast_state, public.realtime_broadcast_branches from anon, authenticated;
alter table public.realtime_broadcast_state enable row level security;
alter table public.realtime_broadcast_branches enable row level security;
