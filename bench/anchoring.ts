/**
 * What the anchoring core costs on this machine: hashing leaves, building a batch's tree,
 * building one proof document and verifying it. Pure CPU, no database. Not a test.
 *
 *   npx tsx bench/anchoring.ts
 *
 * BENCH_ANCHOR_LEAVES (10,000) is the batch size; the run takes 5–6 s at the default, most of
 * it Poseidon (src/domain/anchoring/poseidon.ts, BigInt arithmetic).
 */
import { performance } from 'node:perf_hooks'
import {
  buildTree,
  type LeafInput,
  leafOf,
  proofDocument,
  verifyProof,
} from '../src/domain/anchoring/index.js'

const LEAVES = Number(process.env.BENCH_ANCHOR_LEAVES ?? 10_000)
const MARKET = '5f0c2a9e-1b3d-4e6f-9a8b-7c6d5e4f3a2b'

/** A batch like the ledger's: pairs of postings (one entry each), with a decision every 500. */
function batch(size: number): LeafInput[] {
  return Array.from({ length: size }, (_, i): LeafInput => {
    if (i % 500 === 499) {
      return {
        kind: 'decision',
        seq: BigInt(i),
        marketId: MARKET,
        agentId: null,
        chosenBranchIndex: i % 4,
        decidedAtUs: 1_764_547_200_000_000n + BigInt(i),
        record: {
          scores: [0.41, 0.52, 0.38, 0.5],
          rule: { threshold_bps: 200 },
          reason: 'best_beats_default',
        },
      }
    }
    return {
      kind: 'posting',
      seq: BigInt(i + 1),
      entryId: BigInt(Math.floor(i / 2) + 1),
      accountId: BigInt((i * 7919) % 1000),
      amount: i % 2 === 0 ? -1_250_000n : 1_250_000n,
      createdAtUs: 1_764_547_200_000_000n + BigInt(i) * 137n,
    }
  })
}

function time<T>(run: () => T): { value: T; ms: number } {
  const t0 = performance.now()
  const value = run()
  return { value, ms: performance.now() - t0 }
}

const inputs = batch(LEAVES)
// Warm up the JIT on a small batch first, so the figures are of steady-state code.
buildTree(batch(200).map((input) => leafOf(input).hash))

const hashed = time(() => inputs.map((input) => leafOf(input).hash))
const tree = time(() => buildTree(hashed.value))
const index = Math.floor(LEAVES / 3)
const doc = time(() => proofDocument({ input: inputs[index]!, tree: tree.value, index, batchId: 1n }))
const verified = time(() => verifyProof(JSON.parse(JSON.stringify(doc.value))))
if (!verified.value.ok) throw new Error(`the proof did not verify: ${verified.value.reason}`)

const rows: [string, string][] = [
  [
    'leaves hashed',
    `${LEAVES} in ${hashed.ms.toFixed(0)} ms: ${((LEAVES / hashed.ms) * 1000).toFixed(0)} leaves/s`,
  ],
  ['tree built (placement + internal nodes)', `${tree.ms.toFixed(0)} ms`],
  ['batch closed (leaves + tree)', `${(hashed.ms + tree.ms).toFixed(0)} ms`],
  ['one proof document', `${doc.ms.toFixed(1)} ms (${doc.value.path.length} siblings)`],
  ['one proof verified', `${verified.ms.toFixed(1)} ms`],
]
const width = Math.max(...rows.map(([name]) => name.length))
console.log(`anchoring, ${LEAVES} leaves, Node ${process.version}`)
for (const [name, figure] of rows) console.log(`${name.padEnd(width)}  ${figure}`)
