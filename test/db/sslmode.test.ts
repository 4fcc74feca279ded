/**
 * `sslmode` in DATABASE_URL reaches the connection as libpq would read it (Supabase requires
 * TLS). Proven both ways on whatever server the tests run against: with TLS off on the
 * server, `sslmode=require` must fail; with TLS on, the session must be encrypted, and
 * `sslmode=disable` must not be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql } from '../../src/db/database.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.drop())

function withParams(url: string, params: string) {
  return `${url}${url.includes('?') ? '&' : '?'}${params}`
}

const Encrypted = sql<{ ssl: boolean; server_ssl: string }>(
  'TestEncrypted',
  `select coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false) as ssl,
          current_setting('ssl') as server_ssl`,
)

async function probe(url: string) {
  const db = createDatabase({ connectionString: url, max: 1, statementTimeoutMs: 5_000 })
  try {
    return await db.one(Encrypted)
  } finally {
    await db.close()
  }
}

describe('sslmode', () => {
  it('disable: a plain connection', async () => {
    expect((await probe(withParams(database.url, 'sslmode=disable'))).ssl).toBe(false)
  })

  it('require (libpq semantics): encrypted, or refused by a server without TLS', async () => {
    const server = await probe(withParams(database.url, 'sslmode=disable'))
    const url = withParams(database.url, 'sslmode=require&uselibpqcompat=true')
    if (server.server_ssl === 'on') {
      expect((await probe(url)).ssl).toBe(true)
    } else {
      await expect(probe(url)).rejects.toThrow(/does not support SSL/)
    }
  })
})
