/**
 * The guarantee anchoring rests on: "postings 1..N are final and complete, in commit order".
 * Eight workers on one pool post journal entries through the real `postEntries` for a few
 * seconds, on six user accounts they all share (so they queue on each other's cash rows as
 * trades do, not only on the counter); some transactions post several entries, some call
 * `postEntries` twice, and about one in four throws after posting and rolls back. Meanwhile a
 * reader asks, again and again, in one statement (one snapshot), for the count and the highest
 * number of the postings it can see: they must be equal, i.e. no posting ever becomes visible
 * above a number that is not yet final. Afterwards, the numbers are exactly 1..N with N the
 * counter, only committed transactions left postings (and all of theirs), each transaction's
 * postings are consecutive, and each account's running balances, walked in sequence order,
 * add up posting by posting: the order of the numbers is the order in which the balances were
 * applied, which is the order the transactions committed in.
 *
 * Only SQL on the ledger's tables and the money transaction's postings are used, so the test holds for any way
 * of writing trades (one per transaction, or group-committed batches).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database, sql } from '../../src/db/database.js'
import { lockCashAccounts } from '../../src/services/money/ledger.js'
import { FEES_ACCOUNT, ISSUANCE_ACCOUNT, type JournalEntryInput } from '../../src/services/money/postings.js'
import { withMoneyTransaction } from '../../src/services/money/transaction.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { ledgerViolations, newUser } from '../helpers/money.js'
import { rng } from '../helpers/random.js'

const WORKERS = 8
const USERS = 6
const DURATION_MS = Number(process.env.LEDGER_SEQUENCE_MS ?? 5_000)
// A cap as well as a deadline, so a fast machine does not make the final checks slow.
const MAX_TRANSACTIONS = 4_000
/**
 * The run goes on past its duration until this many have started, so that a slow machine
 * tests as many interleavings as the assertions below need instead of failing on its speed.
 */
const MIN_TRANSACTIONS = 200

let database: TestDatabase
let db: Database

beforeAll(async () => {
  database = await createTestDatabase()
  // One connection per worker and one for the reader: transactions really run at once.
  db = createDatabase({ connectionString: database.url, max: WORKERS + 2, statementTimeoutMs: 30_000 })
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

class RolledBackOnPurpose extends Error {}

// One statement, one snapshot: what a reader (the anchoring job) sees at one instant.
const Visible = sql<{ n: bigint; lo: bigint; hi: bigint; counter: bigint }>(
  'TestVisiblePostings',
  `select count(*) as n, coalesce(min(seq), 0) as lo, coalesce(max(seq), 0) as hi,
          (select last_seq from public.ledger_sequence) as counter
     from public.ledger_postings`,
)

const CashAccounts = sql<{ user_id: string; id: bigint }>(
  'TestCashAccountIds',
  `select user_id, id from public.ledger_accounts where kind = 'user_cash' and user_id = any($1::uuid[])`,
)

describe('the ledger sequence under concurrent commits and rollbacks', () => {
  it('numbers postings 1..N, final and complete in commit order, as every snapshot sees them', async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000)
    const users = await Promise.all(Array.from({ length: USERS }, () => newUser(db, '1000')))
    const accountOf = new Map((await db.many(CashAccounts, [users])).map((r) => [r.user_id, r.id]))
    const before = await db.one(Visible)

    // What the workers did: each committed transaction's tag with the number of postings it
    // made and the entry ids it got; the entry ids of the ones that rolled back.
    const committed = new Map<string, { postings: number; entryIds: bigint[] }>()
    const rolledBackEntryIds: bigint[] = []
    let rolledBack = 0
    let started = 0

    const deadline = Date.now() + DURATION_MS
    let running = true
    let snapshots = 0
    const holes: string[] = []
    const reader = (async () => {
      while (running) {
        const seen = await db.one(Visible)
        snapshots++
        // Everything visible is 1..hi: count = hi. A posting visible above a number that is not
        // yet final (taken by an open transaction, or given back by a rollback) breaks it.
        if ((seen.n !== seen.hi || (seen.n > 0n && seen.lo !== 1n)) && holes.length < 20) {
          holes.push(`snapshot ${snapshots}: count ${seen.n}, min ${seen.lo}, max ${seen.hi}`)
        }
      }
    })()

    const worker = async (w: number) => {
      const random = rng(seed * 100 + w)
      const pick = () => users[Math.floor(random() * users.length)] as string
      for (
        let n = 0;
        (Date.now() < deadline || started < MIN_TRANSACTIONS) && started < MAX_TRANSACTIONS;
        n++
      ) {
        started++
        const tag = `w${w}-t${n}`
        const fail = random() < 0.25
        // One or two calls of postEntries, of one to three entries each.
        const calls = Array.from({ length: random() < 0.2 ? 2 : 1 }, () =>
          Array.from({ length: 1 + Math.floor(random() * 3) }, (): { from: string | null; to: string } => ({
            // A grant from issuance now and then; otherwise a transfer between two shared users.
            from: random() < 0.15 ? null : pick(),
            to: pick(),
          })),
        )
        const touched = [...new Set(calls.flat().flatMap((m) => (m.from ? [m.from, m.to] : [m.to])))]
        const slow = random() < 0.05
        const entriesOf = (moves: (typeof calls)[number], c: number): JournalEntryInput[] =>
          moves.map((move, e) => {
            const amount = BigInt(1 + Math.floor(random() * 1_000))
            const fee = BigInt(Math.floor(random() * 3))
            const memo = `${fail ? 'rollback' : 'commit'}:${tag}:c${c}e${e}`
            if (move.from === null) {
              return {
                kind: 'admin_grant',
                memo,
                postings: [
                  { account: ISSUANCE_ACCOUNT, amount: -amount },
                  { account: accountOf.get(move.to) as bigint, amount },
                ],
              }
            }
            return {
              kind: 'refund',
              memo,
              postings: [
                { account: accountOf.get(move.from) as bigint, amount: -(amount + fee) },
                { account: accountOf.get(move.to) as bigint, amount },
                { account: FEES_ACCOUNT, amount: fee },
              ],
            }
          })
        try {
          const posted = await withMoneyTransaction(db, async (m) => {
            const { tx } = m
            // As trades do: every cash row to be posted to is locked first (ascending user id),
            // then the postings take the counter last (flushed here rather than at COMMIT, so
            // the test sees their numbers, and a transaction can roll back after posting).
            await lockCashAccounts(m, touched)
            const all = []
            for (const [c, moves] of calls.entries()) {
              m.post(entriesOf(moves, c), new Date())
              const postings = await m.flush()
              if (fail) rolledBackEntryIds.push(...postings.map((p) => p.entry_id))
              all.push(...postings)
            }
            // Now and then hold the counter a little longer before COMMIT.
            if (slow) await tx.execute(sql('TestSleep', 'select pg_sleep(0.003)'))
            if (fail) throw new RolledBackOnPurpose(tag)
            return all
          })
          committed.set(tag, {
            postings: posted.length,
            entryIds: [...new Set(posted.map((p) => p.entry_id))],
          })
        } catch (error) {
          if (!(error instanceof RolledBackOnPurpose)) throw error
          rolledBack++
        }
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
    running = false
    await reader

    process.stdout.write(
      `[ledger-sequence] seed ${seed}: ${committed.size} transactions committed, ${rolledBack} rolled back, ` +
        `${snapshots} snapshots read while they ran\n`,
    )
    expect(holes, 'a snapshot saw a posting above a number that was not final').toEqual([])
    expect(snapshots).toBeGreaterThan(10)
    expect(committed.size).toBeGreaterThan(100)
    expect(rolledBack).toBeGreaterThan(10)

    // 1..N exactly, N the counter, and N counts exactly the committed postings.
    const after = await db.one(Visible)
    const expected = [...committed.values()].reduce((sum, t) => sum + t.postings, 0)
    expect(after).toEqual({ n: after.counter, lo: 1n, hi: after.counter, counter: after.counter })
    expect(Number(after.n - before.n)).toBe(expected)

    // Nothing of a rolled-back transaction exists; every committed one is there, whole.
    const { left } = await db.one(
      sql<{ left: bigint }>(
        'TestRolledBackLeftovers',
        `select (select count(*) from public.journal_entries where id = any($1::bigint[]) or memo like 'rollback:%')
              + (select count(*) from public.ledger_postings where entry_id = any($1::bigint[])) as left`,
      ),
      [rolledBackEntryIds],
    )
    expect(left, 'entries or postings of rolled-back transactions').toBe(0n)
    const perTransaction = await db.many(
      sql<{ tag: string; n: bigint; lo: bigint; hi: bigint; entries: string[] }>(
        'TestPostingsPerTransaction',
        `select split_part(e.memo, ':', 2) as tag, count(*) as n, min(p.seq) as lo, max(p.seq) as hi,
                array_agg(distinct e.id::text) as entries
           from public.ledger_postings p join public.journal_entries e on e.id = p.entry_id
          where e.memo like 'commit:%'
          group by 1`,
      ),
    )
    expect(perTransaction).toHaveLength(committed.size)
    const scattered: string[] = []
    for (const row of perTransaction) {
      const mine = committed.get(row.tag)
      expect(mine, `postings of ${row.tag}, which did not commit`).toBeDefined()
      expect(Number(row.n), row.tag).toBe(mine?.postings)
      expect(row.entries.map(BigInt).sort(), row.tag).toEqual(mine?.entryIds.slice().sort())
      // Consecutive: nothing of another transaction between a transaction's first and last.
      if (row.hi - row.lo + 1n !== row.n)
        scattered.push(`${row.tag}: ${row.n} postings in ${row.lo}..${row.hi}`)
    }
    expect(scattered, "a transaction's postings are not consecutive").toEqual([])
    // Every other entry is one of the users' sign-up grants, made before the workers started.
    const { other } = await db.one(
      sql<{ other: bigint }>(
        'TestOtherEntries',
        `select count(*) as other from public.journal_entries
          where memo is null or (memo not like 'commit:%' and kind <> 'signup_grant')`,
      ),
    )
    expect(other).toBe(0n)

    // Commit order: walking each account's postings by seq, each running balance is the one
    // before plus the posting. Numbers handed out in another order than the balances were
    // applied in (start order, say) break the chain.
    const broken = await db.many(
      sql<{ item: string }>(
        'TestBalanceChain',
        `select account_id || ' at seq ' || seq || ': ' || coalesce(prev::text, 'start 0') || ' + ' || amount
                || ' <> ' || balance_after as item
           from (select account_id, seq, amount, balance_after,
                        lag(balance_after) over (partition by account_id order by seq) as prev
                   from public.ledger_postings where balance_after is not null) walk
          where balance_after <> coalesce(prev, 0) + amount
          order by seq limit 10`,
      ),
    )
    expect(broken, 'running balances out of sequence order').toEqual([])
    const { chained } = await db.one(
      sql<{ chained: bigint }>(
        'TestChainedPostings',
        `select count(*) as chained from public.ledger_postings where account_id = any($1::bigint[])`,
      ),
      [[...accountOf.values()]],
    )
    // The chain check covered the shared accounts' postings, thousands of them.
    expect(Number(chained)).toBeGreaterThan(committed.size)
    expect(await ledgerViolations(db)).toEqual([])
  }, 60_000)
})
