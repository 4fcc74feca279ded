/**
 * Builds the AppContext: the one place where services are wired together, used by the
 * process start-up and by the tests alike.
 */
import type { Config } from '../config/index.js'
import type { AppContext, Clock } from '../context.js'
import type { Database } from '../db/database.js'
import { errors } from '../errors/codes.js'
import type { Authenticator } from '../http/plugins/authenticate.js'
import type { Logger } from '../infra/logger.js'
import type { JobQueue } from '../infra/queue.js'

export interface ContextParts {
  config: Config
  db: Database
  log: Logger
  clock: Clock
  queue: JobQueue
}

export async function createAppContext(parts: ContextParts): Promise<AppContext> {
  // Replaced by the identity module (local GoTrue-compatible auth or Supabase JWKS).
  const auth: Authenticator = {
    async authenticate() {
      throw errors.unauthorized('Authentication is not available yet')
    },
  }
  return { ...parts, auth }
}
