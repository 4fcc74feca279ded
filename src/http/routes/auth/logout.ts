import { Type } from '@sinclair/typebox'
import { requestMeta } from '../../plugins/authenticate.js'
import type { AuthRouteModule } from '../../types.js'
import { accessTokenOf } from './errors.js'
import { gotrueErrors } from './schemas.js'

/** POST /auth/v1/logout?scope=global|local|others: ends sessions; their refresh tokens die with them. */
export const logout: AuthRouteModule = (app, local) => {
  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out this session (local), every session (global) or the others',
        security: [{ bearer: [] }],
        querystring: Type.Object({
          scope: Type.Union([Type.Literal('global'), Type.Literal('local'), Type.Literal('others')], {
            default: 'global',
          }),
        }),
        response: { 204: Type.Null({ description: 'Signed out' }), ...gotrueErrors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await local.signOut(accessTokenOf(request), request.query.scope, requestMeta(request))
      return reply.code(204).send(null)
    },
  )
}
