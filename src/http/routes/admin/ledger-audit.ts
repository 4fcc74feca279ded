import { Type } from '@sinclair/typebox'
import { INVARIANTS } from '../../../domain/ledger-audit.js'
import { ledgerAuditStatus, openViolations } from '../../../services/ledger-audit/status.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { Nullable, Timestamp } from '../markets/schemas.js'

const Invariant = Type.Union(
  INVARIANTS.map((i) => Type.Literal(i)),
  { description: 'The rule the ledger broke' },
)

const Violation = Type.Object({
  id: Type.String(),
  invariant: Invariant,
  subject: Type.String({ description: "What is wrong: 'entry:<id>', 'account:<id>', 'branch:<id>', …" }),
  entry_ids: Type.Array(Type.String(), { description: 'The journal entries that show it' }),
  account_id: Nullable(Type.String()),
  branch_id: Nullable(Type.String()),
  market_id: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
  found_in: Type.Object(
    { first: Type.String(), last: Type.String() },
    { description: 'Posting range of the run that found it' },
  ),
  found_at: Timestamp,
  last_seen_at: Timestamp,
})

/** GET /v1/admin/ledger/audit: where the ledger auditor stands and what it found, for admins. */
export const ledgerAuditRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/admin/ledger/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The ledger auditor: checkpoint, last run, open violations (admins)',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            checkpoint: Type.Object({
              checked_seq: Type.String({ description: 'Every posting up to this seq has been checked' }),
              ledger_seq: Type.String({ description: 'Last committed posting' }),
              behind: Type.String({ description: 'Postings committed and not yet checked' }),
              checked_at: Nullable(Timestamp),
            }),
            last_run: Nullable(
              Type.Object({
                at: Timestamp,
                result: Type.Union([Type.Literal('ok'), Type.Literal('violation'), Type.Literal('error')]),
                duration_ms: Type.Integer(),
                postings: Type.String({ description: 'Postings the run checked' }),
                error: Nullable(Type.String()),
              }),
            ),
            last_success_at: Nullable(Timestamp),
            open_violations: Type.Object({
              total: Type.Integer(),
              by_invariant: Type.Record(Type.String(), Type.Integer()),
              items: Type.Array(Violation, { description: 'Newest first, at most `limit`' }),
            }),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      authorizeUser(request, 'ledger_audit.read')
      const [status, items] = await Promise.all([
        ledgerAuditStatus(ctx.db),
        openViolations(ctx.db, request.query.limit),
      ])
      const c = status.checkpoint
      return {
        checkpoint: {
          checked_seq: String(c.checked_seq),
          ledger_seq: String(c.ledger_seq),
          behind: String(c.ledger_seq > c.checked_seq ? c.ledger_seq - c.checked_seq : 0n),
          checked_at: c.checked_at?.toISOString() ?? null,
        },
        last_run:
          c.last_run_at && c.last_run_result
            ? {
                at: c.last_run_at.toISOString(),
                result: c.last_run_result,
                duration_ms: c.last_run_ms ?? 0,
                postings: String(c.last_run_postings ?? 0n),
                error: c.last_error,
              }
            : null,
        last_success_at: c.last_success_at?.toISOString() ?? null,
        open_violations: {
          total: Object.values(status.open).reduce((a, b) => a + b, 0),
          by_invariant: status.open,
          items: items.map((v) => ({
            id: String(v.id),
            invariant: v.invariant,
            subject: v.subject,
            entry_ids: v.entry_ids.map(String),
            account_id: v.account_id === null ? null : String(v.account_id),
            branch_id: v.branch_id,
            market_id: v.market_id,
            user_id: v.user_id,
            detail: v.detail,
            found_in: { first: String(v.found_in_first_seq), last: String(v.found_in_last_seq) },
            found_at: v.found_at.toISOString(),
            last_seen_at: v.last_seen_at.toISOString(),
          })),
        },
      }
    },
  )
}
