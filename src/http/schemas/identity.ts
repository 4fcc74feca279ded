/** Response shapes of the identity endpoints (/v1/me, /v1/users, API keys, audit). */
import { Type } from '@sinclair/typebox'
import { SCOPES } from '../../domain/identity/principal.js'
import { USERNAME_PATTERN } from '../../domain/identity/username.js'

const Timestamp = Type.String({ format: 'date-time' })

export const Username = Type.String({
  pattern: USERNAME_PATTERN,
  description: 'Letters, digits and underscores, 3–24 characters; unique without regard to case',
  examples: ['ada_lovelace'],
})

export const DisplayName = Type.String({ minLength: 1, maxLength: 64 })

export const PublicProfile = Type.Object(
  {
    username: Type.String(),
    display_name: Type.String(),
    created_at: Timestamp,
  },
  { $id: 'PublicProfile', description: "A user's public fields" },
)

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.Union([Type.String(), Type.Null()]),
    username: Type.String(),
    display_name: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Me', description: 'The caller: profile, role and email' },
)

export const Scope = Type.Union(
  SCOPES.map((scope) => Type.Literal(scope)),
  { description: 'read: read your data; trade: trade and manage markets; agents: manage agents' },
)

export const ApiKey = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    prefix: Type.String({ description: 'The start of the key, to tell keys apart' }),
    scopes: Type.Array(Scope),
    created_at: Timestamp,
    last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'Minute precision' }),
  },
  { $id: 'ApiKey' },
)

export const AuditEntry = Type.Object(
  {
    id: Type.String({ description: 'Increasing; newest first in lists' }),
    occurred_at: Timestamp,
    actor_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    actor_kind: Type.String({ description: 'session, api_key, cli, system or anonymous' }),
    action: Type.String({ examples: ['auth.signed_in', 'api_key.created', 'role.granted'] }),
    subject_type: Type.Union([Type.String(), Type.Null()]),
    subject_id: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEntry' },
)

/** Registered once on the app (src/http/app.ts) so routes can refer to them by $id. */
export const identitySchemas = [PublicProfile, Me, ApiKey, AuditEntry]
