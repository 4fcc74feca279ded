import { Type } from '@sinclair/typebox'
import { ErrorCode, errors } from '../../../errors/codes.js'
import { requestMeta } from '../../plugins/authenticate.js'
import type { AuthRouteModule } from '../../types.js'
import { Credentials, GoTrueSession, gotrueErrors } from './schemas.js'

/** POST /auth/v1/token?grant_type=password|refresh_token: a new session. */
export const token: AuthRouteModule = (app, local) => {
  app.post(
    '/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a password, or exchange a refresh token (rotated on use)',
        querystring: Type.Object(
          { grant_type: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
        body: Type.Composite([Credentials, Type.Object({ refresh_token: Type.Optional(Type.String()) })], {
          additionalProperties: true,
        }),
        response: { 200: GoTrueSession, ...gotrueErrors(400, 422, 429) },
      },
    },
    async (request) => {
      switch (request.query.grant_type) {
        case 'password':
          return local.signInWithPassword(request.body, requestMeta(request))
        case 'refresh_token':
          return local.refresh(request.body, requestMeta(request))
        default:
          throw errors.gotrue(
            ErrorCode.UnsupportedGrantType,
            400,
            'unsupported_grant_type: grant_type must be password or refresh_token',
          )
      }
    },
  )
}
