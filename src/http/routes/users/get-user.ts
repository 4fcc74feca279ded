import { Type } from '@sinclair/typebox'
import { errors } from '../../../errors/codes.js'
import { findProfileByUsername } from '../../../services/identity/profiles.js'
import { authorizeRequest } from '../../plugins/authorize.js'
import { publicReadDb } from '../../read-target.js'
import { PublicProfile } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

/** GET /v1/users/{username}: a user's public fields; anyone may ask. */
export const getUser: RouteModule = (app, ctx) => {
  app.get(
    '/v1/users/:username',
    {
      schema: {
        tags: ['community'],
        summary: "A user's public profile",
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Ref(PublicProfile), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      authorizeRequest(request, 'profile.read')
      const profile = await findProfileByUsername(publicReadDb(ctx, request), request.params.username)
      if (!profile) throw errors.notFound('User', `No user named '${request.params.username}'`)
      return {
        username: profile.username,
        display_name: profile.display_name,
        created_at: profile.created_at.toISOString(),
      }
    },
  )
}
