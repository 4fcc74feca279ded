/** GoTrue's JSON shapes, as supabase-js reads them. */
import { Type } from '@sinclair/typebox'

const Json = Type.Record(Type.String(), Type.Unknown())

// The users and sessions the local auth service returns: declared where it can type them too.
export { GoTrueSession, GoTrueUser } from '../../../contracts/auth.js'

export const GoTrueError = Type.Object(
  {
    code: Type.Union([Type.String(), Type.Integer()], {
      description: "GoTrue's error code (a string with X-Supabase-Api-Version: 2024-01-01, else the status)",
    }),
    message: Type.Optional(Type.String()),
    msg: Type.Optional(Type.String()),
    error_code: Type.Optional(Type.String()),
  },
  { $id: 'GoTrueError', additionalProperties: true, description: "GoTrue's error shape" },
)

/** `response` entries for GoTrue errors. */
export const gotrueErrors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref(GoTrueError)]))

/** Fields supabase-js adds that this server ignores (captcha, PKCE) are allowed through. */
export const Credentials = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    data: Type.Optional(Json),
  },
  { additionalProperties: true },
)
