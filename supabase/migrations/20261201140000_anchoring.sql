-- Anchoring (issue 11): the ledger and the decisions, committed to Poseidon Merkle roots that
-- are anchored on Starknet in consecutive batches, so anyone holding a proof can check that an
-- entry was recorded, and recorded before the root was, without trusting this database.
--
-- Two streams are anchored, both gap-free and in commit order:
--   * ledger postings, by ledger_postings.seq (ledger_sequence in 20261125020100_ledger.sql);
--   * records (decisions and resolutions), by anchor_records.seq below, numbered the same way.
-- A batch takes the next postings and the next records that have committed; its leaves are the
-- postings' in seq order, then the records' in seq order.

-- Records: what a decision or a resolution was, written by triggers in the transaction that
-- decides or resolves, so no code path can take one without it being recorded for anchoring.
-- The payload is the whole record the leaf hashes (its canonical JSON), kept as the proof's fields.
create table public.anchor_record_sequence (
  singleton boolean primary key default true check (singleton),
  last_seq bigint not null check (last_seq >= 0)
);
insert into public.anchor_record_sequence (singleton, last_seq) values (true, 0);

create table public.anchor_records (
  -- Gap-free in commit order: the counter row is held from the record's insert to the commit
  -- (decisions and resolutions are rare, so serialising them costs nothing that matters).
  seq bigint primary key,
  kind text not null check (kind in ('decision', 'resolution')),
  market_id uuid not null references public.markets (id),
  payload jsonb not null,
  created_at timestamptz not null
);
create index anchor_records_market_idx on public.anchor_records (market_id, seq);

create function public.anchor_record(kind text, market uuid, payload jsonb, at timestamptz) returns void
language plpgsql
set search_path = ''
as $$
declare
  next_seq bigint;
begin
  update public.anchor_record_sequence set last_seq = last_seq + 1 returning last_seq into next_seq;
  insert into public.anchor_records (seq, kind, market_id, payload, created_at)
  values (next_seq, kind, market, payload, at);
end
$$;

-- Times are microseconds since the epoch, as text: PostgreSQL keeps microseconds, a JSON number
-- or a JS Date would not, and the leaf hashes exactly what the payload says.
create function public.anchor_micros(at timestamptz) returns text
language sql immutable
set search_path = ''
as $$ select (extract(epoch from at) * 1000000)::bigint::text $$;

create function public.anchor_decision_record() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  prior jsonb;
  agent uuid;
begin
  select ad.agent_id,
         case when ad.prior_branch is null and ad.prior_error is null then null
              else jsonb_build_object(
                'branch', ad.prior_branch, 'confidence', ad.prior_confidence,
                'rationale', ad.prior_rationale, 'model', ad.prior_model,
                -- Only the error's code (llm_unreachable, …): its text can name the operator's
                -- LLM host, which only the operator sees, and an anchored record is forever.
                'error', nullif(split_part(ad.prior_error, ':', 1), ''))
         end
    into agent, prior
    from public.agent_decisions ad where ad.market_id = new.market_id;
  perform public.anchor_record('decision', new.market_id, jsonb_build_object(
    'market_id', new.market_id,
    'agent_id', agent,
    'prior', prior,
    'chosen_branch', new.chosen_branch,
    'best_branch', new.best_branch,
    'default_branch', new.default_branch,
    'reason', new.reason,
    'explanation', new.explanation,
    'scores', new.scores,
    'params', new.params,
    'distinct_traders', new.distinct_traders,
    'total_volume', new.total_volume::text,
    'decided_by', new.decided_by,
    'decided_at_us', public.anchor_micros(new.decided_at)
  ), new.decided_at);
  return null;
end
$$;
-- Deferred to commit, so the records' counter row is locked last, after the ledger's (the
-- service posts right before COMMIT): every transaction takes the two in the same order, and a
-- decision (which locks traders' cash after recording) cannot deadlock with a dispute settlement
-- (which locks the disputer's cash before it changes the resolution).
create constraint trigger market_decisions_anchor after insert on public.market_decisions
  deferrable initially deferred
  for each row execute function public.anchor_decision_record();

-- A resolution, a changed resolution (an admin settling a dispute) and a void are each a record.
create function public.anchor_resolution_record() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  voided boolean := new.status = 'voided';
  -- A correction (a dispute upheld) keeps resolved_at: its own time is updated_at, which every
  -- resolving statement sets to the time it acts.
  at timestamptz := case when voided then coalesce(new.voided_at, new.updated_at)
                         else greatest(new.resolved_at, new.updated_at) end;
begin
  perform public.anchor_record('resolution', new.id, jsonb_build_object(
    'market_id', new.id,
    'status', new.status,
    -- A void resolves to nothing, whatever was reported before it.
    'outcome', case when not voided then new.resolution_outcome end,
    'outcome_label', case when not voided then (select o.label from public.market_outcomes o
                       where o.market_id = new.id and o.index = new.resolution_outcome) end,
    'value', case when not voided then new.resolution_value::text end,
    'evidence', new.resolution_evidence,
    'decided_branch', new.decided_branch,
    'resolved_by', new.resolved_by,
    'void_reason', case when new.status = 'voided' then new.void_reason end,
    'resolved_at_us', public.anchor_micros(at)
  ), at);
  return null;
end
$$;
create constraint trigger markets_anchor_resolution after update on public.markets
  deferrable initially deferred
  for each row
  when (
    (new.resolved_at is not null and (
      old.resolved_at is distinct from new.resolved_at
      or old.resolution_outcome is distinct from new.resolution_outcome
      or old.resolution_value is distinct from new.resolution_value))
    or (new.status = 'voided' and old.status is distinct from 'voided')
  )
  execute function public.anchor_resolution_record();

-- Batches: consecutive ids from 1, each the next contiguous ranges of both streams.
create table public.anchor_batches (
  id bigint primary key check (id > 0),
  -- Inclusive ranges; an empty range has last = first - 1.
  first_posting bigint not null check (first_posting > 0),
  last_posting bigint not null check (last_posting >= first_posting - 1),
  first_record bigint not null check (first_record > 0),
  last_record bigint not null check (last_record >= first_record - 1),
  leaf_count integer not null check (leaf_count > 0),
  -- The Merkle root as a 0x-hex felt, and every node of the tree (32 bytes each, level by level
  -- from the leaves; src/services/anchoring/tree-store.ts), so a proof is a few slices of it
  -- rather than a rebuild of the batch.
  root text not null,
  tree bytea not null,
  -- local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way;
  -- anchored: the chain accepted it (final); conflict: the chain holds another root for this id
  -- (the submitter stops and the alert names it).
  status text not null default 'local' check (status in ('local', 'submitted', 'anchored', 'conflict')),
  transaction_hash text,
  finality text,
  block_number bigint,
  attempts integer not null default 0,
  last_error text,
  next_attempt_at timestamptz,
  created_at timestamptz not null,
  submitted_at timestamptz,
  anchored_at timestamptz,
  constraint anchor_batches_counts check (
    leaf_count = (last_posting - first_posting + 1) + (last_record - first_record + 1))
);
create index anchor_batches_unanchored_idx on public.anchor_batches (id) where status <> 'anchored';
-- Kept uncompressed out of line, so that substring() reads only the pages of a proof's nodes
-- instead of decompressing the whole tree (hashes do not compress anyway).
alter table public.anchor_batches alter column tree set storage external;

-- Consecutive and contiguous, whatever code inserts: batch n + 1 starts where batch n ended.
create function public.anchor_batches_contiguous() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  previous public.anchor_batches;
begin
  select * into previous from public.anchor_batches order by id desc limit 1;
  if new.id <> coalesce(previous.id, 0) + 1
     or new.first_posting <> coalesce(previous.last_posting, 0) + 1
     or new.first_record <> coalesce(previous.last_record, 0) + 1 then
    raise exception 'anchor batch % does not follow batch %', new.id, coalesce(previous.id, 0)
      using errcode = '23514', constraint = 'anchor_batches_contiguous';
  end if;
  return new;
end
$$;
create trigger anchor_batches_contiguous before insert on public.anchor_batches
  for each row execute function public.anchor_batches_contiguous();

-- What a batch anchors never changes once stored; only its chain status does.
create function public.anchor_batches_fixed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' or (new.id, new.first_posting, new.last_posting, new.first_record, new.last_record,
      new.leaf_count, new.root, new.tree, new.created_at)
    is distinct from (old.id, old.first_posting, old.last_posting, old.first_record, old.last_record,
      old.leaf_count, old.root, old.tree, old.created_at) then
    raise exception 'anchor batch %: what it anchors is fixed', old.id using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger anchor_batches_fixed before update or delete on public.anchor_batches
  for each row execute function public.anchor_batches_fixed();
create trigger anchor_records_append_only before update or delete on public.anchor_records
  for each row execute function public.ledger_refuse_change();
create trigger anchor_records_no_truncate before truncate on public.anchor_records
  for each statement execute function public.ledger_refuse_change();
create trigger anchor_batches_no_truncate before truncate on public.anchor_batches
  for each statement execute function public.ledger_refuse_change();

-- Batches and records are public (a record exists only once its market has decided or
-- resolved); the service writes them.
alter table public.anchor_record_sequence enable row level security;
alter table public.anchor_records enable row level security;
alter table public.anchor_batches enable row level security;
create policy anchor_records_read_all on public.anchor_records for select to anon, authenticated using (true);
create policy anchor_records_service on public.anchor_records for select to service_role using (true);
create policy anchor_batches_read_all on public.anchor_batches for select to anon, authenticated using (true);
create policy anchor_batches_service on public.anchor_batches for select to service_role using (true);
create policy anchor_record_sequence_service on public.anchor_record_sequence for select to service_role using (true);
revoke insert, update, delete, truncate on
  public.anchor_record_sequence, public.anchor_records, public.anchor_batches
  from anon, authenticated, service_role;
-- The tree's nodes stay with the service: a node is a hash of a posting, and postings are
-- private to their owners; a proof hands out only the nodes on one path.
revoke select on public.anchor_batches from anon, authenticated;
grant select (id, first_posting, last_posting, first_record, last_record, leaf_count, root, status,
  transaction_hash, finality, block_number, attempts, last_error, next_attempt_at, created_at,
  submitted_at, anchored_at) on public.anchor_batches to anon, authenticated;
