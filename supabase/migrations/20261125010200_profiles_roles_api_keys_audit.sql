-- Profiles, roles, API keys and the audit log, with row-level security written for the three
-- roles Supabase's REST API runs as: `anon` (no token), `authenticated` (a user's token) and
-- `service_role` (bypasses RLS; explicit policies kept for readers). Public data is readable,
-- private rows only by their owner, and nothing here is writable through the REST API: every
-- write goes through the service, which validates it and writes the audit trail.

-- TRUNCATE is not subject to row-level security, and the bootstrap's default privileges (like
-- Supabase's) grant it to the API roles on every new table: take it back, for the tables that
-- exist and for every table created later by the migrating role.
revoke truncate on all tables in schema public from anon, authenticated;
alter default privileges in schema public revoke truncate on tables from anon, authenticated;

-- Public profile. Everything in this table is public by design (username, display name);
-- anything private about a user lives elsewhere.
create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  -- Stored lowercase, so uniqueness is case-insensitive; changeable through PATCH /v1/me.
  username text not null unique check (username ~ '^[a-z0-9_]{3,24}$'),
  display_name text not null check (char_length(display_name) between 1 and 64),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
create policy profiles_read_public on public.profiles for select to anon, authenticated using (true);
create policy profiles_service on public.profiles to service_role using (true) with check (true);
revoke insert, update, delete on public.profiles from anon, authenticated;

-- Roles beyond the default `user`. Granted by the CLI (`decision-markets grant-role`), which
-- also mirrors the role into auth.users.raw_app_meta_data the way Supabase projects carry it.
create table public.user_roles (
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('admin')),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
alter table public.user_roles enable row level security;
create policy user_roles_read_own on public.user_roles for select to authenticated
  using (user_id = (select auth.uid()));
create policy user_roles_service on public.user_roles to service_role using (true) with check (true);
revoke insert, update, delete on public.user_roles from anon, authenticated;

-- API keys for bots and agents: only a SHA-256 of the key is kept (the key is 256 random
-- bits, so a fast hash is enough; a slow one would cost every API request). `prefix` is the
-- non-secret start shown in lists so users can tell their keys apart.
create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  prefix text not null,
  key_hash bytea not null unique,
  scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['read', 'trade', 'agents']),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_user_id_idx on public.api_keys (user_id, created_at desc);
alter table public.api_keys enable row level security;
create policy api_keys_read_own on public.api_keys for select to authenticated
  using (user_id = (select auth.uid()));
create policy api_keys_service on public.api_keys to service_role using (true) with check (true);
revoke insert, update, delete on public.api_keys from anon, authenticated;

-- The audit log: sign-ins (and failed ones), key creation and revocation, role changes, admin
-- actions. Append-only for everyone but the database owner; no foreign key to auth.users so
-- the trail outlives a deleted account. A user can read the entries about their own actions.
create table public.audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  -- session, api_key, cli, system, anonymous
  actor_kind text not null,
  action text not null,
  subject_type text,
  subject_id text,
  ip inet,
  user_agent text,
  details jsonb not null default '{}'
);
create index audit_log_action_idx on public.audit_log (action, id desc);
create index audit_log_actor_idx on public.audit_log (actor_id, id desc);
alter table public.audit_log enable row level security;
create policy audit_log_read_own on public.audit_log for select to authenticated
  using (actor_id = (select auth.uid()));
create policy audit_log_service on public.audit_log for select to service_role using (true);
create policy audit_log_service_append on public.audit_log for insert to service_role with check (true);
revoke insert, update, delete on public.audit_log from anon, authenticated;
