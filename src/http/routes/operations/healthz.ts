import { Type } from '@sinclair/typebox'
import type { RouteModule } from '../../types.js'

/** Liveness: the process answers. Deliberately touches nothing else. */
export const healthz: RouteModule = (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness probe',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )
}
