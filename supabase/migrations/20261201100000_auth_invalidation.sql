-- Every API process caches the principals it has authenticated (verifying an access token and
-- reading the user's state cost a signature check and a query on every request). A change that
-- must end a cached principal at once, on every process, notifies channel `dm_auth` with the
-- user id; each process LISTENs and drops that user's entries. The notification is part of the
-- change's transaction: it is delivered on commit and never for a rolled-back change. Triggers
-- rather than calls in the services, so a change made anywhere (the CLI, an operator's SQL,
-- Supabase Auth banning or deleting a user) invalidates too.
create function public.auth_notify_user() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  users uuid[];
  each_user uuid;
begin
  if tg_table_schema = 'auth' and tg_table_name = 'users' then
    users := case when tg_op = 'DELETE' then array[old.id] else array[new.id] end;
  elsif tg_op = 'DELETE' then
    users := array[old.user_id];
  elsif tg_op = 'INSERT' then
    users := array[new.user_id];
  else
    users := array[old.user_id, new.user_id];
  end if;
  -- Identical notifications of one transaction are delivered once (a sign-out everywhere
  -- deleting ten sessions sends one).
  foreach each_user in array users loop
    if each_user is not null then
      perform pg_notify('dm_auth', json_build_object('user_id', each_user)::text);
    end if;
  end loop;
  return null;
end
$$;

-- Suspension, deletion and a new email (the principal carries it).
create trigger auth_users_notify after update of banned_until, deleted_at, email on auth.users
  for each row
  when (old.banned_until is distinct from new.banned_until
        or old.deleted_at is distinct from new.deleted_at
        or old.email is distinct from new.email)
  execute function public.auth_notify_user();
create trigger auth_users_notify_delete after delete on auth.users
  for each row execute function public.auth_notify_user();

-- Sign-out, a reused refresh token revoking its session, a session's end moved.
create trigger auth_sessions_notify after delete on auth.sessions
  for each row execute function public.auth_notify_user();
create trigger auth_sessions_notify_update after update of not_after, user_id on auth.sessions
  for each row
  when (old.not_after is distinct from new.not_after or old.user_id is distinct from new.user_id)
  execute function public.auth_notify_user();

-- grant-role / revoke-role.
create trigger user_roles_notify after insert or update or delete on public.user_roles
  for each row execute function public.auth_notify_user();

-- A revoked (or deleted) API key; the minute-precision last_used_at touch does not notify.
create trigger api_keys_notify after update of revoked_at, scopes, user_id on public.api_keys
  for each row
  when (old.revoked_at is distinct from new.revoked_at
        or old.scopes is distinct from new.scopes
        or old.user_id is distinct from new.user_id)
  execute function public.auth_notify_user();
create trigger api_keys_notify_delete after delete on public.api_keys
  for each row execute function public.auth_notify_user();
