-- Sessions and refresh tokens of the local GoTrue-compatible auth, laid out as Supabase Auth
-- keeps them (auth.sessions, auth.refresh_tokens), so a laptop database looks like a Supabase
-- one. On Supabase these tables exist already and are skipped; the service never writes them
-- there (Supabase Auth issues the tokens).
--
-- One deliberate difference in use, not in layout: `refresh_tokens.token` and `.parent` hold
-- the SHA-256 (hex) of the token, never the token itself, so a leaked table cannot be replayed.

do $$
begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'auth' and t.typname = 'aal_level') then
    create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
  end if;
end
$$;

create table if not exists auth.sessions (
  id uuid not null primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz,
  updated_at timestamptz,
  factor_id uuid,
  aal auth.aal_level,
  not_after timestamptz,
  refreshed_at timestamp without time zone,
  user_agent text,
  ip inet,
  tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);

-- The API roles have USAGE on `auth` (as on Supabase) but no privilege on these tables: only
-- the service reads them. Sessions are private even from their owner's REST access.
revoke all on auth.sessions, auth.refresh_tokens from anon, authenticated;

-- Our own private schema, never exposed through the REST API (PostgREST serves `public` only)
-- and not granted to any API role: the local token-signing keys, private part encrypted with
-- AES-256-GCM by the service (src/infra/secrets.ts) before it reaches the database.
create schema if not exists app_private;
revoke all on schema app_private from public;

create table app_private.signing_keys (
  kid text primary key,
  alg text not null check (alg in ('ES256')),
  public_jwk jsonb not null,
  private_jwk_sealed text not null,
  created_at timestamptz not null default now(),
  -- Retired keys stay in the JWKS until every token they signed has expired.
  retired_at timestamptz
);
