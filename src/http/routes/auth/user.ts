import type { AuthRouteModule } from '../../types.js'
import { accessTokenOf } from './errors.js'
import { GoTrueUser, gotrueErrors } from './schemas.js'

/** GET /auth/v1/user: the signed-in user (the session must still exist). */
export const user: AuthRouteModule = (app, local) => {
  app.get(
    '/user',
    {
      schema: {
        tags: ['auth'],
        summary: 'The user of the access token',
        security: [{ bearer: [] }],
        response: { 200: GoTrueUser, ...gotrueErrors(401, 403) },
      },
    },
    async (request) => local.getUser(accessTokenOf(request)),
  )
}
