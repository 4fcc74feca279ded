/**
 * `decision-markets verify <proof.json | -> [--rpc-url URL] [--contract ADDRESS] [--json]`: checks
 * a proof with nothing but the proof and, when an RPC URL is given, the chain. It needs no
 * database, no configuration and no trust in the service that handed out the proof.
 *
 * Offline, it recomputes the leaf from the proof's plain fields and folds the path into the
 * root: that shows the fields are a leaf of *a* tree with that root. Against the chain it then
 * reads `get_root(batch_id)` from the contract and requires the same root and leaf count: that
 * shows the fields were anchored, and when. The contract is `--contract`, always: the address a
 * proof file names is the file's own claim (a forger would name their own contract), so it is
 * shown for comparison and never used. Accepts the API's answer (`{ proof, batch, chain }`) or
 * the bare proof document.
 *
 * Exit codes: 0 verified, 1 refused (the proof or the chain disagrees), 2 usage or unreadable
 * input, 3 the chain could not be asked (unreachable, or an answer that is no answer).
 */
import { readFileSync } from 'node:fs'
import { feltToHex, verifyProof } from '../domain/anchoring/index.js'
import { createAnchorReader } from '../infra/starknet/index.js'

export const VERIFY_HELP = `  verify <proof.json|-> [--rpc-url URL --contract ADDRESS] [--json]
              Check an anchoring proof offline, and against the anchor contract on the chain`

export interface VerifyArgs {
  /** Positional arguments: exactly one, the proof file or `-`. */
  files: string[]
  rpcUrl: string | undefined
  contract: string | undefined
  json: boolean
}

interface Report {
  ok: boolean
  offline: 'verified' | 'refused'
  chain: 'not checked' | 'anchored' | 'not anchored' | 'mismatch' | 'unreachable'
  kind?: string
  batch_id?: string
  index?: number
  leaf_count?: number
  root?: string
  contract_address?: string
  /** The contract the proof file names, when it names one: its claim, never what is checked. */
  contract_claimed?: string
  reason?: string
}

const USAGE = 'Usage: decision-markets verify <proof.json|-> [--rpc-url URL --contract ADDRESS] [--json]\n'

export async function runVerifyCommand(
  args: VerifyArgs,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const usage = (why: string) => {
    err(`${why}\n${USAGE}`)
    return 2
  }
  const [file] = args.files
  if (file === undefined || args.files.length > 1)
    return usage('Give exactly one proof file (or - for stdin).')
  if (args.rpcUrl !== undefined && args.contract === undefined) {
    return usage(
      '--rpc-url needs --contract: the anchor contract the operator publishes (a proof file names one, but that is its own claim).',
    )
  }
  let input: unknown
  try {
    // A byte-order mark is no part of JSON, but editors on some systems write one.
    input = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8').replace(/^\uFEFF/, ''))
  } catch (error) {
    err(`Cannot read a JSON proof from ${file}: ${(error as Error).message}\n`)
    return 2
  }
  const served = isServed(input) ? input : null
  const document = served ? served.proof : input
  const claimed = served?.chain?.contract_address ?? undefined
  const report = await verify(document, { rpcUrl: args.rpcUrl, contract: args.contract, claimed })
  out(args.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report))
  if (report.ok) return 0
  return report.chain === 'unreachable' ? 3 : 1
}

function isServed(value: unknown): value is { proof: unknown; chain?: { contract_address?: string | null } } {
  return typeof value === 'object' && value !== null && 'proof' in value
}

async function verify(
  document: unknown,
  options: { rpcUrl?: string; contract?: string; claimed?: string },
): Promise<Report> {
  const result = verifyProof(document)
  if (!result.ok) return { ok: false, offline: 'refused', chain: 'not checked', reason: result.reason }
  const doc = document as { kind: string; index: number; leaf_count: number }
  const report: Report = {
    ok: true,
    offline: 'verified',
    chain: 'not checked',
    kind: doc.kind,
    batch_id: String(result.batchId),
    index: doc.index,
    leaf_count: doc.leaf_count,
    root: feltToHex(result.root),
    ...(options.claimed ? { contract_claimed: options.claimed } : {}),
  }
  if (!options.rpcUrl || !options.contract) return report
  report.contract_address = options.contract
  let reader: Awaited<ReturnType<typeof createAnchorReader>> | undefined
  try {
    reader = await createAnchorReader({ rpcUrl: options.rpcUrl, contractAddress: options.contract })
    const onChain = await reader.getRoot(result.batchId)
    if (!onChain) {
      return {
        ...report,
        ok: false,
        chain: 'not anchored',
        reason: `the contract has no batch ${result.batchId} yet`,
      }
    }
    if (onChain.root !== result.root || onChain.leafCount !== result.leafCount) {
      return {
        ...report,
        ok: false,
        chain: 'mismatch',
        reason: `the contract anchors ${feltToHex(onChain.root)} with ${onChain.leafCount} leaves as batch ${result.batchId}`,
      }
    }
    return { ...report, chain: 'anchored' }
  } catch (error) {
    return { ...report, ok: false, chain: 'unreachable', reason: (error as Error).message }
  } finally {
    await reader?.close()
  }
}

function describe(r: Report): string {
  if (r.offline === 'refused') return `REFUSED: ${r.reason}\n`
  const lines = [
    `Proof: ${r.kind} leaf ${r.index} of ${r.leaf_count} in batch ${r.batch_id}, root ${r.root}: consistent`,
  ]
  if (r.chain === 'not checked') {
    lines.push('Chain: not checked (give --rpc-url and --contract to check it on Starknet)')
  } else if (r.chain === 'anchored') {
    lines.push(`Chain: batch ${r.batch_id} is anchored with this root by ${r.contract_address}`)
  } else {
    lines.push(`Chain: ${r.chain}: ${r.reason}`)
  }
  if (r.contract_claimed && r.contract_claimed !== r.contract_address) {
    lines.push(`  (the proof file names the contract ${r.contract_claimed}; only --contract is checked)`)
  }
  lines.push(
    r.ok ? (r.chain === 'anchored' ? 'VERIFIED' : 'CONSISTENT, NOT CHECKED ON A CHAIN') : 'NOT VERIFIED',
  )
  return `${lines.join('\n')}\n`
}
