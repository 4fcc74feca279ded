/**
 * Summary of a `node --cpu-prof` profile of the API taken during `npm run bench:trades`
 * (BENCH_API_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR"): not a test.
 *
 *   npx tsx bench/cpu-profile.ts DIR/CPU.….cpuprofile [accepted trades per HTTP scenario, e.g. 4959,7330]
 *
 * The profile covers the API's whole life (sign-ups, market creation, the idle minutes of the
 * SQL scenarios); the HTTP scenarios are found in it as the spans where samples fall in
 * services/trading/, split where no trade ran for 3 s. Per span: the share of wall
 * time the main thread was idle (waiting, mostly on the database), then the busy time by group
 * and by function (self time), as % of busy time and as µs per accepted trade.
 *
 * Samples are the main thread's state every ~1 ms of wall time, so "busy" includes time the
 * thread was runnable or inside a syscall but off the CPU (on a saturated machine, chiefly the
 * socket writes, which wake PostgreSQL); the process's CPU time from /proc is the stricter figure.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

const GROUPS: [string, (fn: string, url: string) => boolean][] = [
  [
    'socket write syscalls (writev, writeBuffer, writeString)',
    (fn, url) => !url && /^write(v|Buffer|String|Utf8String)$/.test(fn),
  ],
  ['JWT verify (jose, WebCrypto)', (_, url) => /node_modules\/jose\/|internal\/crypto\//.test(url)],
  [
    'pg driver (pg, pg-protocol, pg-pool, pg-types)',
    (_, url) => /node_modules\/(pg|pg-[a-z]+|postgres-[a-z]+)\//.test(url),
  ],
  [
    'fastify, find-my-way, helmet, @fastify/*, ajv',
    (_, url) =>
      /node_modules\/(fastify|find-my-way|helmet|@fastify|avvio|fast-json-stringify|ajv|fast-uri|toad-cache)\//.test(
        url,
      ),
  ],
  ['node http, net, streams, events, buffer', (_, url) => url.startsWith('node:')],
  ['src/domain (trade engine, LMSR, money)', (_, url) => url.includes('/src/domain/')],
  ['src/services (trading, ledger, present)', (_, url) => url.includes('/src/services/')],
  ['src/db', (_, url) => url.includes('/src/db/')],
  ['src/http, src/errors, src/infra', (_, url) => /\/src\/(http|errors|infra)\//.test(url)],
  ['pino', (_, url) => /node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\//.test(url)],
  ['garbage collector', (fn) => fn === '(garbage collector)'],
  ['(program): native, not attributed to JS', (fn) => fn === '(program)'],
  ['other native (microtasks, utf8Slice, …)', (_, url) => !url],
  ['other', () => true],
]

function where(url: string): string {
  const pkg = url.match(/node_modules\/(.*)$/)
  if (pkg) return (pkg[1] as string).replace(/\/dist\/|\/lib\//, '/')
  const own = url.match(/\/((?:src|bench)\/.*)$/)
  if (own) return own[1] as string
  return url.replace(/^node:internal\//, 'node:') || 'native'
}

const [file, tradesArg] = process.argv.slice(2)
if (!file) throw new Error('usage: tsx bench/cpu-profile.ts FILE.cpuprofile [trades,…]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const times: number[] = []
let clock = profile.startTime
for (const delta of profile.timeDeltas) {
  clock += delta
  times.push(clock)
}
const durationOf = (i: number) => ((times[i + 1] ?? times[i]) as number) - (times[i] as number)
const frame = (id: number) => (byId.get(id) as ProfileNode).callFrame

const inTrade = new Map<number, boolean>()
function tradeSample(id: number): boolean {
  let known = inTrade.get(id)
  if (known === undefined) {
    known = frame(id).url.includes('/src/services/trading/')
    const up = parent.get(id)
    if (!known && up !== undefined) known = tradeSample(up)
    inTrade.set(id, known)
  }
  return known
}
const spans: [number, number][] = []
profile.samples.forEach((id, i) => {
  if (!tradeSample(id)) return
  const at = times[i] as number
  const last = spans.at(-1)
  if (last && at - last[1] < 3e6) last[1] = at
  else spans.push([at, at])
})

const trades = (tradesArg ?? '').split(',').filter(Boolean).map(Number)
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`
spans.forEach(([from, to], s) => {
  let wall = 0
  let idle = 0
  const groups = new Map<string, number>()
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const at = times[i] as number
    if (at < from || at > to) return
    const d = durationOf(i)
    wall += d
    const { functionName, url, lineNumber } = frame(id)
    if (functionName === '(idle)') {
      idle += d
      return
    }
    const group = (GROUPS.find(([, match]) => match(functionName, url)) as (typeof GROUPS)[number])[0]
    groups.set(group, (groups.get(group) ?? 0) + d)
    const name = url ? `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}` : functionName
    self.set(name, (self.get(name) ?? 0) + d)
  })
  const busy = wall - idle
  const count = trades[s]
  const perTrade = (d: number) => (count ? `${(d / count).toFixed(0)} µs` : '')
  console.log(
    `\nspan ${s + 1}: ${(wall / 1e6).toFixed(1)} s from ${((from - profile.startTime) / 1e6).toFixed(1)} s; ` +
      `idle ${pct(idle, wall)}, busy ${pct(busy, wall)}${count ? `; ${count} trades, busy ${perTrade(busy)} per trade` : ''}`,
  )
  console.log('\n| group (self time) | % of busy | per trade |\n|---|---|---|')
  for (const [group] of GROUPS) {
    const d = groups.get(group)
    if (d) console.log(`| ${group} | ${pct(d, busy)} | ${perTrade(d)} |`)
  }
  console.log('\n| function (self time) | % of busy | per trade |\n|---|---|---|')
  for (const [name, d] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`| \`${name}\` | ${pct(d, busy)} | ${perTrade(d)} |`)
  }
})
