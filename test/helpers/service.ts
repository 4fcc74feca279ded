/**
 * The whole service (startService, as `decision-markets serve` runs it) on a real socket of a
 * free port, around a fresh test database: for clients that must speak to it over the network.
 */
import { createLogger } from '../../src/infra/logger.js'
import { type RunningService, startService } from '../../src/start/server.js'
import { testConfig } from './app.js'
import { createTestDatabase } from './database.js'

export interface TestService {
  service: RunningService
  /** `http://127.0.0.1:<port>` */
  base: string
  stop(): Promise<void>
}

export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const database = await createTestDatabase()
  const service = await startService(
    testConfig({ DATABASE_URL: database.url, PORT: '0', ...env }),
    createLogger('silent'),
  ).catch(async (error) => {
    await database.drop()
    throw error
  })
  return {
    service,
    base: service.address as string,
    async stop() {
      await service.stop()
      await database.drop()
    },
  }
}
