/**
 * Row-level security, proven the way Supabase's REST API would reach the data: each statement
 * runs in a transaction with `SET LOCAL ROLE anon|authenticated` and the caller's JWT claims in
 * `request.jwt.claims` (set_config(…, true)), as PostgREST does.
 *
 * The test discovers every table in `public` and fails when one
 *   - lacks row-level security, or
 *   - is not classified below (PRIVATE_TABLES, PUBLIC_TABLES or SERVICE_ONLY_TABLES),
 * and every view in `public` unless it is `security_invoker` (a plain view reads as its owner
 * and bypasses RLS). TRUNCATE (which RLS does not cover) must be refused on every table.
 *
 * HOW TO ADD A TABLE (markets, ledger accounts, postings, positions, …):
 *   - rows that belong to a user → PRIVATE_TABLES with the owner column; give it a `seed` that
 *     creates at least one row owned by `victim` (the test refuses to pass on an empty table,
 *     since "nothing readable" proves nothing there);
 *   - readable by everyone (markets, prices, trades) → PUBLIC_TABLES, with a seed if needed;
 *   - nobody but the service → SERVICE_ONLY_TABLES.
 * Then, for a private table: `anon` reads nothing; another user reads none of the victim's rows;
 * the owner reads their own (unless `ownerReads: false`); nobody but the service inserts,
 * updates or deletes (unless `ownerWrites: true`). For a public table: `anon` reads it and
 * nobody writes it, and nobody reads its `privateColumns`. Tables of `auth` and `app_private` are checked as well (the API roles
 * have no privilege there at all).
 */
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAgent } from '../../src/services/agents/agents.js'
import { closeDueBatches } from '../../src/services/anchoring/batches.js'
import { grantRole } from '../../src/services/identity/roles.js'
import { createMarket } from '../../src/services/markets/create.js'
import { grantSignupCredits } from '../../src/services/money/issuance.js'
import { withMoneyTransaction } from '../../src/services/money/transaction.js'
import { publishPending } from '../../src/services/realtime/broadcast.js'
import { placeTrade } from '../../src/services/trading/place.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestApiKey, createTestUser, type TestUser } from '../helpers/users.js'

interface Seed {
  t: TestApp
  victim: TestUser
  attacker: TestUser
}

interface PrivateTable {
  /** schema.table */
  table: string
  /** The column holding the owner's user id. */
  owner: string
  /** Whether the owner may read their own rows through the REST API (default true). */
  ownerReads?: boolean
  /** Whether the owner may write their own rows through the REST API (default false). */
  ownerWrites?: boolean
  /** Creates at least one row owned by `victim` (after the identity seed below). */
  seed?: (s: Seed) => Promise<void>
}

interface PublicTable {
  table: string
  seed?: (s: Seed) => Promise<void>
  /** Columns of a public table that the API roles may not read, not even the row's owner's. */
  privateColumns?: string[]
}

/** Money and markets (issue 4): the victim is granted credits, creates a market and trades. */
let tradedOnce: Promise<void> | undefined
const tradeSeed = ({ t, victim }: Seed) => {
  tradedOnce ??= (async () => {
    await withMoneyTransaction(t.ctx.db, (m) =>
      grantSignupCredits(m, victim.userId, 1_000_000_000n, new Date()),
    )
    const market = await createMarket(t.ctx, victim.userId, {
      question: 'Does row-level security hold?',
      kind: 'binary',
      subsidy: '100',
      closeAt: new Date(Date.now() + 86_400_000),
    })
    await placeTrade(
      t.ctx,
      victim.userId,
      market.id,
      { outcome: 'YES', side: 'buy', amount: '10' },
      randomUUID(),
    )
  })()
  return tradedOnce
}

/** Agents (issue 5): the victim operates an agent; its decision records are written as the service would. */
let agentOnce: Promise<void> | undefined
let anchoredOnce: Promise<void> | undefined
/** A decision record (agentSeed's market_decisions row) and a closed batch over everything so far. */
const anchorSeed = (seed: Seed) => {
  anchoredOnce ??= (async () => {
    await agentSeed(seed)
    await closeDueBatches(seed.t.ctx, { maxLeaves: 100_000, intervalMs: 0 })
  })()
  return anchoredOnce
}

const agentSeed = (seed: Seed) => {
  agentOnce ??= (async () => {
    await tradeSeed(seed)
    const { t, victim } = seed
    const { agent } = await createAgent(
      t.ctx,
      { userId: victim.userId, role: 'user', via: 'session', scopes: new Set(['read', 'trade', 'agents']) },
      {
        name: 'RLS agent',
        objective: { kind: 'binary', measurement: 'm' },
        action_source: 'fixed',
        actions: [
          { label: 'A', description: '' },
          { label: 'B', description: '' },
        ],
        llm: { base_url: 'http://127.0.0.1:9/v1', model: 'm', api_key: 'sk-secret' },
        default_action: 'A',
        liquidity_per_decision: '10',
        delivery: { type: 'webhook', url: 'http://127.0.0.1:9/hook' },
      },
    )
    const db = t.ctx.db.pool
    const { rows } = await db.query<{ id: string }>('select id from public.markets limit 1')
    const marketId = rows[0]?.id
    await db.query(
      `insert into public.agent_decisions (market_id, agent_id, owner_id, prior_branch, prior_confidence, created_at)
       values ($1, $2, $3, 0, 0.6, now())`,
      [marketId, agent.id, victim.userId],
    )
    await db.query(
      `insert into public.market_decisions (market_id, chosen_branch, best_branch, default_branch, reason, explanation,
         scores, params, distinct_traders, total_volume, decided_at)
       values ($1, 0, 0, 0, 'default_is_best', 'x', '[]', '{}', 1, 1, now())`,
      [marketId],
    )
    await db.query(
      `insert into public.decision_proposals (market_id, proposer_id, label, created_at) values ($1, $2, 'C', now())`,
      [marketId, victim.userId],
    )
    const delivery = await db.query<{ id: string }>(
      `insert into public.webhook_deliveries (agent_id, owner_id, market_id, event, payload, created_at)
       values ($1, $2, $3, 'decision.made', '{}', now()) returning id`,
      [agent.id, victim.userId, marketId],
    )
    await db.query(
      `insert into public.webhook_attempts (delivery_id, owner_id, attempt, status_code, duration_ms, attempted_at)
       values ($1, $2, 1, 503, 5, now())`,
      [delivery.rows[0]?.id, victim.userId],
    )
  })()
  return agentOnce
}

const PRIVATE_TABLES: PrivateTable[] = [
  // Identity (issue 3): seeded by the common seed (sign-up, an API key, an admin grant).
  { table: 'public.api_keys', owner: 'user_id' },
  { table: 'public.user_roles', owner: 'user_id' },
  { table: 'public.audit_log', owner: 'actor_id' },
  { table: 'auth.users', owner: 'id', ownerReads: false },
  { table: 'auth.sessions', owner: 'user_id', ownerReads: false },
  { table: 'auth.refresh_tokens', owner: 'user_id', ownerReads: false },
  // Money and markets (issue 4)
  { table: 'public.ledger_accounts', owner: 'user_id', seed: tradeSeed },
  { table: 'public.journal_entries', owner: 'user_id', seed: tradeSeed },
  { table: 'public.ledger_postings', owner: 'user_id', seed: tradeSeed },
  { table: 'public.positions', owner: 'user_id', seed: tradeSeed },
  { table: 'public.idempotency_keys', owner: 'user_id', seed: tradeSeed },
  // Agents (issue 5)
  { table: 'public.agent_secrets', owner: 'owner_id', ownerReads: false, seed: agentSeed },
  { table: 'public.agent_decisions', owner: 'owner_id', seed: agentSeed },
  { table: 'public.webhook_deliveries', owner: 'owner_id', seed: agentSeed },
  { table: 'public.webhook_attempts', owner: 'owner_id', seed: agentSeed },
]

const PUBLIC_TABLES: PublicTable[] = [
  { table: 'public.profiles' },
  { table: 'public.markets', seed: tradeSeed },
  { table: 'public.market_outcomes', seed: tradeSeed },
  { table: 'public.market_branches', seed: tradeSeed },
  { table: 'public.trades', seed: tradeSeed },
  { table: 'public.market_disputes' },
  // Where an agent calls (a webhook URL often carries a token) and its LLM settings.
  { table: 'public.agents', seed: agentSeed, privateColumns: ['webhook_url', 'llm'] },
  { table: 'public.market_decisions', seed: agentSeed },
  { table: 'public.decision_proposals', seed: agentSeed },
  // Anchoring (issue 11): batches and records are public; a batch's tree holds a hash of every
  // posting, private ones included, and stays with the service.
  { table: 'public.anchor_records', seed: anchorSeed },
  { table: 'public.anchor_batches', seed: anchorSeed, privateColumns: ['tree'] },
  // The realtime feed's market events (creations, status changes): public like the markets.
  { table: 'public.market_feed', seed: tradeSeed },
]

const SERVICE_ONLY_TABLES: string[] = [
  'app_private.signing_keys',
  'public.ledger_sequence',
  'public.anchor_record_sequence',
  'public.ledger_audit_checkpoint',
  'public.ledger_audit_violations',
  'public.market_feed_sequence',
  'public.realtime_broadcast_state',
  'public.realtime_broadcast_branches',
  // Who uploaded which evidence file: read through the API, which shows a file to its uploader
  // until a resolution or dispute attaches it, then to everyone (services/evidence).
  'public.evidence_files',
]

let t: TestApp
let victim: TestUser
let attacker: TestUser
let client: pg.PoolClient

beforeAll(async () => {
  t = await createTestApp()
  victim = await createTestUser(t)
  attacker = await createTestUser(t)
  // Rows of every identity table owned by the victim: sign-up wrote the profile, session,
  // refresh token and audit entries; add an API key and a role.
  await createTestApiKey(t, victim, ['read'])
  await grantRole(t.ctx.db, { user: victim.userId, role: 'admin', actor: { kind: 'cli' } }, new Date())
  for (const table of [...PRIVATE_TABLES, ...PUBLIC_TABLES]) await table.seed?.({ t, victim, attacker })
  // A finding of the ledger auditor about the victim, as the auditor writes it (a clean ledger
  // gives none), so the service-only check below has a row to protect.
  await t.ctx.db.pool.query(
    `insert into public.ledger_audit_violations (invariant, subject, user_id, detail, found_in_first_seq,
                                                 found_in_last_seq, found_at, last_seen_at)
     values ('balance_matches_postings', 'account:0', $1, '{}', 1, 1, now(), now())`,
    [victim.userId],
  )
  // The Supabase Realtime publisher's first pass writes its cursors (one per existing branch).
  await publishPending(t.ctx, async () => {})
  // An evidence file of the victim's, uploaded as the API takes it.
  const upload = await t.app.inject({
    method: 'POST',
    url: '/v1/evidence?filename=receipt.txt',
    headers: { ...victim.headers, 'content-type': 'text/plain' },
    payload: 'the outcome, as seen',
  })
  expect(upload.statusCode, upload.body).toBe(201)
  client = await t.ctx.db.pool.connect()
})

afterAll(async () => {
  client?.release()
  await t?.close()
})

type Caller = { role: 'anon' } | { role: 'authenticated'; user: TestUser }

function claimsOf(caller: Caller) {
  if (caller.role === 'anon') return { role: 'anon' }
  return { sub: caller.user.userId, role: 'authenticated', aud: 'authenticated', email: caller.user.email }
}

type Outcome = { ok: true; rows: Record<string, unknown>[]; rowCount: number } | { ok: false; code: string }

/** Runs one statement as `caller`, in a transaction that is always rolled back. */
async function as(caller: Caller, text: string, values: unknown[] = []): Promise<Outcome> {
  await client.query('begin')
  try {
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify(claimsOf(caller)),
    ])
    await client.query(`set local role ${caller.role}`)
    const result = await client.query(text, values)
    return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 }
  } catch (error) {
    return { ok: false, code: (error as { code?: string }).code ?? 'unknown' }
  } finally {
    await client.query('rollback')
  }
}

/** "Refused": an insufficient-privilege error (no grant, or a row-level-security violation). */
function expectRefused(outcome: Outcome, what: string) {
  expect(outcome, what).toEqual({ ok: false, code: '42501' })
}

/** Nothing changed: refused, or zero rows affected. */
function expectNoWrite(outcome: Outcome, what: string) {
  if (outcome.ok) expect(outcome.rowCount, what).toBe(0)
  else expect(outcome.code, what).toBe('42501')
}

async function ownedRows(table: string, owner: string, userId: string): Promise<number> {
  const result = await t.ctx.db.pool.query(
    `select count(*)::int as n from ${table} where ${owner}::text = $1`,
    [userId],
  )
  return result.rows[0].n
}

/**
 * An INSERT that would be valid but for RLS: a copy of one of the victim's rows (any row when
 * `ownerColumn` is undefined), given to `newOwner`; defaults fill the key columns.
 */
async function insertLike(table: string, ownerColumn?: string, victimId?: string, newOwner?: string) {
  const [schema, name] = table.split('.') as [string, string]
  const columns = await t.ctx.db.pool.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = $1 and table_name = $2
        and column_default is null and is_identity = 'NO' and is_generated = 'NEVER'`,
    [schema, name],
  )
  const row = ownerColumn
    ? await t.ctx.db.pool.query(
        `select to_jsonb(x) as row from ${table} x where ${ownerColumn}::text = $1 limit 1`,
        [victimId],
      )
    : await t.ctx.db.pool.query(`select to_jsonb(x) as row from ${table} x limit 1`)
  const values = { ...row.rows[0]?.row, ...(ownerColumn ? { [ownerColumn]: newOwner } : {}) }
  for (const key of Object.keys(values))
    if (typeof values[key] === 'string' && /hash|token/.test(key)) values[key] = randomUUID()
  const list = columns.rows.map((c) => `"${c.column_name}"`).join(', ')
  return {
    text: `insert into ${table} (${list}) select ${list} from jsonb_populate_record(null::${table}, $1)`,
    values: [JSON.stringify(values)],
  }
}

describe('every table in public', () => {
  it('has row-level security enabled and is classified', async () => {
    const { rows } = await t.ctx.db.pool.query<{ name: string; rls: boolean }>(
      `select n.nspname || '.' || c.relname as name, c.relrowsecurity as rls
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        order by 1`,
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(
      rows.filter((r) => !r.rls).map((r) => r.name),
      'tables without row-level security',
    ).toEqual([])
    const known = new Set([
      ...PRIVATE_TABLES.map((p) => p.table),
      ...PUBLIC_TABLES.map((p) => p.table),
      ...SERVICE_ONLY_TABLES,
    ])
    expect(
      rows.filter((r) => !known.has(r.name)).map((r) => r.name),
      'tables not classified in test/db/rls.test.ts',
    ).toEqual([])
  })

  it('views are security_invoker, so RLS applies through them', async () => {
    const { rows } = await t.ctx.db.pool.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('v', 'm')
          and not coalesce(c.reloptions @> array['security_invoker=true'], false)`,
    )
    expect(rows.map((r) => r.name)).toEqual([])
  })

  it('cannot be truncated by anon or authenticated (TRUNCATE ignores RLS)', async () => {
    const { rows } = await t.ctx.db.pool.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')`,
    )
    for (const { name } of rows) {
      expectRefused(await as({ role: 'anon' }, `truncate ${name} cascade`), `anon truncates ${name}`)
      expectRefused(
        await as({ role: 'authenticated', user: attacker }, `truncate ${name} cascade`),
        `authenticated truncates ${name}`,
      )
    }
  })
})

describe.each(PRIVATE_TABLES)('private table $table', (spec) => {
  const { table, owner } = spec
  const select = `select ${owner}::text as owner from ${table} where ${owner}::text = $1`

  it('has rows of the victim to protect', async () => {
    expect(await ownedRows(table, owner, victim.userId)).toBeGreaterThan(0)
  })

  it("anon reads nothing; another user reads none of the victim's rows", async () => {
    const anon = await as({ role: 'anon' }, `select * from ${table}`)
    if (anon.ok) expect(anon.rows, 'anon').toEqual([])
    else expect(anon.code).toBe('42501')
    const other = await as({ role: 'authenticated', user: attacker }, select, [victim.userId])
    if (other.ok) expect(other.rows, 'another user').toEqual([])
    else expect(other.code).toBe('42501')
  })

  it(
    spec.ownerReads === false ? 'the owner cannot read it either' : 'the owner reads their own rows',
    async () => {
      const own = await as({ role: 'authenticated', user: victim }, select, [victim.userId])
      if (spec.ownerReads === false) {
        if (own.ok) expect(own.rows).toEqual([])
        else expect(own.code).toBe('42501')
      } else {
        expect(own.ok && own.rows.length).toBeGreaterThan(0)
        const all = await as(
          { role: 'authenticated', user: victim },
          `select ${owner}::text as owner from ${table}`,
        )
        expect(all.ok && all.rows.every((r) => r.owner === victim.userId)).toBe(true)
      }
    },
  )

  it('nobody writes it through the API roles', async () => {
    const callers: Array<[string, Caller, string]> = [
      ['anon', { role: 'anon' }, victim.userId],
      ['another user', { role: 'authenticated', user: attacker }, attacker.userId],
    ]
    if (!spec.ownerWrites) callers.push(['the owner', { role: 'authenticated', user: victim }, victim.userId])
    for (const [who, caller, newOwner] of callers) {
      const insert = await insertLike(table, owner, victim.userId, newOwner)
      expectRefused(await as(caller, insert.text, insert.values), `${who} inserts into ${table}`)
      expectNoWrite(
        await as(caller, `update ${table} set ${owner} = ${owner} where ${owner}::text = $1`, [
          victim.userId,
        ]),
        `${who} updates ${table}`,
      )
      expectNoWrite(
        await as(caller, `delete from ${table} where ${owner}::text = $1`, [victim.userId]),
        `${who} deletes from ${table}`,
      )
    }
    expect(await ownedRows(table, owner, victim.userId)).toBeGreaterThan(0)
  })
})

describe.each(PUBLIC_TABLES)('public table $table', ({ table, privateColumns = [] }) => {
  it.runIf(privateColumns.length > 0)('its private columns are out of reach, even of the owner', async () => {
    const [schema, name] = table.split('.') as [string, string]
    const { rows } = await t.ctx.db.pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = $1 and table_name = $2`,
      [schema, name],
    )
    const readable = rows.map((r) => r.column_name).filter((c) => !privateColumns.includes(c))
    const all = await t.ctx.db.pool.query(`select count(*)::int as n from ${table}`)
    for (const caller of [{ role: 'anon' }, { role: 'authenticated', user: victim }] as Caller[]) {
      for (const column of privateColumns) {
        expectRefused(await as(caller, `select "${column}" from ${table}`), `${caller.role} reads ${column}`)
      }
      expectRefused(await as(caller, `select * from ${table}`), `${caller.role} reads * of ${table}`)
      const rest = await as(caller, `select ${readable.map((c) => `"${c}"`).join(', ')} from ${table}`)
      expect(rest, `${caller.role} reads the other columns`).toMatchObject({
        ok: true,
        rowCount: all.rows[0].n,
      })
    }
  })

  it('anon reads all of it', async () => {
    const all = await t.ctx.db.pool.query(`select count(*)::int as n from ${table}`)
    const anon = await as({ role: 'anon' }, `select count(*)::int as n from ${table}`)
    expect(anon).toMatchObject({ ok: true, rows: [{ n: all.rows[0].n }] })
  })

  it('nobody writes it through the API roles', async () => {
    for (const caller of [{ role: 'anon' }, { role: 'authenticated', user: victim }] as Caller[]) {
      const insert = await insertLike(table)
      expectRefused(await as(caller, insert.text, insert.values), `insert into ${table}`)
      expectNoWrite(await as(caller, `delete from ${table}`), `delete from ${table}`)
      const columns = await t.ctx.db.pool.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema || '.' || table_name = $1 limit 1`,
        [table],
      )
      const column = columns.rows[0]?.column_name as string
      expectNoWrite(await as(caller, `update ${table} set "${column}" = "${column}"`), `update ${table}`)
    }
  })
})

describe.each(SERVICE_ONLY_TABLES)('service-only table %s', (table) => {
  it('is out of reach of anon and authenticated', async () => {
    const all = await t.ctx.db.pool.query(`select count(*)::int as n from ${table}`)
    expect(all.rows[0].n, `${table} needs a row to protect`).toBeGreaterThan(0)
    for (const caller of [{ role: 'anon' }, { role: 'authenticated', user: victim }] as Caller[]) {
      const read = await as(caller, `select * from ${table}`)
      if (read.ok) expect(read.rows, `${caller.role} reads ${table}`).toEqual([])
      else expect(read.code).toBe('42501')
      const insert = await insertLike(table)
      expectRefused(await as(caller, insert.text, insert.values), `${caller.role} inserts into ${table}`)
      expectNoWrite(await as(caller, `delete from ${table}`), `${caller.role} deletes from ${table}`)
    }
  })
})
