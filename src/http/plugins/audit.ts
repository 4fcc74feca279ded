/**
 * Admin actions on the record: every request by an admin that changes something (POST, PUT,
 * PATCH, DELETE) and succeeds is written to the audit log as `admin.request`, with the route,
 * its parameters and the status, whatever the route. Services that know more (a grant's
 * amount, a dispute's ruling) may also write their own entry in their transaction; this one
 * guarantees that nothing an admin changes through the API goes unrecorded.
 *
 * Written just before the response is sent (so the entry exists once the admin has the answer);
 * a failed write is logged as an error and does not fail the request, whose change is made.
 */
import type { AppContext } from '../../context.js'
import { actorOf, recordAudit } from '../../services/identity/audit.js'
import type { App } from '../types.js'
import { requestMeta } from './authenticate.js'

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function registerAdminAudit(app: App, ctx: AppContext) {
  app.addHook('onSend', async (request, reply, payload) => {
    const principal = request.principal
    if (principal?.role !== 'admin' || !MUTATING.has(request.method) || reply.statusCode >= 400)
      return payload
    try {
      await recordAudit(
        ctx.db,
        {
          action: 'admin.request',
          actor: actorOf(principal),
          subjectType: 'route',
          subjectId: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
          details: { params: request.params ?? {}, status: reply.statusCode, request_id: request.id },
          meta: requestMeta(request),
        },
        ctx.clock.now(),
      )
    } catch (error) {
      request.log.error({ err: error }, 'admin action not audited')
    }
    return payload
  })
}
