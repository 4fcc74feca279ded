/**
 * pino, configured once: JSON lines, stable field names (`reqId`, `userId`, `marketId`), and
 * secrets redacted wherever they might appear (headers, bodies, configuration). On a terminal
 * the same lines are printed readably (LOG_FORMAT, infra/log-pretty.ts); what is logged is the
 * same in both formats.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino'
import { type LogSink, prettyDestination } from './log-pretty.js'

export type { Logger }

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.apikey',
  'req.headers.cookie',
  'headers.authorization',
  'headers.apikey',
  '*.password',
  '*.refresh_token',
  '*.access_token',
  '*.secret',
  '*.api_key',
  'config.DATABASE_URL',
  'config.REDIS_URL',
  'config.SUPABASE_JWT_SECRET',
  'config.AUTH_ANON_KEY',
  'config.SUPABASE_SERVICE_ROLE_KEY',
  'config.ENCRYPTION_KEYS',
]

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'decision-markets' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  }
}

export type LogFormat = 'json' | 'pretty'

/** `auto`: pretty for a person at a terminal, JSON for everything else (and always in production). */
export function resolveLogFormat(
  setting: 'auto' | LogFormat,
  where: { isTTY: boolean; nodeEnv: string | undefined } = {
    isTTY: process.stdout.isTTY === true,
    nodeEnv: process.env.NODE_ENV,
  },
): LogFormat {
  if (setting !== 'auto') return setting
  return where.isTTY && where.nodeEnv !== 'production' ? 'pretty' : 'json'
}

export interface LoggerSetup {
  /** Default json (tests and tools); the service passes resolveLogFormat(config.LOG_FORMAT). */
  format?: LogFormat
  /** Default stdout. */
  destination?: LogSink
}

export function createLogger(level: string, setup: LoggerSetup = {}): Logger {
  if (setup.format === 'pretty') {
    const sink = setup.destination ?? process.stdout
    const colors = sink === process.stdout && process.stdout.isTTY === true
    return pino(loggerOptions(level), prettyDestination(sink, { colors }))
  }
  if (setup.destination) return pino(loggerOptions(level), setup.destination as DestinationStream)
  return pino(loggerOptions(level))
}

/** Hide the password of a connection string before it is logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '[unparseable url]'
  }
}
