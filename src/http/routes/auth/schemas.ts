/** GoTrue's JSON shapes, as supabase-js reads them. */
import { Type } from '@sinclair/typebox'

const Json = Type.Record(Type.String(), Type.Unknown())
const Timestamp = Type.String({ format: 'date-time' })

export const GoTrueUser = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    aud: Type.String(),
    role: Type.String(),
    email: Type.String(),
    email_confirmed_at: Type.Union([Timestamp, Type.Null()]),
    phone: Type.String(),
    confirmed_at: Type.Union([Timestamp, Type.Null()]),
    last_sign_in_at: Type.Union([Timestamp, Type.Null()]),
    app_metadata: Json,
    user_metadata: Json,
    identities: Type.Array(Json),
    created_at: Timestamp,
    updated_at: Timestamp,
    is_anonymous: Type.Boolean(),
  },
  { $id: 'GoTrueUser', description: 'A user, as Supabase Auth returns it' },
)

export const GoTrueSession = Type.Object(
  {
    access_token: Type.String({ description: 'ES256 JWT with Supabase claims' }),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds' }),
    expires_at: Type.Integer({ description: 'Unix seconds' }),
    refresh_token: Type.String({ description: 'Single use: each refresh returns a new one' }),
    user: Type.Ref(GoTrueUser),
  },
  { $id: 'GoTrueSession', description: 'A session, as Supabase Auth returns it' },
)

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
