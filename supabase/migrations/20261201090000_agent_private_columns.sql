-- Where an agent calls and what it tells its model are its operator's business: the webhook URL
-- often carries a token, the LLM base URL names the operator's (or an internal) host, and the
-- LLM settings hold the operator's instructions. The API shows them to the operator only; here
-- the API roles lose them too. Row-level security chooses rows, not columns, so the roles lose
-- SELECT on the table and get it back column by column: `webhook_url` and `llm` stay out, and a
-- column added later stays out until it is granted here (the safe default). The service reads
-- as the tables' owner.
revoke select on public.agents from anon, authenticated;
grant select (id, owner_id, name, description, objective, action_source, actions, default_action,
              decision_rule, liquidity_per_decision, delivery, status, created_at, updated_at)
  on public.agents to anon, authenticated;

-- A model's rationale was stored whole (a 2 MB one once, served to everyone after the decision);
-- the service keeps 2000 characters now, and so does the table.
update public.agent_decisions set prior_rationale = left(prior_rationale, 2000)
 where char_length(prior_rationale) > 2000;
alter table public.agent_decisions
  add constraint agent_decisions_prior_rationale_length check (char_length(prior_rationale) <= 2000);
