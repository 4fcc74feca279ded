/**
 * The client: openapi-fetch over the generated types (every operation of /openapi.json, typed
 * by its path) with credentials attached, plus what a bot needs on top: unwrapped results that
 * throw `ProblemError`, trades that carry an `Idempotency-Key` and retry safely, async
 * iteration over cursor pages, and the realtime feed (stream.ts).
 */
import createFetchClient, { type Client } from 'openapi-fetch'
import { type AuthServer, type Credentials, requestSession, type Session, sessionHolder } from './auth.js'
import type { paths } from './generated/openapi.js'
import { problemFrom } from './problem.js'
import { type StreamOptions, streamEvents } from './stream.js'

export type Api = Client<paths>

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Ok<Op> = Op extends { responses: infer R } ? Json<R[Extract<keyof R, 200 | 201>]> : never

type TradeOperation = paths['/v1/markets/{market}/trades']['post']
type QuoteOperation = paths['/v1/markets/{market}/quote']['post']
export type TradeRequest = TradeOperation['requestBody'] extends { content: { 'application/json': infer B } }
  ? B
  : never
export type TradeResult = Ok<TradeOperation>
export type Quote = Ok<QuoteOperation>

/** The paths whose GET answers a page: `{ items, next_cursor }`. */
export type PagedPath = {
  [P in keyof paths]: paths[P] extends { get: infer Op }
    ? Ok<Op> extends { items: unknown[]; next_cursor: string | null }
      ? P
      : never
    : never
}[keyof paths]
type GetOf<P extends PagedPath> = paths[P] extends { get: infer Op } ? Op : never
export type PageItem<P extends PagedPath> = Ok<GetOf<P>> extends { items: (infer I)[] } ? I : never
type ParamsOf<P extends PagedPath> = GetOf<P> extends { parameters: infer Params } ? Params : never
type QueryOf<P extends PagedPath> = ParamsOf<P> extends { query?: infer Q } ? NonNullable<Q> : never
/** A list's filters; `limit` (the page size, 50 unless given) is optional and `cursor` the iterator's. */
export type PageQuery<P extends PagedPath> = Omit<QueryOf<P>, 'cursor' | 'limit'> & { limit?: number }
export type PageParams<P extends PagedPath> = (ParamsOf<P> extends { path: infer Path }
  ? { path: Path }
  : { path?: never }) & { query?: PageQuery<P> }

export interface RetryOptions {
  /** Attempts after the first one; default 3. */
  retries?: number
  /** The first wait, doubled at each retry unless the server sent Retry-After; default 200 ms. */
  delayMs?: number
}

export interface ClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  /** `{ apiKey }` or `{ session }` (from `signIn`/`signUp`); none for public reads. */
  credentials?: Credentials
  /** Told of each refreshed session: store it, its refresh token is single-use. */
  onSession?: (session: Session) => void
  /** Where a session is refreshed: the API's /auth/v1 unless the deployment uses Supabase Auth. */
  auth?: AuthServer
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch
  /** How trades are retried on a network error or a 503. */
  retry?: RetryOptions
}

export interface TradeOptions {
  /** The key that makes the trade happen once; a random UUID unless given. */
  idempotencyKey?: string
}

export interface PlacedTrade {
  result: TradeResult
  /** Sent with every attempt: keep it to retry later yourself. */
  idempotencyKey: string
  /** True when the server had already traded under this key and answered its first response. */
  replayed: boolean
}

/** openapi-fetch's result, unwrapped: the data, or the ProblemError its error body describes. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await pending
  if (!response.ok) throw problemFrom(response, error)
  return data as NonNullable<T>
}

function isTransient(error: unknown): boolean {
  // fetch rejects with a TypeError when the connection fails or drops before a response.
  return error instanceof TypeError
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function retryAfterMs(response: Response, fallback: number): number {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 30_000) : fallback
}

export function createClient(options: ClientOptions) {
  const baseFetch = options.fetch ?? globalThis.fetch
  const holder = sessionHolder({
    baseUrl: options.baseUrl,
    fetch: baseFetch,
    credentials: options.credentials,
    onSession: options.onSession,
    auth: options.auth,
  })

  /** Every request carries the credential; a session refused with 401 is refreshed once and retried. */
  async function authorisedFetch(request: Request): Promise<Response> {
    const again = request.clone()
    const token = await holder.token()
    if (token) request.headers.set('authorization', `Bearer ${token}`)
    const response = await baseFetch(request)
    if (response.status !== 401 || !token || !holder.session) return response
    if (!(await holder.refreshAfterRejection(token))) return response
    again.headers.set('authorization', `Bearer ${await holder.token()}`)
    return baseFetch(again)
  }

  const api: Api = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: authorisedFetch })
  const retries = options.retry?.retries ?? 3
  const delayMs = options.retry?.delayMs ?? 200

  return {
    /** The typed client of every operation: `api.GET('/v1/markets', { params: { query } })`. */
    api,
    /** The current session, when signed in with one (it changes at each refresh). */
    get session(): Session | undefined {
      return holder.session
    },

    /** A price quote: what the trade would cost now, without trading. */
    quote(market: string, body: TradeRequest): Promise<Quote> {
      return unwrap(api.POST('/v1/markets/{market}/quote', { params: { path: { market } }, body }))
    },

    /**
     * Places a trade with an Idempotency-Key. A network error or a 503 is retried with the same
     * key, so a trade whose response was lost happens once: the retry gets the first response.
     * Any other error is thrown at once as a ProblemError (a 409 means the key was used for
     * another body).
     */
    async trade(market: string, body: TradeRequest, tradeOptions: TradeOptions = {}): Promise<PlacedTrade> {
      const idempotencyKey = tradeOptions.idempotencyKey ?? globalThis.crypto.randomUUID()
      for (let attempt = 0; ; attempt++) {
        const wait = delayMs * 2 ** attempt
        let outcome: Awaited<ReturnType<typeof send>>
        try {
          outcome = await send()
        } catch (error) {
          if (!isTransient(error) || attempt >= retries) throw error
          await sleep(wait)
          continue
        }
        const { data, error, response } = outcome
        if (response.ok && data) {
          return {
            result: data,
            idempotencyKey,
            replayed: response.headers.get('idempotent-replayed') === 'true',
          }
        }
        if (response.status !== 503 || attempt >= retries) throw problemFrom(response, error)
        await sleep(retryAfterMs(response, wait))
      }
      function send() {
        return api.POST('/v1/markets/{market}/trades', {
          params: { path: { market }, header: { 'idempotency-key': idempotencyKey } },
          body,
        })
      }
    },

    /**
     * A realtime channel's events (`market:<id>`, `market:<id>:trades`, `markets`, or `user`: your
     * fills, grants and payouts), reconnecting after a drop and resuming after the last event:
     * `for await (const { event, data } of client.stream('user')) if (event === 'fill') …`.
     */
    stream(channel: string, streamOptions?: StreamOptions) {
      return streamEvents(options.baseUrl, authorisedFetch, problemFrom, channel, streamOptions)
    },

    /**
     * Every item of a list, page after page, following `next_cursor` until it is null:
     * `for await (const market of client.pages('/v1/markets', { query: { status: 'open' } }))`.
     */
    async *pages<P extends PagedPath>(path: P, params?: PageParams<P>): AsyncGenerator<PageItem<P>> {
      let cursor: string | undefined
      do {
        const query = { limit: 50, ...params?.query, ...(cursor ? { cursor } : {}) }
        // The path is one of the paged ones; openapi-fetch's overloads cannot follow a generic path.
        const get = api.GET as (
          path: string,
          init: unknown,
        ) => Promise<{
          data?: { items: PageItem<P>[]; next_cursor: string | null }
          error?: unknown
          response: Response
        }>
        const page = await unwrap(get(path, { params: { ...params, query } }))
        yield* page.items
        cursor = page.next_cursor ?? undefined
      } while (cursor)
    },
  }
}

export type DecisionMarketsClient = ReturnType<typeof createClient>

export interface SignInOptions {
  /** Supabase Auth instead of the API's own /auth/v1 (pass the same to createClient). */
  auth?: AuthServer
  fetch?: typeof fetch
}

/** Signs up (local auth confirms at once) and returns the session to create a client with. */
export function signUp(
  baseUrl: string,
  body: { email: string; password: string; data?: Record<string, unknown> },
  options: SignInOptions = {},
): Promise<Session> {
  const fetchImpl = options.fetch ?? globalThis.fetch
  return requestSession({ baseUrl, fetch: fetchImpl, auth: options.auth }, '/auth/v1/signup', body)
}

/** Signs in with email and password. */
export function signIn(
  baseUrl: string,
  body: { email: string; password: string },
  options: SignInOptions = {},
): Promise<Session> {
  const fetchImpl = options.fetch ?? globalThis.fetch
  return requestSession(
    { baseUrl, fetch: fetchImpl, auth: options.auth },
    '/auth/v1/token?grant_type=password',
    body,
  )
}
