/**
 * Errors under /auth/v1 in GoTrue's shape, which supabase-js parses: with the request header
 * `X-Supabase-Api-Version: 2024-01-01` `{code, message}` (and the same header on the answer),
 * without it the legacy `{code: <status>, error_code, msg}`. Extension members of the error
 * (e.g. `weak_password.reasons`) are kept.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ErrorCode } from '../../../errors/codes.js'
import { toAppError } from '../../error-handler.js'

export const API_VERSION_HEADER = 'x-supabase-api-version'
export const API_VERSION_2024 = '2024-01-01'

/** True when the client speaks the 2024-01-01 API (a date header on or after it). */
export function speaks2024(request: FastifyRequest): boolean {
  const value = request.headers[API_VERSION_HEADER]
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value >= API_VERSION_2024
}

// Our own codes that GoTrue names differently.
const gotrueCode: Record<string, string> = {
  [ErrorCode.RateLimited]: ErrorCode.OverRequestRateLimit,
  [ErrorCode.InvalidJson]: 'bad_json',
  [ErrorCode.RouteNotFound]: 'not_found',
  [ErrorCode.MethodNotAllowed]: 'not_found',
}

export function sendGoTrueError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const code = gotrueCode[error.code] ?? error.code
  const message = error.detail ?? error.title
  const body = speaks2024(request)
    ? { code, message, ...error.extensions }
    : { code: error.status, error_code: code, msg: message, ...error.extensions }
  if (error.headers) reply.headers(error.headers)
  if (speaks2024(request)) reply.header(API_VERSION_HEADER, API_VERSION_2024)
  return reply.code(error.status).type('application/json; charset=utf-8').send(JSON.stringify(body))
}

export function gotrueErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error)
  if (appError && appError.status < 500) {
    request.log.warn({ code: appError.code, status: appError.status }, 'auth request failed')
    return sendGoTrueError(request, reply, appError)
  }
  request.log.error({ err: error }, appError ? 'auth request failed' : 'unexpected error')
  return sendGoTrueError(
    request,
    reply,
    appError ??
      new AppError({
        code: 'unexpected_failure',
        status: 500,
        title: 'Unexpected failure',
        detail: 'Unexpected failure, please check server logs for more information',
      }),
  )
}

/** The bearer access token, or undefined (GoTrue answers that with `no_authorization`). */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  return typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
}
