/**
 * Every route of the API, grouped by who may call them. Adding an operation means adding a
 * file under its group and one line here.
 */
import type { AppContext } from '../../context.js'
import type { App, RouteModule } from '../types.js'
import { healthz } from './operations/healthz.js'
import { readyz } from './operations/readyz.js'

const operations: RouteModule[] = [healthz, readyz]

export function registerRoutes(app: App, ctx: AppContext) {
  for (const route of operations) route(app, ctx)
}
