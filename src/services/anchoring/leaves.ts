/**
 * From the database's rows to the anchoring core's leaf inputs (domain/anchoring): one place
 * that says which column becomes which field, used both when a batch is hashed and when a proof
 * is served, so the two can never disagree.
 */
import {
  buildTreeSteps,
  type JsonValue,
  type LeafInput,
  leafOf,
  type MerkleTree,
} from '../../domain/anchoring/index.js'

export interface PostingRow {
  seq: bigint
  entry_id: bigint
  account_id: bigint
  amount: bigint
  /** anchor_micros(created_at): microseconds as text, exact. */
  created_at_us: string
}

export interface RecordRow {
  seq: bigint
  kind: 'decision' | 'resolution'
  market_id: string
  /** What the triggers of 20261201140000_anchoring.sql wrote. */
  payload: Record<string, JsonValue>
}

export function postingInput(row: PostingRow): LeafInput {
  return {
    kind: 'posting',
    seq: row.seq,
    entryId: row.entry_id,
    accountId: row.account_id,
    amount: row.amount,
    createdAtUs: BigInt(row.created_at_us),
  }
}

export function recordInput(row: RecordRow): LeafInput {
  const p = row.payload
  if (row.kind === 'decision') {
    return {
      kind: 'decision',
      seq: row.seq,
      marketId: row.market_id,
      agentId: (p.agent_id as string | null) ?? null,
      chosenBranchIndex: Number(p.chosen_branch),
      decidedAtUs: BigInt(p.decided_at_us as string),
      record: p,
    }
  }
  return {
    kind: 'resolution',
    seq: row.seq,
    marketId: row.market_id,
    // A decision market resolves its chosen branch; a plain market has the one branch 0.
    branchIndex: p.decided_branch === null || p.decided_branch === undefined ? 0 : Number(p.decided_branch),
    outcome: resolutionOutcome(p),
    resolvedAtUs: BigInt(p.resolved_at_us as string),
    record: p,
  }
}

/** The resolved value as text: 'void', the outcome's label, or the scalar value in micro-units. */
function resolutionOutcome(p: Record<string, JsonValue>): string {
  if (p.status === 'voided') return 'void'
  if (typeof p.outcome_label === 'string') return p.outcome_label
  if (typeof p.value === 'string') return p.value
  throw new Error(`a resolution record of market ${String(p.market_id)} names no outcome`)
}

/**
 * The leaves of a batch (postings by seq, then records by seq) and their tree. Hashing 10,000
 * leaves and their tree is seconds of CPU (bench/anchoring.ts), and the worker may share its
 * process with the API (PROCESS_ROLE=all): the work yields to the event loop every few hashes,
 * so requests keep being answered while a batch closes.
 */
export async function hashBatchLeaves(
  postings: readonly PostingRow[],
  records: readonly RecordRow[],
): Promise<MerkleTree> {
  const inputs = [...postings.map(postingInput), ...records.map(recordInput)]
  const leaves: bigint[] = []
  for (const input of inputs) {
    leaves.push(leafOf(input).hash)
    if (leaves.length % LEAVES_PER_YIELD === 0) await yieldToEventLoop()
  }
  const steps = buildTreeSteps(leaves, NODES_PER_YIELD)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await yieldToEventLoop()
  }
}

// A leaf is ~7 Poseidon permutations (~0.7 ms here, bench/README.md), a tree node 2: a request
// waits a few milliseconds at most behind the hashing.
const LEAVES_PER_YIELD = 4
const NODES_PER_YIELD = 16
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))
