/**
 * The jobs the worker role handles. Each job lives beside the domain it serves and is listed
 * here; deadlines (closing, deciding, resolution windows) and deliveries arrive with the issues
 * that introduce them.
 */
import type { AppContext } from '../context.js'
import type { JobDefinition } from '../infra/queue.js'
import { decisionJobs } from './decisions.js'
import { marketJobs } from './markets.js'

export function jobDefinitions(ctx: AppContext): JobDefinition[] {
  return [...(marketJobs(ctx) as JobDefinition[]), ...decisionJobs(ctx)]
}
