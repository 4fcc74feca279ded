/**
 * The one place where errors become HTTP responses. Routes never catch: whatever they throw
 * arrives here and leaves as an RFC 9457 problem document with a stable `code`. Unknown
 * errors are logged with their stack and answered with a generic 500 that leaks nothing.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import FindMyWay from 'find-my-way'
import { amountFormatMessages } from '../contracts/amount.js'
import { DatabaseError, databaseErrorToAppError } from '../db/errors.js'
import { AppError, ErrorCode, errors, type FieldError } from '../errors/codes.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const problem: Record<string, unknown> = {
    type: `urn:problem:${error.code}`,
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: request.url.split('?')[0],
    code: error.code,
    request_id: request.id,
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  }
  if (error.headers) reply.headers(error.headers)
  // Sent as a string so no route's response schema can reshape or strip it.
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem))
}

interface AjvErrorLike {
  instancePath: string
  schemaPath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

const contextName: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ')

/** The literal values an error says were allowed (`const` and `enum`), none for other keywords. */
function allowedValues(item: AjvErrorLike): unknown[] {
  if (item.keyword === 'const') return [item.params.allowedValue]
  if (item.keyword === 'enum' && Array.isArray(item.params.allowedValues)) return item.params.allowedValues
  return []
}

const isLiteralCheck = (item: AjvErrorLike) => item.keyword === 'const' || item.keyword === 'enum'

function literalsMessage(values: readonly unknown[]): string {
  const unique = [...new Set(values)]
  return unique.length === 1 ? `must be ${quoted(unique)}` : `must be one of ${quoted(unique)}`
}

/** Ajv's message, but naming the values where ajv says "equal to constant" or "allowed values". */
const messageOf = (item: AjvErrorLike) =>
  isLiteralCheck(item) ? literalsMessage(allowedValues(item)) : (item.message ?? 'is invalid')

/** One error in ajv's shape saying which literals `instancePath` may hold. */
function oneOfValues(instancePath: string, schemaPath: string, values: unknown[]): AjvErrorLike {
  const allowed = [...new Set(values)]
  return { instancePath, schemaPath, keyword: 'enum', params: { allowedValues: allowed } }
}

/**
 * A TypeBox union (`Type.Union([Type.Literal('buy'), Type.Literal('sell')])`) is an `anyOf`,
 * and ajv reports every branch that failed plus the `anyOf` itself: `side: "purchase"` came back
 * as "must be equal to constant" twice and "must match a schema in anyOf", naming neither value.
 * This folds one `anyOf` and the errors of its branches into what the caller needs:
 * - every branch is a literal: one error naming the allowed values;
 * - objects told apart by a literal field (a discriminator such as `type`): the one branch
 *   whose literal matched is the one meant, and only its errors count; if none matched, one
 *   error on the discriminator naming its values;
 * - otherwise (`0 | "YES"`, `"a" | "b" | null`), one error joining the branches' messages.
 */
function foldAnyOf(anyOf: AjvErrorLike, inside: AjvErrorLike[]): AjvErrorLike[] {
  const prefix = `${anyOf.schemaPath}/`
  const byBranch = new Map<string, AjvErrorLike[]>()
  for (const item of inside) {
    const branch = item.schemaPath.slice(prefix.length).split('/')[0] ?? ''
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), item])
  }
  const branches = [...byBranch.values()]
  const here = (item: AjvErrorLike) => item.instancePath === anyOf.instancePath
  const literalHere = (item: AjvErrorLike) => here(item) && (isLiteralCheck(item) || item.keyword === 'type')
  if (branches.length > 0 && branches.every((errs) => errs.every(literalHere) && errs.some(isLiteralCheck))) {
    return [oneOfValues(anyOf.instancePath, anyOf.schemaPath, inside.flatMap(allowedValues))]
  }
  // A branch whose discriminator failed, or whose kind the value is not (null for an object),
  // is not the one the caller meant.
  const discriminators = (errs: AjvErrorLike[]) => errs.filter((item) => isLiteralCheck(item) && !here(item))
  const wrongKind = (errs: AjvErrorLike[]) => errs.every((item) => here(item) && item.keyword === 'type')
  if (branches.some((errs) => discriminators(errs).length > 0)) {
    const meant = branches.filter((errs) => discriminators(errs).length === 0 && !wrongKind(errs))
    if (meant.length === 1) return meant[0] ?? []
    const failures = branches.flatMap(discriminators)
    const path = failures[0]?.instancePath
    if (meant.length === 0 && failures.every((item) => item.instancePath === path)) {
      return [oneOfValues(path ?? anyOf.instancePath, anyOf.schemaPath, failures.flatMap(allowedValues))]
    }
  }
  if (inside.length > 0 && inside.every(here)) {
    // A literal branch says its value; its "must be string" beside it adds nothing.
    const messages = branches.map((errs) =>
      (errs.some(isLiteralCheck) ? errs.filter(isLiteralCheck) : errs).map(messageOf).join(', '),
    )
    return [{ ...anyOf, message: [...new Set(messages)].join(' or ') }]
  }
  return [...inside, anyOf]
}

/** Ajv's errors with every `anyOf` folded (innermost first, so nested unions fold too). */
function foldUnions(items: AjvErrorLike[]): AjvErrorLike[] {
  let result = items
  const unions = items
    .filter((item) => item.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length)
  for (const anyOf of unions) {
    const prefix = `${anyOf.schemaPath}/`
    const within = (item: AjvErrorLike) =>
      item.schemaPath.startsWith(prefix) &&
      (item.instancePath === anyOf.instancePath || item.instancePath.startsWith(`${anyOf.instancePath}/`))
    const inside = result.filter(within)
    const folded = foldAnyOf(anyOf, inside)
    // The folded errors take the place of the union's first error, so the order is kept.
    let placed = false
    result = result.flatMap((item) => {
      if (item !== anyOf && !within(item)) return [item]
      if (placed) return []
      placed = true
      return folded
    })
  }
  return result
}

function validationFieldErrors(error: FastifyError): FieldError[] {
  const where = contextName[error.validationContext ?? 'body'] ?? 'body'
  return foldUnions((error.validation ?? []) as AjvErrorLike[]).map((item) => {
    let field = item.instancePath
    let message = item.message ?? 'is invalid'
    if (item.keyword === 'required') field = `${field}/${String(item.params.missingProperty)}`
    if (item.keyword === 'additionalProperties') {
      field = `${field}/${String(item.params.additionalProperty)}`
      message = 'is not a known field'
    }
    if (isLiteralCheck(item)) message = messageOf(item)
    if (isAmountFormat(item)) message = amountFormatMessages[String(item.params.format)] ?? message
    return { field: `/${where}${field}`, message }
  })
}

const isAmountFormat = (item: AjvErrorLike) =>
  item.keyword === 'format' && Object.hasOwn(amountFormatMessages, String(item.params.format))

/** A request whose only faults are malformed amounts gets the code a malformed amount always gets. */
function onlyAmounts(error: FastifyError): boolean {
  const items = (error.validation ?? []) as AjvErrorLike[]
  return items.length > 0 && items.every(isAmountFormat)
}

/** Translates anything thrown into an AppError; undefined means "unexpected, a 500". */
export function toAppError(error: unknown, request?: FastifyRequest): AppError | undefined {
  if (error instanceof AppError) return error
  if (error instanceof DatabaseError) return databaseErrorToAppError(error)
  const fastifyError = error as FastifyError
  if (fastifyError?.validation) {
    const fields = validationFieldErrors(fastifyError)
    const detail = fields.map((f) => `${f.field} ${f.message}`).join('; ') || 'The request is invalid'
    if (onlyAmounts(fastifyError)) {
      return new AppError({
        code: ErrorCode.InvalidAmount,
        status: 400,
        title: 'Invalid amount',
        detail,
        errors: fields,
      })
    }
    return errors.validation(detail, fields)
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Fastify's message carries no number ("Request body is too large"); reading one from it
      // answered "larger than 0 bytes". The route's limit (BODY_LIMIT_BYTES unless the route
      // sets its own) is what the caller needs.
      if (request?.routeOptions.bodyLimit) return errors.payloadTooLarge(request.routeOptions.bodyLimit)
      break
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // Fastify's message does not name the type; the request does.
      return errors.unsupportedMediaType(String(request?.headers['content-type'] ?? 'none'))
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.invalidJson(fastifyError.message)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson('The body is empty but Content-Type is application/json')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.validation('Content-Length does not match the body')
    case 'FST_ERR_BAD_URL':
      return errors.badRequest('The URL does not decode: a percent-encoded part is malformed')
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errors.uriTooLong('A path segment is longer than any identifier this API uses')
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return errors.invalidJson(error.message)
  }
  const status = fastifyError?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError({
      code: status === 429 ? ErrorCode.RateLimited : ErrorCode.BadRequest,
      status,
      title: STATUS_CODES[status] ?? 'Bad request',
      detail: fastifyError.message,
    })
  }
  return undefined
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error, request)
  if (appError && appError.status < 500) {
    request.log.warn(
      { code: appError.code, status: appError.status, detail: appError.detail },
      'request failed',
    )
    return sendProblem(request, reply, appError)
  }
  if (appError) {
    request.log.error({ err: error, code: appError.code }, 'request failed')
    return sendProblem(request, reply, appError)
  }
  request.log.error({ err: error }, 'unexpected error')
  return sendProblem(request, reply, errors.internal())
}

/**
 * Fastify answers unknown paths and known paths with another method alike with a 404; a user
 * deserves to know which. A shadow router with the same routes tells them apart.
 */
export function createRouteIndex() {
  const router = FindMyWay()
  const methods = new Set<string>()
  return {
    add(method: string | string[], url: string) {
      for (const m of Array.isArray(method) ? method : [method]) {
        methods.add(m)
        try {
          router.on(m as FindMyWay.HTTPMethod, url, () => {})
        } catch {
          // duplicate registration (e.g. HEAD for GET); irrelevant here
        }
      }
    },
    allowedMethods(url: string): string[] {
      const path = url.split('?')[0] ?? url
      return [...methods].filter((m) => router.find(m as FindMyWay.HTTPMethod, path) !== null).sort()
    },
  }
}

export function notFoundHandler(routeIndex: ReturnType<typeof createRouteIndex>) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const allowed = routeIndex.allowedMethods(request.url)
    const error =
      allowed.length > 0
        ? errors.methodNotAllowed(request.method, request.url.split('?')[0] ?? '', allowed)
        : errors.routeNotFound(request.method, request.url.split('?')[0] ?? '')
    request.log.warn({ code: error.code }, 'no route')
    return sendProblem(request, reply, error)
  }
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (malformed request line or
 * headers, headers too large, a body that does not arrive within REQUEST_TIMEOUT_MS). Fastify's
 * default answer is its own JSON; this one is a problem document like every other error.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [code, status, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [ErrorCode.RequestTimeout, 408, 'The request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [ErrorCode.HeadersTooLarge, 431, 'The request headers are too large']
        : [ErrorCode.BadRequest, 400, 'The request is not valid HTTP']
  const title = STATUS_CODES[status] ?? 'Bad request'
  const body = JSON.stringify({ type: `urn:problem:${code}`, title, status, detail, code })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
