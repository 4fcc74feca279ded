import { type Static, Type } from '@sinclair/typebox'
import type { Principal } from '../../../domain/identity/principal.js'
import { errors } from '../../../errors/codes.js'
import { findProfile, type ProfileRow } from '../../../services/identity/profiles.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { Me } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** GET /v1/me: the caller's profile, email and role. */
export const getMe: RouteModule = (app, ctx) => {
  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'The caller',
        security: [{ bearer: [] }],
        response: { 200: Type.Ref(Me), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'me.read')
      // The authenticator creates the profile on the first request; it exists by now.
      const profile = await findProfile(ctx.db, principal.userId)
      if (!profile) throw errors.notFound('Profile')
      return meBody(principal, profile)
    },
  )
}

export function meBody(principal: Principal, profile: ProfileRow): Static<typeof Me> {
  return {
    id: principal.userId,
    email: principal.email ?? null,
    username: profile.username,
    display_name: profile.display_name,
    role: principal.role,
    created_at: profile.created_at.toISOString(),
    updated_at: profile.updated_at.toISOString(),
  }
}
