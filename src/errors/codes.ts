/**
 * The one list of error codes the API can answer with. Every error that reaches a client is
 * an AppError (or is turned into one by the HTTP error handler), rendered as an RFC 9457
 * problem document whose `code` is one of these. Codes are part of the API: never rename one.
 */
export const ErrorCode = {
  ValidationFailed: 'validation_failed',
  BadRequest: 'bad_request',
  InvalidJson: 'invalid_json',
  UnsupportedMediaType: 'unsupported_media_type',
  PayloadTooLarge: 'payload_too_large',
  UriTooLong: 'uri_too_long',
  HeadersTooLarge: 'headers_too_large',
  RequestTimeout: 'request_timeout',
  NotFound: 'not_found',
  RouteNotFound: 'route_not_found',
  MethodNotAllowed: 'method_not_allowed',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  Conflict: 'conflict',
  IdempotencyConflict: 'idempotency_conflict',
  UsernameTaken: 'username_taken',
  RateLimited: 'rate_limited',
  Busy: 'busy',
  DatabaseUnavailable: 'database_unavailable',
  AuthUnavailable: 'auth_unavailable',
  NotReady: 'not_ready',
  ShuttingDown: 'shutting_down',
  Internal: 'internal_error',
  // GoTrue's own codes, answered by the local /auth/v1 (supabase-js reads them).
  InvalidCredentials: 'invalid_credentials',
  BadJwt: 'bad_jwt',
  NoAuthorization: 'no_authorization',
  SessionNotFound: 'session_not_found',
  UserNotFound: 'user_not_found',
  UserBanned: 'user_banned',
  UserAlreadyExists: 'user_already_exists',
  WeakPassword: 'weak_password',
  RefreshTokenNotFound: 'refresh_token_not_found',
  RefreshTokenAlreadyUsed: 'refresh_token_already_used',
  UnsupportedGrantType: 'unsupported_grant_type',
  InvalidApiKey: 'invalid_api_key',
  OverRequestRateLimit: 'over_request_rate_limit',
  // Money and markets (issue 4)
  InvalidAmount: 'invalid_amount',
  InvalidTrade: 'invalid_trade',
  UnknownOutcome: 'unknown_outcome',
  InsufficientFunds: 'insufficient_funds',
  InsufficientShares: 'insufficient_shares',
  AmountBelowMinimum: 'amount_below_minimum',
  AmountAboveMaximum: 'amount_above_maximum',
  TradeTooSmall: 'trade_too_small',
  SlippageExceeded: 'slippage_exceeded',
  MarketClosed: 'market_closed',
  InvalidMarketState: 'invalid_market_state',
  DisputeWindowClosed: 'dispute_window_closed',
  NotAHolder: 'not_a_holder',
  // Decision markets and agents (issue 5)
  NotADecisionMarket: 'not_a_decision_market',
  DecisionTooEarly: 'decision_too_early',
  AlreadyDecided: 'already_decided',
  ConflictOfInterest: 'conflict_of_interest',
  ProposalsClosed: 'proposals_closed',
  // Anchoring (issue 11)
  ProofNotReady: 'proof_not_ready',
  // The realtime feed (answers on the stream, and GET /v1/stream without an upgrade)
  UpgradeRequired: 'upgrade_required',
  UnknownChannel: 'unknown_channel',
  AlreadySubscribed: 'already_subscribed',
  NotSubscribed: 'not_subscribed',
  TooManyChannels: 'too_many_channels',
  TooOld: 'too_old',
  // Evidence files (issue 14): a download link that was tampered with, or is past its expiry
  InvalidLink: 'invalid_link',
  LinkExpired: 'link_expired',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/body/amount` or `/query/limit`. */
  field: string
  message: string
}

export interface AppErrorOptions {
  code: string
  status: number
  title: string
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  /** Extra members added to the problem document (RFC 9457 extension members). */
  extensions?: Record<string, unknown>
  cause?: unknown
}

export class AppError extends Error {
  readonly code: string
  readonly status: number
  readonly title: string
  readonly detail: string | undefined
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string> | undefined
  readonly extensions: Record<string, unknown> | undefined

  constructor(options: AppErrorOptions) {
    super(options.detail ?? options.title, { cause: options.cause })
    this.name = 'AppError'
    this.code = options.code
    this.status = options.status
    this.title = options.title
    this.detail = options.detail
    this.errors = options.errors
    this.headers = options.headers
    this.extensions = options.extensions
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}

/** One factory per kind of error, so call sites read as what happened, not as status numbers. */
export const errors = {
  validation: (detail: string, fieldErrors: FieldError[] = []) =>
    new AppError({
      code: ErrorCode.ValidationFailed,
      status: 400,
      title: 'Request validation failed',
      detail,
      errors: fieldErrors,
    }),
  /** A request HTTP itself cannot make sense of (a URL that does not decode, a malformed request). */
  badRequest: (detail: string) =>
    new AppError({ code: ErrorCode.BadRequest, status: 400, title: 'Bad request', detail }),
  invalidJson: (detail: string) =>
    new AppError({ code: ErrorCode.InvalidJson, status: 400, title: 'Malformed JSON body', detail }),
  unsupportedMediaType: (contentType: string, accepted = 'application/json') =>
    new AppError({
      code: ErrorCode.UnsupportedMediaType,
      status: 415,
      title: 'Unsupported media type',
      detail: `Content-Type '${contentType}' is not supported; send ${accepted}`,
    }),
  payloadTooLarge: (limit: number) =>
    new AppError({
      code: ErrorCode.PayloadTooLarge,
      status: 413,
      title: 'Payload too large',
      detail: `The request body is larger than ${limit} bytes`,
    }),
  uriTooLong: (detail: string) =>
    new AppError({ code: ErrorCode.UriTooLong, status: 414, title: 'URI too long', detail }),
  notFound: (what: string, detail?: string) =>
    new AppError({ code: ErrorCode.NotFound, status: 404, title: `${what} not found`, detail }),
  routeNotFound: (method: string, url: string) =>
    new AppError({
      code: ErrorCode.RouteNotFound,
      status: 404,
      title: 'Route not found',
      detail: `No route for ${method} ${url}`,
    }),
  methodNotAllowed: (method: string, url: string, allowed: string[]) =>
    new AppError({
      code: ErrorCode.MethodNotAllowed,
      status: 405,
      title: 'Method not allowed',
      detail: `${method} is not allowed on ${url}; allowed: ${allowed.join(', ')}`,
      headers: { allow: allowed.join(', ') },
    }),
  unauthorized: (detail = 'Authentication is required') =>
    new AppError({
      code: ErrorCode.Unauthorized,
      status: 401,
      title: 'Unauthorized',
      detail,
      headers: { 'www-authenticate': 'Bearer' },
    }),
  forbidden: (detail = 'You are not allowed to do this') =>
    new AppError({ code: ErrorCode.Forbidden, status: 403, title: 'Forbidden', detail }),
  conflict: (detail: string, code: string = ErrorCode.Conflict) =>
    new AppError({ code, status: 409, title: 'Conflict', detail }),
  idempotencyConflict: () =>
    new AppError({
      code: ErrorCode.IdempotencyConflict,
      status: 409,
      title: 'Idempotency key reused',
      detail: 'This Idempotency-Key was already used with a different request',
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError({
      code: ErrorCode.RateLimited,
      status: 429,
      title: 'Too many requests',
      detail: `Rate limit exceeded; retry in ${retryAfterSeconds} s`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  busy: (detail = 'The resource is busy; retry shortly') =>
    new AppError({
      code: ErrorCode.Busy,
      status: 503,
      title: 'Busy',
      detail,
      headers: { 'retry-after': '1' },
    }),
  databaseUnavailable: (cause?: unknown) =>
    new AppError({
      code: ErrorCode.DatabaseUnavailable,
      status: 503,
      title: 'Database unavailable',
      detail: 'The database cannot be reached; retry shortly',
      headers: { 'retry-after': '5' },
      cause,
    }),
  notReady: (detail: string, checks: Record<string, unknown>) =>
    new AppError({
      code: ErrorCode.NotReady,
      status: 503,
      title: 'Not ready',
      detail,
      extensions: { checks },
    }),
  /** The process is draining before it stops: the load balancer should send this elsewhere. */
  upgradeRequired: (detail: string) =>
    new AppError({
      code: ErrorCode.UpgradeRequired,
      status: 426,
      title: 'Upgrade required',
      detail,
      headers: { upgrade: 'websocket', connection: 'upgrade' },
    }),
  shuttingDown: () =>
    new AppError({
      code: ErrorCode.ShuttingDown,
      status: 503,
      title: 'Shutting down',
      detail: 'This instance is shutting down; retry the request',
      headers: { 'retry-after': '1', connection: 'close' },
    }),
  /**
   * An error of the local GoTrue-compatible auth: rendered as GoTrue's `{code, message}` under
   * /auth/v1, as a problem document anywhere else.
   */
  gotrue: (code: ErrorCode, status: number, message: string, extensions?: Record<string, unknown>) =>
    new AppError({ code, status, title: message, detail: message, extensions }),
  /** A decimal amount string that is not a valid amount (syntax, sign, more than 6 decimals). */
  invalidAmount: (field: string, detail: string) =>
    new AppError({
      code: ErrorCode.InvalidAmount,
      status: 400,
      title: 'Invalid amount',
      detail,
      errors: [{ field, message: detail }],
    }),
  /** Understood but refused by a business rule (insufficient funds, slippage, …): a 422 with its own code. */
  unprocessable: (code: ErrorCode, title: string, detail: string, extensions?: Record<string, unknown>) =>
    new AppError({ code, status: 422, title, detail, extensions }),
  /** The market (or branch) is not open for trading. */
  marketClosed: (detail: string) =>
    new AppError({ code: ErrorCode.MarketClosed, status: 409, title: 'Market closed', detail }),
  /** A lifecycle step that the market's current state does not allow (resolving twice, …). */
  invalidMarketState: (detail: string, code: ErrorCode = ErrorCode.InvalidMarketState) =>
    new AppError({ code, status: 409, title: 'Not allowed in this market state', detail }),
  internal: (cause?: unknown) =>
    new AppError({
      code: ErrorCode.Internal,
      status: 500,
      title: 'Internal server error',
      detail: 'An unexpected error occurred; it has been logged',
      cause,
    }),
}
