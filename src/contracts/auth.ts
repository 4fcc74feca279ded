/**
 * GoTrue's user and session, as supabase-js reads them: the response shapes of /auth/v1 and the
 * types the local auth service (services/identity/local-auth.ts) builds them with.
 */
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
