import { requestMeta } from '../../plugins/authenticate.js'
import type { AuthRouteModule } from '../../types.js'
import { Credentials, GoTrueSession, gotrueErrors } from './schemas.js'

/** POST /auth/v1/signup: creates the user (confirmed at once) and signs them in. */
export const signup: AuthRouteModule = (app, local) => {
  app.post(
    '/signup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign up with email and password (GoTrue-compatible, auto-confirmed)',
        body: Credentials,
        response: { 200: GoTrueSession, ...gotrueErrors(400, 422, 429) },
      },
    },
    async (request) => local.signUp(request.body, requestMeta(request)),
  )
}
