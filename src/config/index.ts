/**
 * Configuration: one typed, frozen object read from the environment and validated at boot.
 * Every variable is declared once below (name, parser, default, description); `.env.example`
 * documents the same list and a test keeps the two in step. A bad value stops the start with
 * the variable's name in the message.
 */
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs'
import { formatAmount, parseAmount } from '../domain/money.js'
import { parseAllowEntry } from '../domain/outbound-policy.js'

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

type Parser<T> = (raw: string) => T

const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got '${raw}'`)
    const value = Number(raw)
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}, got ${value}`)
    return value
  }

const bool: Parser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  throw new Error(`must be true or false, got '${raw}'`)
}

const oneOf =
  <const T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!(values as string[]).includes(raw))
      throw new Error(`must be one of ${values.join(', ')}, got '${raw}'`)
    return raw as T
  }

const url =
  (...protocols: string[]): Parser<string> =>
  (raw) => {
    let parsed: URL
    try {
      parsed = new URL(raw)
    } catch {
      throw new Error('must be a URL')
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`must use ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')}`)
    }
    return raw
  }

const text: Parser<string> = (raw) => raw
const secret =
  (minLength: number): Parser<string> =>
  (raw) => {
    if (raw.length < minLength) throw new Error(`must be at least ${minLength} characters`)
    return raw
  }
const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** Browser origins (`https://app.example`, a port at most), kept as CORS compares them. */
const origins: Parser<string[]> = (raw) =>
  list(raw).map((item) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(item)
    } catch {
      parsed = undefined
    }
    const bare =
      parsed !== undefined &&
      ['http:', 'https:'].includes(parsed.protocol) &&
      !parsed.username &&
      !parsed.password &&
      parsed.pathname === '/' &&
      !parsed.search &&
      !parsed.hash
    if (!parsed || !bare) {
      throw new Error(
        `must list origins like https://app.example (scheme, host, port; no path or '*'), got '${item}'`,
      )
    }
    return parsed.origin
  })

/** Host names, IP addresses and CIDR ranges, lower-cased. */
const hosts: Parser<string[]> = (raw) => list(raw).map(parseAllowEntry)

/** A file this process must read at start (a certificate, a key). */
const readableFile: Parser<string> = (raw) => {
  try {
    accessSync(raw, fsConstants.R_OK)
  } catch (error) {
    throw new Error(`cannot be read: ${raw} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return raw
}

/** An amount of credits as the API writes it ("12.5", at most 6 decimals), held as bigint micro-units. */
const credits =
  (min: bigint, max: bigint): Parser<bigint> =>
  (raw) => {
    let value: bigint
    try {
      value = parseAmount(raw)
    } catch (error) {
      throw new Error(`must be an amount of credits like "12.5": ${(error as Error).message}`)
    }
    if (value < min || value > max) {
      throw new Error(`must be between ${formatAmount(min)} and ${formatAmount(max)} credits, got ${raw}`)
    }
    return value
  }
const MICRO_CREDITS = 1_000_000n

const listOf =
  <const T extends string>(...values: T[]): Parser<T[]> =>
  (raw) => {
    const items = list(raw)
    const unknown = items.filter((item) => !(values as string[]).includes(item))
    if (unknown.length > 0)
      throw new Error(`must list only ${values.join(', ')}, got '${unknown.join(', ')}'`)
    if (items.length === 0) throw new Error('must not be empty')
    return items as T[]
  }

export interface EncryptionKey {
  readonly kid: string
  readonly key: Buffer
}

/** `kid:base64` entries, each a 32-byte AES-256 key; the key id travels with every ciphertext. */
const keyRing: Parser<EncryptionKey[]> = (raw) =>
  list(raw).map((entry) => {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/_=-]+)$/.exec(entry)
    if (!match) throw new Error("entries must be 'kid:base64key'")
    const key = Buffer.from(match[2] as string, 'base64')
    if (key.length !== 32) throw new Error(`key '${match[1]}' must be 32 bytes (base64), got ${key.length}`)
    return { kid: match[1] as string, key }
  })

/** A Starknet contract or account address: a 0x-prefixed felt, kept as written but lower-cased. */
const starknetAddress: Parser<string> = (raw) => {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(raw) || BigInt(raw) >= STARK_FIELD_PRIME) {
    throw new Error('must be a 0x-prefixed hex Starknet address (a felt below the field prime)')
  }
  return raw.toLowerCase()
}
const STARK_FIELD_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n

/**
 * The account key only in its sealed form (src/infra/secrets.ts, `v1.<kid>.<iv>.<data>.<tag>`),
 * opened at start with the key ring. The message never repeats what was given: it may be a key.
 */
const sealedStarknetKey: Parser<string> = (raw) => {
  if (!/^v1\.[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]+){3}$/.test(raw)) {
    throw new Error(
      'must be the sealed key (v1.…), never the key itself: run `decision-markets seal-starknet-key` ' +
        'with ENCRYPTION_KEYS set and the account address, and put the value it prints here',
    )
  }
  return raw
}

/** A positive whole number too large for a JS number (fees in fri), held as bigint. */
const bigPositive: Parser<bigint> = (raw) => {
  if (!/^\d+$/.test(raw)) throw new Error(`must be a whole number, got '${raw}'`)
  const value = BigInt(raw)
  if (value <= 0n) throw new Error('must be positive')
  return value
}

interface VariableSpec<T> {
  parse: Parser<T>
  /** Used when the variable is unset or empty; `undefined` makes the setting optional. */
  default: T | undefined
  description: string
}

const variable = <T>(
  parse: Parser<T>,
  defaultValue: T | undefined,
  description: string,
): VariableSpec<T> => ({
  parse,
  default: defaultValue,
  description,
})

/** The variables, in the order `.env.example` lists them. */
export const variables = {
  PROCESS_ROLE: variable(
    oneOf('all', 'api', 'worker'),
    'all',
    'What this process runs: api (HTTP), worker (jobs) or all',
  ),
  HOST: variable(text, '127.0.0.1', 'Address the HTTP server listens on (0.0.0.0 in containers)'),
  PORT: variable(int(0, 65535), 3000, 'Port of the public HTTP API'),
  METRICS_PORT: variable(
    int(0, 65535),
    undefined,
    'Port of the admin server for Prometheus (/metrics), apart from the public one; unset = off (nothing is counted)',
  ),
  METRICS_HOST: variable(text, '127.0.0.1', 'Address the admin (metrics) server listens on'),
  PUBLIC_URL: variable(
    url('http:', 'https:'),
    undefined,
    'Public base URL of the API (default http://HOST:PORT); used in links and as the token issuer, ' +
      'so every API replica behind a load balancer must have the same one',
  ),
  LOG_LEVEL: variable(
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    'info',
    'pino log level',
  ),
  LOG_FORMAT: variable(
    oneOf('auto', 'json', 'pretty'),
    'auto',
    'json (one JSON object a line, for collectors), pretty (readable lines) or auto: pretty on a terminal unless NODE_ENV=production',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(
    url('http:', 'https:'),
    undefined,
    'OpenTelemetry collector base URL: traces are posted to <url>/v1/traces (OTLP/HTTP, JSON); unset = no traces exported, the SDK not loaded',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: variable(
    url('http:', 'https:'),
    undefined,
    'Full OTLP/HTTP traces URL; takes precedence over OTEL_EXPORTER_OTLP_ENDPOINT',
  ),
  BODY_LIMIT_BYTES: variable(int(1024, 50 * 1024 * 1024), 1024 * 1024, 'Largest accepted request body'),
  REQUEST_TIMEOUT_MS: variable(int(1000, 600_000), 30_000, 'A request taking longer is answered 503'),
  SHUTDOWN_GRACE_MS: variable(
    int(0, 600_000),
    10_000,
    'On SIGINT/SIGTERM, time given to in-flight requests and jobs before the process exits',
  ),
  TRUST_PROXY: variable(bool, false, 'Trust X-Forwarded-* headers (set behind a load balancer)'),
  DATABASE_URL: variable(
    url('postgres:', 'postgresql:'),
    undefined,
    'PostgreSQL connection string (Supabase: direct or session-mode); unset = embedded PostgreSQL',
  ),
  DATABASE_POOL_MAX: variable(int(1, 500), 10, 'Connections in the pool of this process'),
  DATABASE_STATEMENT_TIMEOUT_MS: variable(
    int(0, 3_600_000),
    15_000,
    'statement_timeout of pooled connections (0 = none)',
  ),
  DATABASE_READ_URL: variable(
    url('postgres:', 'postgresql:'),
    undefined,
    'A streaming replica for public reads (lists, snapshots, history, tapes, profiles); unset = every read on DATABASE_URL',
  ),
  DATABASE_READ_MAX_LAG_MS: variable(
    int(50, 600_000),
    1_000,
    'Public reads leave the replica for the primary while it may be further behind than this (checked a few times per bound, not per query)',
  ),
  MIGRATE_ON_START: variable(bool, true, 'Apply pending migrations when the service starts'),
  EMBEDDED_PG_DIR: variable(
    text,
    '.data/postgres',
    'Data folder of the embedded PostgreSQL (relative to the project)',
  ),
  EMBEDDED_PG_PORT: variable(int(1, 65535), 54329, 'Port of the embedded PostgreSQL (loopback only)'),
  EMBEDDED_PG: variable(
    bool,
    true,
    'Start the embedded PostgreSQL when DATABASE_URL is unset; false (the container image) makes DATABASE_URL required',
  ),
  REDIS_URL: variable(
    url('redis:', 'rediss:'),
    undefined,
    'Redis for cache, rate limits and pub/sub; unset = in-process',
  ),
  CORS_ORIGINS: variable(
    origins,
    [],
    'Comma-separated origins allowed by CORS (empty = no cross-origin access)',
  ),
  TLS_CERT_FILE: variable(
    readableFile,
    undefined,
    'PEM certificate chain; with TLS_KEY_FILE the API serves HTTPS',
  ),
  TLS_KEY_FILE: variable(readableFile, undefined, 'PEM private key of TLS_CERT_FILE'),
  SUPABASE_URL: variable(
    url('http:', 'https:'),
    undefined,
    'Supabase project URL: tokens are verified with its JWKS and the local /auth/v1 is off; unset = local auth',
  ),
  SUPABASE_JWT_SECRET: variable(
    secret(32),
    undefined,
    'Legacy HS256 JWT secret of the Supabase project; when set, HS256 tokens are accepted too',
  ),
  SUPABASE_JWT_ALGORITHMS: variable(
    listOf('ES256', 'RS256', 'EdDSA'),
    ['ES256', 'RS256'],
    'Asymmetric algorithms accepted for Supabase tokens (the token never chooses)',
  ),
  SUPABASE_SERVICE_ROLE_KEY: variable(
    secret(16),
    undefined,
    'Service-role (secret) key of the Supabase project: with SUPABASE_URL, workers publish the feed to its Realtime broadcast',
  ),
  AUTH_JWT_AUDIENCE: variable(text, 'authenticated', 'Audience (aud) access tokens must carry'),
  EVIDENCE_STORE: variable(
    oneOf('local', 's3', 'supabase'),
    undefined,
    'Where evidence files go: local (EVIDENCE_DIR), s3 (S3_BUCKET) or supabase (Storage); unset = supabase with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, else local',
  ),
  EVIDENCE_DIR: variable(
    text,
    '.data/evidence',
    'Local evidence store: its folder (relative to the project)',
  ),
  EVIDENCE_MAX_BYTES: variable(
    int(1, 100 * 1024 * 1024),
    10 * 1024 * 1024,
    'Largest evidence file accepted (POST /v1/evidence answers 413 above it)',
  ),
  EVIDENCE_TYPES: variable(
    list,
    [
      'application/pdf',
      'image/png',
      'image/jpeg',
      'image/webp',
      'image/gif',
      'text/plain',
      'text/csv',
      'application/json',
    ],
    'Comma-separated media types evidence files may have (others answer 415)',
  ),
  EVIDENCE_LINK_TTL_S: variable(
    int(10, 604_800),
    300,
    'Lifetime of a signed evidence download link in seconds',
  ),
  EVIDENCE_BUCKET: variable(text, 'evidence', 'Supabase Storage: the (private) bucket evidence files go to'),
  S3_ENDPOINT: variable(
    url('http:', 'https:'),
    undefined,
    'S3 evidence store: endpoint of an S3-compatible service (MinIO, R2, …); unset = AWS for S3_REGION',
  ),
  S3_REGION: variable(text, 'us-east-1', 'S3 evidence store: region'),
  S3_BUCKET: variable(text, undefined, 'S3 evidence store: bucket (required with EVIDENCE_STORE=s3)'),
  S3_ACCESS_KEY_ID: variable(
    text,
    undefined,
    'S3 evidence store: access key id; unset = the AWS default chain',
  ),
  S3_SECRET_ACCESS_KEY: variable(secret(1), undefined, 'S3 evidence store: secret of S3_ACCESS_KEY_ID'),
  S3_FORCE_PATH_STYLE: variable(
    bool,
    false,
    'S3 evidence store: path-style URLs (endpoint/bucket/key), as most S3-compatible servers need',
  ),
  AUTH_ANON_KEY: variable(
    secret(16),
    undefined,
    'Local auth: the apikey header value clients must send; unset = any value accepted',
  ),
  AUTH_ACCESS_TOKEN_TTL_S: variable(int(60, 86_400), 3600, 'Local auth: access-token lifetime in seconds'),
  AUTH_PASSWORD_MIN_LENGTH: variable(int(6, 128), 8, 'Local auth: shortest accepted password'),
  AUTH_ARGON2_MEMORY_KIB: variable(
    int(1024, 1_048_576),
    19_456,
    'Local auth: argon2id memory cost per hash in KiB (OWASP minimum 19456)',
  ),
  AUTH_ARGON2_TIME_COST: variable(int(1, 20), 2, 'Local auth: argon2id passes'),
  ENCRYPTION_KEYS: variable(
    keyRing,
    undefined,
    "Secrets at rest: comma-separated 'kid:base64' 32-byte AES keys; unset = a key generated in .data/",
  ),
  ENCRYPTION_KEY_ID: variable(
    text,
    undefined,
    'Key id of ENCRYPTION_KEYS that encrypts new secrets (default: the first); the others only decrypt',
  ),
  RATE_LIMIT_WINDOW_S: variable(int(1, 3600), 60, 'Length of a rate-limit window in seconds'),
  RATE_LIMIT_IP_MAX: variable(int(0, 1_000_000), 600, 'Requests per window per client IP (0 = no limit)'),
  RATE_LIMIT_USER_MAX: variable(
    int(0, 1_000_000),
    600,
    'Requests per window per signed-in user or API key owner (0 = no limit)',
  ),
  RATE_LIMIT_AUTH_MAX: variable(
    int(0, 1_000_000),
    20,
    'Sign-up and sign-in attempts per window per client IP (0 = no limit)',
  ),
  REDIS_KEY_PREFIX: variable(text, 'dm:', 'Prefix of every Redis key this service writes'),
  READ_CACHE: variable(
    bool,
    true,
    'Cache public market reads (snapshots, lists, history, tapes), invalidated by the commits that change them',
  ),
  READ_CACHE_MAX_MB: variable(int(1, 4096), 64, 'Bodies the in-process read cache keeps, in MB'),
  READ_CACHE_TIMEOUT_MS: variable(
    int(1, 1_000),
    25,
    'Longest wait for Redis on a cached read before reading the database instead',
  ),
  PUBLIC_MAX_AGE_S: variable(
    int(0, 3_600),
    1,
    'max-age and s-maxage of public GETs (stale-while-revalidate is twice it): short, prices move',
  ),
  // The realtime feed (GET /v1/stream; docs/realtime.md).
  REALTIME_POLL_MS: variable(
    int(50, 60_000),
    1_000,
    'Catch-up poll of the realtime feed: how late an event can be when its bus message was lost',
  ),
  REALTIME_RESUME_MAX: variable(
    int(1, 100_000),
    1_000,
    'Most events a resume replays per stream; a client further behind takes a snapshot',
  ),
  REALTIME_MAX_CHANNELS: variable(int(1, 1_000), 50, 'Channels one connection may subscribe to'),
  REALTIME_MAX_BUFFERED_BYTES: variable(
    int(1024, 64 * 1024 * 1024),
    1024 * 1024,
    'Bytes queued to one slow connection before it is closed with 4008',
  ),
  REALTIME_HEARTBEAT_MS: variable(
    int(1_000, 600_000),
    30_000,
    'Ping interval of the realtime feed; a connection silent for two is closed',
  ),
  REALTIME_BROADCAST_POLL_MS: variable(
    int(50, 60_000),
    250,
    'How often a worker sends new feed events to Supabase Realtime (with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)',
  ),
  REALTIME_BROADCAST_TIMEOUT_MS: variable(
    int(100, 60_000),
    5_000,
    'Longest wait for the Supabase Realtime broadcast endpoint before a POST counts as failed',
  ),
  // Money and markets (issue 4). Amounts are credits as decimal strings.
  SIGNUP_GRANT_CREDITS: variable(
    credits(0n, 10n ** 9n * MICRO_CREDITS),
    1000n * MICRO_CREDITS,
    'Credits granted once to every new user, from the issuance account',
  ),
  ADMIN_GRANT_MAX_CREDITS: variable(
    credits(MICRO_CREDITS / 1_000_000n, 10n ** 12n * MICRO_CREDITS),
    1_000_000n * MICRO_CREDITS,
    'Largest single admin grant (POST /v1/admin/grants)',
  ),
  TRADE_FEE_BPS: variable(
    int(0, 1000),
    50,
    'Trading fee in basis points of the value exchanged; fixed per market when it is created',
  ),
  TRADE_MIN_CREDITS: variable(
    credits(0n, 10n ** 12n * MICRO_CREDITS),
    MICRO_CREDITS / 100n,
    'Smallest trade: credits spent on a buy, or received before fee on a sell',
  ),
  TRADE_MAX_CREDITS: variable(
    credits(MICRO_CREDITS / 1_000_000n, 10n ** 12n * MICRO_CREDITS),
    100_000n * MICRO_CREDITS,
    'Largest trade, measured like TRADE_MIN_CREDITS',
  ),
  MARKET_MIN_SUBSIDY_CREDITS: variable(
    credits(MICRO_CREDITS / 1_000_000n, 10n ** 12n * MICRO_CREDITS),
    10n * MICRO_CREDITS,
    "Smallest subsidy per branch a market's creator escrows (it bounds the market maker's loss)",
  ),
  MARKET_MAX_SUBSIDY_CREDITS: variable(
    credits(MICRO_CREDITS / 1_000_000n, 10n ** 12n * MICRO_CREDITS),
    1_000_000n * MICRO_CREDITS,
    'Largest subsidy per branch',
  ),
  DISPUTE_WINDOW_S: variable(
    int(0, 30 * 86_400),
    86_400,
    'Seconds after a resolution during which a holder may dispute it; finalisation follows',
  ),
  DISPUTE_BOND_CREDITS: variable(
    credits(0n, 10n ** 12n * MICRO_CREDITS),
    10n * MICRO_CREDITS,
    'Bond a disputer posts; returned if the dispute is upheld, forfeited to fees if rejected',
  ),
  SETTLEMENT_CHUNK_SIZE: variable(
    int(1, 100_000),
    500,
    'Holders paid (or refunded) per transaction when a market is finalised or voided',
  ),
  IDEMPOTENCY_KEY_TTL_HOURS: variable(
    int(1, 24 * 365),
    24,
    'Hours an Idempotency-Key answers retries of its trade; a daily job deletes older keys',
  ),
  WEBHOOK_MAX_ATTEMPTS: variable(
    int(1, 100),
    10,
    'Attempts to deliver a decision webhook before it is marked failed',
  ),
  WEBHOOK_RETRY_DELAY_SECONDS: variable(
    int(1, 86_400),
    30,
    'Delay before the first webhook retry; each later retry waits about twice as long',
  ),
  WEBHOOK_TIMEOUT_MS: variable(int(100, 120_000), 10_000, 'Time a webhook receiver has to answer'),
  LLM_TIMEOUT_MS: variable(int(100, 600_000), 30_000, "Time an agent's LLM endpoint has to answer"),
  OUTBOUND_ALLOW_HOSTS: variable(
    hosts,
    [],
    'Hosts, addresses or CIDR ranges agents may call although not public (a self-hosted LLM); empty = public Internet only',
  ),
  QUEUE_POLL_INTERVAL_SECONDS: variable(
    int(1, 60),
    2,
    'How often an idle worker asks the job queue for work (deadlines fire within this)',
  ),
  QUEUE_CONCURRENCY: variable(
    int(1, 500),
    20,
    'Jobs of one queue a worker runs at once (due jobs beyond it start as slots free, not at the next poll)',
  ),
  TRADE_BATCH_MAX: variable(int(1, 1000), 256, 'Most trades an API process commits in one transaction'),
  TRADE_BATCHES_IN_FLIGHT: variable(
    int(1, 16),
    1,
    'Trade batches an API process runs at once (the next one waits on the branch locks, not on a round trip)',
  ),
  ANCHOR_BATCH_MAX_LEAVES: variable(
    int(1, 100_000),
    10_000,
    'Postings (and records) that close an anchoring batch at once; a larger backlog closes several batches',
  ),
  ANCHOR_INTERVAL_SECONDS: variable(
    int(1, 86_400),
    60,
    'Longest a committed posting or record waits before the batch that holds it is closed',
  ),
  ANCHOR_POLL_MS: variable(
    int(100, 60_000),
    1000,
    'How often the worker looks for postings to anchor and for the chain status of submitted batches',
  ),
  LEDGER_AUDIT_INTERVAL_SECONDS: variable(
    int(0, 86_400),
    60,
    'How often the worker re-checks the ledger postings committed since the last audit; 0 = the auditor is off',
  ),
  LEDGER_AUDIT_BATCH_POSTINGS: variable(
    int(100, 1_000_000),
    50_000,
    'Most ledger postings the auditor checks in one transaction (a backlog takes several, within one run)',
  ),
  STARKNET_RPC_URL: variable(
    url('http:', 'https:'),
    undefined,
    'Starknet JSON-RPC endpoint roots are anchored on; unset (with the three below) = roots stay local',
  ),
  STARKNET_ACCOUNT_ADDRESS: variable(
    starknetAddress,
    undefined,
    'Address of the Starknet account that owns the anchor contract and pays for anchors',
  ),
  STARKNET_PRIVATE_KEY: variable(
    sealedStarknetKey,
    undefined,
    "The account's private key sealed with ENCRYPTION_KEYS (decision-markets seal-starknet-key), never in clear",
  ),
  STARKNET_CONTRACT_ADDRESS: variable(starknetAddress, undefined, 'Address of the anchor contract'),
  STARKNET_MAX_FEE_FRI: variable(
    bigPositive,
    10n ** 18n,
    'Most one anchor transaction may cost, in fri (10^-18 STRK); a costlier estimate is not sent',
  ),
  STARKNET_TIMEOUT_MS: variable(
    int(100, 600_000),
    10_000,
    'Time the Starknet node has to answer one request',
  ),
} as const

type Variables = typeof variables
export type ConfigValues = {
  readonly [K in keyof Variables]: Variables[K] extends VariableSpec<infer T>
    ? Variables[K]['default'] extends undefined
      ? T | undefined
      : T
    : never
}

export interface Config extends ConfigValues {
  /** PUBLIC_URL, or derived from HOST and PORT. */
  readonly publicUrl: string
  readonly projectRoot: string
}

/** The project's root folder (where package.json is), both from `src/` and from `dist/`. */
export const projectRoot = new URL('../../', import.meta.url).pathname.replace(/\/$/, '')

/** Anchoring on Starknet needs all four, or none (roots are then kept local). */
const STARKNET_GROUP = [
  'STARKNET_RPC_URL',
  'STARKNET_ACCOUNT_ADDRESS',
  'STARKNET_PRIVATE_KEY',
  'STARKNET_CONTRACT_ADDRESS',
] as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(variables) as [string, VariableSpec<unknown>][]) {
    const raw = env[name]
    if (raw === undefined || raw.trim() === '') {
      values[name] = spec.default
      continue
    }
    try {
      values[name] = spec.parse(raw.trim())
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}`)
    }
  }
  if (Boolean(values.TLS_CERT_FILE) !== Boolean(values.TLS_KEY_FILE)) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together')
  }
  const keys = values.ENCRYPTION_KEYS as EncryptionKey[] | undefined
  if (values.ENCRYPTION_KEY_ID !== undefined && !keys?.some((k) => k.kid === values.ENCRYPTION_KEY_ID)) {
    problems.push('ENCRYPTION_KEY_ID must name a key of ENCRYPTION_KEYS')
  }
  if (values.EVIDENCE_STORE === 's3' && values.S3_BUCKET === undefined) {
    problems.push('S3_BUCKET must be set when EVIDENCE_STORE is s3')
  }
  if (
    values.EVIDENCE_STORE === 'supabase' &&
    (values.SUPABASE_URL === undefined || values.SUPABASE_SERVICE_ROLE_KEY === undefined)
  ) {
    problems.push('EVIDENCE_STORE=supabase needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY')
  }
  if (Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together')
  }
  // A container whose DATABASE_URL was forgotten must stop, not start an empty database of its
  // own in its writable layer and serve from it.
  // (A DATABASE_URL that failed to parse is reported above and left out of `values`.)
  if (values.EMBEDDED_PG === false && 'DATABASE_URL' in values && values.DATABASE_URL === undefined) {
    problems.push('DATABASE_URL must be set when EMBEDDED_PG is false (no embedded PostgreSQL here)')
  }
  // A variable that failed to parse is reported above, not again as missing.
  const missingStarknet = STARKNET_GROUP.filter((name) => name in values && values[name] === undefined)
  if (missingStarknet.length > 0 && missingStarknet.length < STARKNET_GROUP.length) {
    problems.push(
      `${STARKNET_GROUP.join(', ')} are set together or not at all: ${missingStarknet.join(', ')} missing`,
    )
  }
  if (problems.length > 0) throw new ConfigError(problems)

  const host = values.HOST as string
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host
  const publicUrl = (
    (values.PUBLIC_URL as string | undefined) ?? `http://${displayHost}:${values.PORT}`
  ).replace(/\/$/, '')
  return Object.freeze({ ...(values as unknown as ConfigValues), publicUrl, projectRoot })
}

/** Reads the version from package.json once; used by `--version` and the OpenAPI document. */
export const packageVersion: string = JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')).version
