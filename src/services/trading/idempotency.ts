/**
 * Idempotency-Key for trades: claimed first, answered in the same transaction.
 *
 * The first statement of a batch with keyed trades inserts their key rows, 'pending'. A
 * concurrent request with the same key (in another process's batch) blocks on that row (the
 * primary key) until the claiming transaction ends, then finds nothing inserted and reads the
 * answer that transaction committed; if it rolled back, the waiting request claims the key
 * itself. A retry racing its original used to be answered by a fresh trade on the cash the
 * original had just spent (115 `insufficient_*` answers for trades that had gone through, in an
 * outside test with 32 clients). These row locks come before every lock of the trade (step 0 of
 * the lock order, services/money/transaction.ts), in (user, key) order: only requests with the
 * same key wait on them, and two batches that share keys take them in the same order.
 *
 * The answer (the trade, or a refusal computed under the locks) is stored under the key in the
 * same transaction: every request with the key gets the first one's answer, byte for byte.
 */
import { createHash } from 'node:crypto'
import { sql, type Transaction } from '../../db/database.js'
import { AppError, ErrorCode, errors } from '../../errors/codes.js'
import type { PositionJson, TradeRecord } from '../markets/present.js'

/** What a trade answers (and what its key replays). */
export interface TradeResponse {
  trade: TradeRecord
  prices: number[]
  position: PositionJson
  cash: string
}

export interface PlacedTrade {
  response: TradeResponse
  /** True when this is the stored response of an earlier request with the same Idempotency-Key. */
  replayed: boolean
}

/** A key as a trade carries it: the key and the hash of the request it was sent with. */
export interface KeyedRequest {
  readonly userId: string
  readonly key: string
  readonly hash: string
}

export function validateIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw errors.validation('Idempotency-Key must be 1–255 visible ASCII characters', [
      { field: '/header/idempotency-key', message: 'must be 1–255 visible ASCII characters' },
    ])
  }
  return key
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * SHA-256 of the operation and its body with keys sorted: "the same body" for Idempotency-Key.
 * `marketId` is the resolved id, never the path's text: the same trade sent once by slug and
 * once by id is the same request.
 */
export function requestHash(operation: string, marketId: string, body: unknown): string {
  return createHash('sha256')
    .update(canonical({ operation, market: marketId, body }))
    .digest('hex')
}

// In (user, key) order, so that two batches sharing keys lock them in the same order.
const ClaimIdempotencyKeys = sql<{ user_id: string; key: string }>(
  'ClaimIdempotencyKeys',
  `insert into public.idempotency_keys (user_id, key, request_hash, outcome, response, created_at)
   select k.user_id, k.key, k.hash, 'pending', 'null'::jsonb, $4
     from unnest($1::uuid[], $2::text[], $3::text[]) as k(user_id, key, hash)
    order by k.user_id, k.key
   on conflict (user_id, key) do nothing
   returning user_id, key`,
)

const FindIdempotencyKeys = sql<{
  user_id: string
  key: string
  request_hash: string
  outcome: 'pending' | 'trade' | 'refused'
  response: TradeResponse | StoredRefusal
}>(
  'FindIdempotencyKeys',
  `select i.user_id, i.key, i.request_hash, i.outcome, i.response
     from public.idempotency_keys i
     join unnest($1::uuid[], $2::text[]) as k(user_id, key) on k.user_id = i.user_id and k.key = i.key`,
)

/** A refusal as stored under its key: the problem document's fields. */
export interface StoredRefusal {
  code: string
  status: number
  title: string
  detail?: string
}

const REPLAYED = { 'idempotent-replayed': 'true' }

export function storedRefusal(error: AppError): StoredRefusal {
  return { code: error.code, status: error.status, title: error.title, detail: error.detail }
}

/** A key's identity: a key is the user's own, so two users may use the same one. */
export const keyOf = (k: { userId: string; key: string }) => `${k.userId}\u0000${k.key}`

/**
 * Claims the keys (all distinct) for this transaction. Returns, for each key another request
 * claimed and answered, what that answer means for this request: its trade replayed, its
 * refusal, or a 409 (same key, another body). Keys missing from the result are this
 * transaction's to answer.
 */
export async function claimKeys(
  tx: Transaction,
  keys: readonly KeyedRequest[],
  now: Date,
): Promise<Map<string, PlacedTrade | AppError>> {
  const answered = new Map<string, PlacedTrade | AppError>()
  if (keys.length === 0) return answered
  const claimed = await tx.many(ClaimIdempotencyKeys, [
    keys.map((k) => k.userId),
    keys.map((k) => k.key),
    keys.map((k) => k.hash),
    now,
  ])
  if (claimed.length === keys.length) return answered
  const mine = new Set(claimed.map((c) => keyOf({ userId: c.user_id, key: c.key })))
  const theirs = keys.filter((k) => !mine.has(keyOf(k)))
  const stored = new Map(
    (await tx.many(FindIdempotencyKeys, [theirs.map((k) => k.userId), theirs.map((k) => k.key)])).map(
      (row) => [keyOf({ userId: row.user_id, key: row.key }), row],
    ),
  )
  for (const k of theirs) {
    const row = stored.get(keyOf(k))
    answered.set(keyOf(k), storedAnswer(row, k.hash))
  }
  return answered
}

function storedAnswer(
  stored: { request_hash: string; outcome: string; response: TradeResponse | StoredRefusal } | undefined,
  hash: string,
): PlacedTrade | AppError {
  if (stored && stored.request_hash !== hash) return errors.idempotencyConflict()
  if (!stored || stored.outcome === 'pending') {
    // Not reachable through the batch (a claim is answered or rolled back in one transaction,
    // and the purge only takes day-old keys); a client retrying in a second is safe either way.
    return new AppError({
      code: ErrorCode.Conflict,
      status: 409,
      title: 'Request in progress',
      detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
      headers: { 'retry-after': '1' },
    })
  }
  if (stored.outcome === 'refused') {
    return new AppError({ ...(stored.response as StoredRefusal), headers: REPLAYED })
  }
  return { response: stored.response as TradeResponse, replayed: true }
}

/** Whether this key was answered by another request (in the map `claimKeys` returned). */
export function answeredElsewhere(
  answered: ReadonlyMap<string, PlacedTrade | AppError>,
  k: { userId: string; key: string },
): PlacedTrade | AppError | undefined {
  return answered.get(keyOf(k))
}

// The answers of the batch's keyed orders under the keys it claimed: a trade or a refusal.
// `where outcome = 'pending'`: only the claim of this transaction is answered.
const AnswerIdempotencyKeys = sql<{ key: string }>(
  'AnswerIdempotencyKeys',
  `update public.idempotency_keys as i
      set outcome = a.outcome, trade_id = a.trade_id, response = a.response::jsonb
     from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[])
          as a(user_id, key, outcome, trade_id, response)
    where i.user_id = a.user_id and i.key = a.key and i.outcome = 'pending'
   returning i.key`,
)

export type KeyAnswer =
  | {
      readonly userId: string
      readonly key: string
      readonly tradeId: string
      readonly response: TradeResponse
    }
  | { readonly userId: string; readonly key: string; readonly refusal: AppError }

/** Stores the answers under the keys this transaction claimed (one statement). */
export async function answerKeys(tx: Transaction, answers: readonly KeyAnswer[]): Promise<void> {
  if (answers.length === 0) return
  const stored = await tx.many(AnswerIdempotencyKeys, [
    answers.map((a) => a.userId),
    answers.map((a) => a.key),
    answers.map((a) => ('refusal' in a ? 'refused' : 'trade')),
    answers.map((a) => ('refusal' in a ? null : a.tradeId)),
    answers.map((a) => JSON.stringify('refusal' in a ? storedRefusal(a.refusal) : a.response)),
  ])
  // Each key was claimed by this transaction, whose row lock nobody else can pass: a missing
  // answer is a bug, and the batch must not commit trades whose keys say otherwise.
  if (stored.length !== answers.length) {
    throw new Error(`${answers.length - stored.length} Idempotency-Key answers were not stored`)
  }
}
