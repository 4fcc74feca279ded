import { Type } from '@sinclair/typebox'
import { formatAmount } from '../../../domain/money.js'
import { amountField } from '../../../services/money/amounts.js'
import { adminGrant } from '../../../services/money/issuance.js'
import { authorizeUser } from '../../plugins/authorize.js'
import { problemResponses } from '../../schemas/problem.js'
import type { RouteModule } from '../../types.js'
import { amountsAreStrings } from '../markets/amounts.js'
import { Amount, Uuid } from '../markets/schemas.js'

/** POST /v1/admin/grants (admins): credits from the issuance account to a user. */
export const adminGrantRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/admin/grants',
    {
      schema: {
        tags: ['admin'],
        summary: 'Grant credits (admins)',
        security: [{ bearer: [] }],
        body: Type.Object(
          { user_id: Uuid, amount: Amount, memo: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            entry_id: Type.String(),
            user_id: Uuid,
            amount: Amount,
            cash: Amount,
            memo: Type.Union([Type.String(), Type.Null()]),
            created_at: Type.String({ format: 'date-time' }),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
      preValidation: amountsAreStrings(['amount']),
    },
    async (request, reply) => {
      const admin = authorizeUser(request, 'grant.create')
      const grant = await adminGrant(ctx, {
        adminId: admin.userId,
        userId: request.body.user_id,
        amount: amountField(request.body.amount, '/body/amount'),
        memo: request.body.memo,
      })
      return reply.code(201).send({
        entry_id: grant.entryId,
        user_id: grant.userId,
        amount: formatAmount(grant.amount),
        cash: formatAmount(grant.cash),
        memo: grant.memo,
        created_at: grant.createdAt.toISOString(),
      })
    },
  )
}
