import { Type } from '@sinclair/typebox'

/** RFC 9457 problem document, as every error response of this API is shaped. */
export const Problem = Type.Object(
  {
    type: Type.String({
      description: 'URI identifying the problem type',
      examples: ['urn:problem:not_found'],
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where the problem is, e.g. /body/amount' }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
)

/** `response` entries every route can answer with, to spread into route schemas. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [status, Type.Ref(Problem, { description: describeStatus(status) })]),
  )

function describeStatus(status: number): string {
  const descriptions: Record<number, string> = {
    400: 'Invalid request',
    401: 'Missing or invalid credentials',
    403: 'Not allowed',
    404: 'Not found',
    409: 'Conflict',
    413: 'Body too large',
    422: 'Request understood but refused',
    429: 'Rate limited',
    503: 'Temporarily unavailable',
  }
  return descriptions[status] ?? 'Problem'
}
