-- GET /v1/markets?sort=closing_soon lists open markets by closing time, soonest first
-- (services/markets/queries.ts, ListMarketsClosingSoon): this index keeps that a range scan of
-- the open markets rather than a sort of every market. Partial: closed and settled markets,
-- most of the table over time, are never read in this order.
create index if not exists markets_open_by_close_at on public.markets (close_at, id) where status = 'open';
