import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, NoRowError, sql } from '../../src/db/database.js'
import { DatabaseError } from '../../src/db/errors.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'

let database: TestDatabase
let db: Database

beforeAll(async () => {
  database = await createTestDatabase()
  db = createDatabase({ connectionString: database.url, max: 4, statementTimeoutMs: 2_000 })
  await db.execute(
    sql('CreateScratch', 'create table scratch (id int primary key, n bigint not null check (n >= 0))'),
  )
})
afterAll(async () => {
  await db.close()
  await database.drop()
})

const Insert = sql('InsertScratch', 'insert into scratch (id, n) values ($1, $2)')
const Find = sql<{ id: number; n: bigint }>('FindScratch', 'select id, n from scratch where id = $1')

describe('data access', () => {
  it('int8 arrives as bigint, never as a float', async () => {
    await db.execute(Insert, [1, '9007199254740993'])
    const row = await db.one(Find, [1])
    expect(row.n).toBe(9007199254740993n)
  })

  it('one() without a row is a NoRowError; maybeOne() is undefined', async () => {
    await expect(db.one(Find, [404])).rejects.toBeInstanceOf(NoRowError)
    expect(await db.maybeOne(Find, [404])).toBeUndefined()
  })

  it('a transaction commits all or nothing', async () => {
    await db.withTransaction(async (tx) => {
      await tx.execute(Insert, [2, 5])
      await tx.execute(Insert, [3, 5])
    })
    await expect(
      db.withTransaction(async (tx) => {
        await tx.execute(Insert, [4, 5])
        await tx.execute(Insert, [5, -1]) // check constraint
      }),
    ).rejects.toMatchObject({ failure: 'constraint', queryName: 'InsertScratch' })
    expect(await db.maybeOne(Find, [2])).toBeDefined()
    expect(await db.maybeOne(Find, [4])).toBeUndefined()
  })

  it('translates PostgreSQL errors into failures the domain can reason about', async () => {
    const duplicate = await db.execute(Insert, [1, 1]).catch((e) => e)
    expect(duplicate).toBeInstanceOf(DatabaseError)
    expect(duplicate).toMatchObject({ failure: 'conflict', sqlState: '23505', constraint: 'scratch_pkey' })

    // A row locked by one transaction and asked for with NOWAIT by another: busy.
    const LockNowait = sql('LockScratchNowait', 'select id from scratch where id = $1 for update nowait')
    let release: () => void = () => {}
    const held = db.withTransaction(async (tx) => {
      await tx.one(sql('LockScratch', 'select id from scratch where id = $1 for update'), [2])
      await new Promise<void>((resolve) => {
        release = resolve
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const busy = await db.withTransaction((tx) => tx.one(LockNowait, [2])).catch((e) => e)
    release()
    await held
    expect(busy).toMatchObject({ failure: 'busy', sqlState: '55P03' })
  })

  it('retries a transaction that lost a serialization race', async () => {
    let attempts = 0
    const result = await db.withTransaction(async (tx) => {
      attempts++
      if (attempts === 1) {
        await tx.execute(
          sql('RaiseSerialization', `do $$ begin raise exception using errcode = '40001'; end $$`),
        )
      }
      return 'done'
    })
    expect(result).toBe('done')
    expect(attempts).toBe(2)
  })

  it('sets row-level-security claims for one transaction only', async () => {
    const Claims = sql<{ uid: string | null; role: string }>(
      'CurrentClaims',
      `select auth.uid()::text as uid, current_user as role`,
    )
    const claims = { sub: '00000000-0000-4000-8000-0000000000aa', role: 'authenticated' }
    const inside = await db.withTransaction((tx) => tx.one(Claims), {
      rls: { role: 'authenticated', claims },
    })
    expect(inside).toEqual({ uid: claims.sub, role: 'authenticated' })
    // the same pooled connections carry nothing over
    const outside = await Promise.all([db.one(Claims), db.one(Claims), db.one(Claims), db.one(Claims)])
    for (const row of outside) expect(row.uid).toBeNull()
    for (const row of outside) expect(row.role).not.toBe('authenticated')
  })

  it('an unreachable server is an "unavailable" failure', async () => {
    const dead = createDatabase({
      connectionString: 'postgres://postgres@127.0.0.1:1/x',
      max: 1,
      statementTimeoutMs: 0,
    })
    try {
      await expect(dead.ping()).rejects.toMatchObject({ failure: 'unavailable' })
      await expect(dead.withTransaction(async () => 1)).rejects.toMatchObject({ failure: 'unavailable' })
    } finally {
      await dead.close()
    }
  })
})
