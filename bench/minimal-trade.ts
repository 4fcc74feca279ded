/**
 * The reference the trade figures are quoted against: the minimal SQL trade of
 * `../shared/bench/` (lock a market row, update it, move cash between two accounts, two ledger
 * rows, one trade row, one commit), run on the same server in the same run, so the ratios do not
 * depend on how noisy the machine is that day. With pgbench on the PATH it runs exactly the
 * shared script; without it, the same statements through `pg`, one connection per client.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'

export interface MinimalTradeResult {
  /** Commits per second. */
  rate: number
  /** pgbench, or the same statements through pg. */
  via: 'pgbench' | 'pg'
}

/** Where the shared reference lives: beside the project, as the workplace lays it out. */
export function minimalTradeFiles(projectRoot: string): { schema: string; script: string } | undefined {
  const dir = path.resolve(projectRoot, '../shared/bench')
  const schema = path.join(dir, 'minimal-trade-schema.sql')
  const script = path.join(dir, 'minimal-trade.pgbench')
  return existsSync(schema) && existsSync(script) ? { schema, script } : undefined
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

async function onServer(url: string, text: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

function hasPgbench(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('pgbench', ['--version'], { stdio: 'ignore' })
    child.once('error', () => resolve(false))
    child.once('exit', (code) => resolve(code === 0))
  })
}

function pgbench(url: string, script: string, options: Options): Promise<number> {
  const parsed = new URL(url)
  const args = [
    '-M',
    'prepared',
    '-n',
    '-c',
    String(options.clients),
    '-j',
    '2',
    '-T',
    String(options.durationS),
  ]
  args.push('-f', script, '-D', `nmarkets=${options.markets}`, decodeURIComponent(parsed.pathname.slice(1)))
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', args, {
      env: {
        ...process.env,
        PGHOST: parsed.hostname,
        PGPORT: parsed.port || '5432',
        PGUSER: decodeURIComponent(parsed.username),
        PGPASSWORD: decodeURIComponent(parsed.password),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      const tps = /tps = ([\d.]+)/.exec(output)
      if (code !== 0 || !tps) reject(new Error(`pgbench failed (${code}):\n${output}`))
      else resolve(Number(tps[1]))
    })
  })
}

/** The shared script's statements, with its random draws, for machines without pgbench. */
async function throughPg(url: string, options: Options): Promise<number> {
  const int = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1))
  const deadline = performance.now() + options.durationS * 1000
  let commits = 0
  const worker = async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      while (performance.now() < deadline) {
        const m = int(1, options.markets)
        const a = int(1, 100_000)
        const b = int(1, 100_000)
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)]
        const qty = int(1, 100)
        const cost = qty * int(1, 99)
        await client.query('BEGIN')
        await client.query({
          name: 'lock',
          text: 'SELECT yes_shares, no_shares FROM market WHERE id = $1 FOR UPDATE',
          values: [m],
        })
        await client.query({
          name: 'market',
          text: 'UPDATE market SET yes_shares = yes_shares + $2, volume = volume + $3, trade_count = trade_count + 1, updated_at = now() WHERE id = $1',
          values: [m, qty, cost],
        })
        await client.query({
          name: 'debit',
          text: 'UPDATE account SET balance = balance - $2, updated_at = now() WHERE id = $1',
          values: [lo, cost],
        })
        await client.query({
          name: 'credit',
          text: 'UPDATE account SET balance = balance + $2, updated_at = now() WHERE id = $1',
          values: [hi, cost],
        })
        await client.query({
          name: 'ledger',
          text: "INSERT INTO ledger (account_id, market_id, amount, kind) VALUES ($1, $3, $4, 'trade_debit'), ($2, $3, $5, 'trade_credit')",
          values: [lo, hi, m, -cost, cost],
        })
        await client.query({
          name: 'trade',
          text: 'INSERT INTO trade (market_id, buyer_id, seller_id, qty, price) VALUES ($1, $2, $3, $4, $5)',
          values: [m, lo, hi, qty, cost / qty],
        })
        await client.query('COMMIT')
        commits++
      }
    } finally {
      await client.end()
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: options.clients }, worker))
  return commits / ((performance.now() - started) / 1000)
}

interface Options {
  markets: number
  durationS: number
  clients: number
}

/**
 * Runs the minimal trade on a database of its own on the server of `serverUrl` (dropped after),
 * `clients` connections (8, as the shared README measures it) for `durationS`.
 */
export async function runMinimalTrade(
  serverUrl: string,
  files: { schema: string; script: string },
  options: Options,
): Promise<MinimalTradeResult> {
  const name = `dm_bench_minimal_${randomBytes(4).toString('hex')}`
  await onServer(serverUrl, `create database ${name}`)
  const url = withDatabase(serverUrl, name)
  try {
    // One statement at a time: a multi-statement query runs as one implicit transaction, and
    // the schema ends with VACUUM, which refuses to run inside one. (Its statements hold no ";"
    // of their own.)
    const statements = readFileSync(files.schema, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n')
      .split(';')
      .map((statement) => statement.trim())
      .filter((statement) => statement !== '')
    for (const statement of statements) await onServer(url, statement)
    // BENCH_MINIMAL_VIA=pg measures the pg path even where pgbench exists (to compare the two).
    if (process.env.BENCH_MINIMAL_VIA !== 'pg' && (await hasPgbench()))
      return { rate: await pgbench(url, files.script, options), via: 'pgbench' }
    return { rate: await throughPg(url, options), via: 'pg' }
  } finally {
    await onServer(serverUrl, `drop database if exists ${name} with (force)`)
  }
}
