/**
 * pino, configured once: JSON lines, stable field names (`reqId`, `userId`, `marketId`), and
 * secrets redacted wherever they might appear (headers, bodies, configuration).
 */
import { type Logger, type LoggerOptions, pino } from 'pino'

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

export function createLogger(level: string): Logger {
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
