-- When a decision market opened for trading. A market whose actions come from users'
-- proposals is created first (status 'proposing', branches closed) and opens once the operator
-- has admitted the proposals; its lagging TWAP must start there, not at creation, or the
-- proposing period would count as observations at the opening price. NULL: opened at creation.
alter table public.markets add column opened_at timestamptz;
