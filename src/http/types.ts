import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { LocalAuth } from '../services/identity/local-auth.js'
import type { ApiContext } from './context.js'

/** The Fastify instance with TypeBox as type provider: route handlers get types from schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/** One operation (or a few closely related ones) per file; registered by src/http/routes. */
export type RouteModule = (app: App, ctx: ApiContext) => void

/** An operation of /auth/v1: like a RouteModule, handed the local auth it serves. */
export type AuthRouteModule = (app: App, local: LocalAuth) => void
