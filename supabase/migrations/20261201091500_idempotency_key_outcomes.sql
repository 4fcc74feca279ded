-- An Idempotency-Key is claimed before its trade runs, and keeps the answer whatever it was.
-- The trade transaction inserts the key row first ('pending'); a concurrent request with the
-- same key waits on that row and then reads the answer the first one committed, instead of
-- trading again on cash the first one already spent (it used to be told insufficient_funds
-- for a trade that had gone through). A refusal computed under the locks (insufficient funds
-- or shares, slippage, market closed) is stored too, so a retry gets the same refusal. A
-- 'pending' row is never committed: the transaction that claimed it either records the answer
-- or rolls back.
alter table public.idempotency_keys
  alter column trade_id drop not null,
  add column outcome text not null default 'trade' check (outcome in ('pending', 'trade', 'refused')),
  add constraint idempotency_keys_trade_has_id check ((outcome = 'trade') = (trade_id is not null));
