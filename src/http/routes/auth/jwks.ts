import { Type } from '@sinclair/typebox'
import type { AuthRouteModule } from '../../types.js'

/** GET /auth/v1/.well-known/jwks.json: the public keys our access tokens are signed with. */
export const jwks: AuthRouteModule = (app, local) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        summary: 'Public signing keys (JWKS)',
        response: {
          200: Type.Object({
            keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
              description: 'Public JWKs (ES256)',
            }),
          }),
        },
      },
    },
    async (_request, reply) => {
      // Verifiers (supabase-js getClaims, other services) may cache it; keys only ever get added
      // ahead of use and retired after the tokens they signed have expired.
      reply.header('cache-control', 'public, max-age=600')
      return local.jwks()
    },
  )
}
