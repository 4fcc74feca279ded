-- AI agents and decision markets (issue 5).
--
-- An agent belongs to a user, its operator. For each decision it opens a decision market: one
-- conditional branch per candidate action, each its own LMSR market over the agent's outcome
-- space. At decide_at the decision rule (domain/decision-rule) picks a branch; the others are
-- voided and refunded at cost in the same transaction; the chosen one trades on until close_at
-- and resolves with the outcome the operator reports.
--
-- Public: agents (what they maximise, where their actions come from), decisions and their
-- scores, proposals. Private to the operator: the agent's prior (the API shows it to everyone
-- once the market has decided), its webhook deliveries, and its secrets (sealed with
-- AES-256-GCM by the service, readable by nobody but the service). Only the service writes.

create table public.agents (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references auth.users (id),
  name text not null check (char_length(name) between 1 and 100),
  description text not null default '' check (char_length(description) <= 5000),
  -- What the agent maximises and how the outcome is measured:
  -- { kind: binary|categorical|scalar, outcomes?, utilities?, scalar?: {lo, hi, unit}, measurement }
  objective jsonb not null,
  action_source text not null check (action_source in ('fixed', 'llm', 'proposals')),
  -- The fixed list of candidate actions ([{label, description}]); for 'llm' and 'proposals'
  -- the actions every decision starts from (may be empty besides the default).
  actions jsonb not null default '[]'::jsonb,
  -- LLM endpoint without its key: { base_url, model, instructions }.
  llm jsonb,
  default_action text not null check (char_length(default_action) between 1 and 200),
  -- { threshold_bps, min_traders, min_volume, twap_interval_seconds, twap_window_seconds,
  --   twap_max_step_bps, allow_early_decision }
  decision_rule jsonb not null,
  -- Credits escrowed per branch of each decision (micro-credits), from the operator's cash.
  liquidity_per_decision bigint not null check (liquidity_per_decision > 0),
  delivery text not null check (delivery in ('webhook', 'polling')),
  webhook_url text check (char_length(webhook_url) <= 2000),
  status text not null default 'active' check (status in ('active', 'deleted')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint agents_webhook_needs_url check (delivery <> 'webhook' or webhook_url is not null)
);
create index agents_owner_idx on public.agents (owner_id, created_at desc) where status = 'active';
create index agents_created_idx on public.agents (created_at desc, id desc) where status = 'active';

-- Sealed secrets ("v1.<kid>.<iv>.<data>.<tag>", bound to "agent:<id>:<field>"), apart from the
-- public agent row so that no policy on `agents` can ever expose them.
create table public.agent_secrets (
  agent_id uuid primary key references public.agents (id),
  -- The operator, copied from the agent so row-level security needs no join.
  owner_id uuid not null references auth.users (id),
  llm_api_key text,
  webhook_secret text,
  updated_at timestamptz not null
);

alter table public.markets
  add column agent_id uuid references public.agents (id),
  -- The branch taken when the market's verdict is not clear enough (decision markets only).
  add column default_branch smallint,
  -- The rule's parameters, snapshotted when the market opens (see agents.decision_rule).
  add column decision_rule jsonb,
  -- Categorical decision markets: the utility of each outcome, scoring a branch as Σ p·u.
  add column utilities double precision[],
  add column decided_at timestamptz,
  add column decided_branch smallint;
create index markets_agent_idx on public.markets (agent_id, created_at desc) where agent_id is not null;

-- 'proposing': a decision market whose actions come from users' proposals, not yet open.
alter table public.markets drop constraint markets_status_check;
alter table public.markets add constraint markets_status_check
  check (status in ('proposing', 'open', 'closed', 'decided', 'resolved', 'finalized', 'voided'));

-- What the rule saw and why it chose, written once by the transaction that decides.
create table public.market_decisions (
  market_id uuid primary key references public.markets (id),
  chosen_branch smallint not null,
  best_branch smallint not null,
  default_branch smallint not null,
  reason text not null check (reason in (
    'best_beats_default', 'default_is_best', 'below_threshold', 'insufficient_traders', 'insufficient_volume'
  )),
  explanation text not null,
  -- Per branch: { index, label, score (TWAP), observations, last_observation, spot, traders, volume }.
  scores jsonb not null,
  params jsonb not null,
  distinct_traders integer not null,
  total_volume bigint not null,
  -- NULL when the decide_at job decided; the owner or admin who decided early otherwise.
  decided_by uuid references auth.users (id),
  decided_at timestamptz not null
);

-- One row per decision an agent opened: its own prior (LLM agents) and the delivery of the
-- market's choice.
-- Private to the operator through the REST API; the API shows the prior to everyone once the
-- market has decided (before, it would anchor the traders).
create table public.agent_decisions (
  market_id uuid primary key references public.markets (id),
  agent_id uuid not null references public.agents (id),
  owner_id uuid not null references auth.users (id),
  -- The agent's own choice before the market opened (LLM): branch index, confidence, rationale.
  prior_branch smallint,
  prior_confidence double precision check (prior_confidence between 0 and 1),
  prior_rationale text,
  prior_model text,
  prior_completion_id text,
  -- Why there is no prior, when the LLM failed (unreachable, malformed output…).
  prior_error text,
  created_at timestamptz not null
);
create index agent_decisions_agent_idx on public.agent_decisions (agent_id, created_at desc);

-- Actions proposed by users for a decision whose agent takes proposals; the operator admits
-- them before the market opens.
create table public.decision_proposals (
  id uuid primary key default gen_random_uuid(),
  market_id uuid not null references public.markets (id),
  proposer_id uuid not null references auth.users (id),
  label text not null check (char_length(label) between 1 and 200),
  description text not null default '' check (char_length(description) <= 2000),
  status text not null default 'pending' check (status in ('pending', 'admitted', 'rejected')),
  reviewed_at timestamptz,
  created_at timestamptz not null
);
create unique index decision_proposals_label_idx on public.decision_proposals (market_id, lower(label));

-- Webhook deliveries of decisions: one row per event with a stable id (the receiver's dedupe
-- key), retried by the job queue until a 2xx; every attempt logged for the operator.
create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references public.agents (id),
  owner_id uuid not null references auth.users (id),
  market_id uuid not null references public.markets (id),
  event text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null,
  unique (market_id, event)
);
create index webhook_deliveries_agent_idx on public.webhook_deliveries (agent_id, created_at desc);

create table public.webhook_attempts (
  delivery_id uuid not null references public.webhook_deliveries (id),
  owner_id uuid not null references auth.users (id),
  attempt integer not null,
  status_code integer,
  error text,
  duration_ms integer not null,
  attempted_at timestamptz not null,
  primary key (delivery_id, attempt)
);

alter table public.agents enable row level security;
alter table public.agent_secrets enable row level security;
alter table public.market_decisions enable row level security;
alter table public.agent_decisions enable row level security;
alter table public.decision_proposals enable row level security;
alter table public.webhook_deliveries enable row level security;
alter table public.webhook_attempts enable row level security;

create policy agents_read_active on public.agents for select to anon, authenticated using (status = 'active');
create policy agents_service on public.agents for select to service_role using (true);
-- Sealed values are of no use without the service's key, but nobody reads them all the same.
create policy agent_secrets_service on public.agent_secrets for select to service_role using (true);
create policy market_decisions_read_all on public.market_decisions for select to anon, authenticated using (true);
create policy market_decisions_service on public.market_decisions for select to service_role using (true);
create policy agent_decisions_read_own on public.agent_decisions for select to authenticated
  using (owner_id = (select auth.uid()));
create policy agent_decisions_service on public.agent_decisions for select to service_role using (true);
create policy decision_proposals_read_all on public.decision_proposals for select to anon, authenticated using (true);
create policy decision_proposals_service on public.decision_proposals for select to service_role using (true);
create policy webhook_deliveries_read_own on public.webhook_deliveries for select to authenticated
  using (owner_id = (select auth.uid()));
create policy webhook_deliveries_service on public.webhook_deliveries for select to service_role using (true);
create policy webhook_attempts_read_own on public.webhook_attempts for select to authenticated
  using (owner_id = (select auth.uid()));
create policy webhook_attempts_service on public.webhook_attempts for select to service_role using (true);

revoke insert, update, delete, truncate on
  public.agents, public.agent_secrets, public.market_decisions, public.agent_decisions,
  public.decision_proposals, public.webhook_deliveries, public.webhook_attempts
  from anon, authenticated, service_role;
