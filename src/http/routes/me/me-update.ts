import { Type } from '@sinclair/typebox'
import { updateProfile } from '../../../services/identity/profiles.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { DisplayName, Me, Username } from '../../schemas/identity.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { meBody } from './me.js'

/** PATCH /v1/me: change the username or display name. */
export const updateMe: RouteModule = (app, ctx) => {
  app.patch(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your username or display name',
        security: [{ bearer: [] }],
        body: Type.Object(
          { username: Type.Optional(Username), display_name: Type.Optional(DisplayName) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Ref(Me), ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const principal = authorizeUser(request, 'me.update')
      const profile = await updateProfile(
        ctx.db,
        principal.userId,
        { username: request.body.username, displayName: request.body.display_name },
        ctx.clock.now(),
      )
      return meBody(principal, profile)
    },
  )
}
