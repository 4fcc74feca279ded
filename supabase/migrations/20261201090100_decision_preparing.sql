-- 'preparing': an agent's decision market waiting for its LLM (the prior, and for an LLM action
-- source the candidate actions) before trading opens. The request that opens a decision returns
-- at once; a job asks the LLM (up to LLM_TIMEOUT_MS) and opens the market, or decide_at voids it.
alter table public.markets drop constraint markets_status_check;
alter table public.markets add constraint markets_status_check
  check (status in ('preparing', 'proposing', 'open', 'closed', 'decided', 'resolved', 'finalized', 'voided'));
