/**
 * Every error of the API is an RFC 9457 problem document with a stable `code`
 * (`application/problem+json`); /auth/v1, which speaks Supabase Auth's protocol, answers in
 * GoTrue's shape instead. Both become a `ProblemError`, so a bot handles one class.
 */
import type { components } from './generated/openapi.js'

export type Problem = components['schemas']['Problem']
type GoTrueError = components['schemas']['GoTrueError']

export class ProblemError extends Error {
  override readonly name = 'ProblemError'
  /** The stable, machine-readable error code (`insufficient_funds`, `validation_failed`, …). */
  readonly code: string
  readonly status: number
  readonly title: string
  readonly detail: string | undefined
  /** The fields a validation error names, e.g. `{ field: '/body/amount', message: … }`. */
  readonly errors: NonNullable<Problem['errors']>
  /** The server's request id: quote it when asking the operator about this error. */
  readonly requestId: string | undefined
  /** The document as received. */
  readonly problem: Problem

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title)
    this.problem = problem
    this.code = problem.code
    this.status = problem.status
    this.title = problem.title
    this.detail = problem.detail
    this.errors = problem.errors ?? []
    this.requestId = problem.request_id
  }
}

function isProblem(body: unknown): body is Problem {
  const b = body as Partial<Problem> | null
  return typeof b?.code === 'string' && typeof b.status === 'number' && typeof b.title === 'string'
}

function isGoTrueError(body: unknown): body is GoTrueError {
  const b = body as Partial<GoTrueError> | null
  return (
    b !== null && typeof b === 'object' && (typeof b.msg === 'string' || typeof b.error_code === 'string')
  )
}

/** The error an unsuccessful response stands for, whatever its body (a proxy's HTML page too). */
export function problemFrom(response: Response, body: unknown): ProblemError {
  if (isProblem(body)) return new ProblemError(body)
  if (isGoTrueError(body)) {
    const message = body.msg ?? body.message ?? response.statusText
    return new ProblemError({
      type: 'about:blank',
      title: message,
      status: response.status,
      code: body.error_code ?? String(body.code),
    })
  }
  return new ProblemError({
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    code: `http_${response.status}`,
    ...(typeof body === 'string' && body ? { detail: body.slice(0, 500) } : {}),
  })
}
