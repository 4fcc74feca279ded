-- The agent's own forecast for every candidate action (the objective it expects if that action is
-- taken, on the decision scores' [0, 1] scale), by branch index; null where the model gave none.
-- The track record scores the prior on the action taken with it, also when the market overrode
-- the prior (before, only the confidence in the agent's own choice was kept, which says nothing
-- of the action the market took). Null for decisions recorded before, or whose model gave none.
alter table public.agent_decisions add column prior_forecasts double precision[];
