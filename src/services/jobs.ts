/**
 * The names of the jobs: the contract between a service that enqueues a job in its own
 * transaction and the worker (src/jobs) that runs it. Listed here, below both, so neither has
 * to import the other's file (the names once lived in the services that handle them, and
 * create, lifecycle and trading imported each other through them).
 */

/** Closes a market at its close_at (enqueued with the market). */
export const CLOSE_MARKET_JOB = 'market-close'

/** Pays holders in resumable chunks once a resolution is final. */
export const SETTLE_MARKET_JOB = 'market-settle'

/** Daily: deletes Idempotency-Keys past their time to live. */
export const PURGE_IDEMPOTENCY_KEYS_JOB = 'idempotency-keys-purge'

/** Takes a decision market's decision at decide_at. */
export const DECIDE_MARKET_JOB = 'market-decide'

/** Asks an agent's LLM for its prior, then opens the decision market. */
export const PREPARE_DECISION_JOB = 'agent-decision-prepare'

/** Delivers a decision to the operator's webhook, retried with backoff. */
export const DELIVER_WEBHOOK_JOB = 'webhook-deliver'
