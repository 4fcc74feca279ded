/**
 * A database of its own for a test file, cloned from the migrated template built by the
 * global setup, and dropped afterwards.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { withDatabase } from '../global-setup.js'

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** `template: false` gives an empty database (no migrations) for migration tests. */
export async function createTestDatabase(options: { template?: boolean } = {}): Promise<TestDatabase> {
  const name = `dm_test_${inject('runId')}_${randomBytes(4).toString('hex')}`
  const template = options.template === false ? 'template0' : inject('templateDatabase')
  await withAdmin(async (admin) => {
    // Two files cloning the same template at the same instant can see "source database is
    // being accessed by other users"; a short retry settles it.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`)
        return
      } catch (error) {
        if (attempt >= 10 || (error as { code?: string }).code !== '55006') throw error
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
      }
    }
  })
  const url = withDatabase(inject('adminDatabaseUrl'), name)
  return {
    url,
    name,
    drop: () =>
      withAdmin(async (admin) => void (await admin.query(`drop database if exists ${name} with (force)`))),
  }
}
