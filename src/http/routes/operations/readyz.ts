import { Type } from '@sinclair/typebox'
import { migrationStatus, schemaCheck } from '../../../db/migrate.js'
import { errors } from '../../../errors/codes.js'
import { anchoringStatus } from '../../../services/anchoring/queries.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) })

/**
 * Readiness: the database answers and every migration in the image has been applied. The
 * anchoring backlog is shown as detail, never as a failure: trading goes on while the chain is
 * down, and taking the API out of a load balancer for it would stop trading for nothing.
 */
export const readyz: RouteModule = (app, ctx) => {
  async function anchoringCheck() {
    try {
      const a = await anchoringStatus(ctx.db, ctx.clock.now())
      return {
        ok: true,
        detail:
          `lag ${a.lag_seconds} s; ${a.pending_batches} batch(es) not final` +
          `${a.conflicts > 0 ? ` (${a.conflicts} in conflict with the chain)` : ''}; ` +
          `${a.unbatched_postings} posting(s) and ${a.unbatched_records} record(s) not in a batch`,
      }
    } catch (error) {
      return { ok: true, detail: `anchoring status unavailable: ${(error as Error).message}` }
    }
  }

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness probe',
        response: {
          200: Type.Object({
            status: Type.Literal('ready'),
            checks: Type.Object({
              database: Check,
              migrations: Check,
              // Never a failure: a chain that is down or slow delays anchoring, not the service.
              anchoring: Type.Optional(Check),
            }),
          }),
          ...problemResponses(503),
        },
      },
    },
    async () => {
      let database: { ok: boolean; detail?: string } = { ok: true }
      let migrations: { ok: boolean; detail?: string } = { ok: false, detail: 'not checked' }
      try {
        migrations = schemaCheck(await migrationStatus(ctx.db.pool))
      } catch (error) {
        database = { ok: false, detail: (error as Error).message }
      }
      if (!database.ok || !migrations.ok) {
        throw errors.notReady(database.ok ? 'Migrations are not current' : 'The database cannot be reached', {
          database,
          migrations,
        })
      }
      return { status: 'ready' as const, checks: { database, migrations, anchoring: await anchoringCheck() } }
    },
  )
}
