/**
 * `decision-markets verify <proof.json | -> [--rpc-url URL] [--contract ADDRESS] [--json]`: checks
 * a proof with nothing but the proof and, when an RPC URL is given, the chain. It needs no
 * database, no configuration and no trust in the service that handed out the proof.
 *
 * Offline, it recomputes the leaf from the proof's plain fields and folds the path into the
 * root: that shows the fields are a leaf of *a* tree with that root. Against the chain it then
 * reads `get_root(batch_id)` from the contract and requires the same root and leaf count: that
 * shows the fields were anchored, and when. Accepts the API's answer (`{ proof, batch, chain }`)
 * or the bare proof document; the contract address is `--contract`, or the one the API's answer
 * names (printed, so a reader sees which one was trusted).
 *
 * Exit codes: 0 verified, 1 refused (the proof or the chain disagrees), 2 usage or unreadable input.
 */
import { readFileSync } from 'node:fs'
import { feltToHex, verifyProof } from '../domain/anchoring/index.js'
import { createAnchorReader } from '../infra/starknet/index.js'

export const VERIFY_HELP = `  verify <proof.json|-> [--rpc-url URL] [--contract ADDRESS] [--json]
              Check an anchoring proof offline, and against the chain with --rpc-url`

export interface VerifyArgs {
  file: string | undefined
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
  /** Where the contract address came from: the command line, or the proof file's own claim. */
  contract_from?: 'option' | 'proof file'
  reason?: string
}

export async function runVerifyCommand(
  args: VerifyArgs,
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  if (!args.file) {
    out(`Usage: decision-markets verify <proof.json|-> [--rpc-url URL] [--contract ADDRESS] [--json]\n`)
    return 2
  }
  let input: unknown
  try {
    input = JSON.parse(readFileSync(args.file === '-' ? 0 : args.file, 'utf8'))
  } catch (error) {
    out(`Cannot read a JSON proof from ${args.file}: ${(error as Error).message}\n`)
    return 2
  }
  const served = isServed(input) ? input : null
  const document = served ? served.proof : input
  const report = await verify(document, {
    rpcUrl: args.rpcUrl,
    contract: args.contract ?? served?.chain?.contract_address ?? undefined,
    contractFrom: args.contract ? 'option' : 'proof file',
  })
  out(args.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report))
  return report.ok ? 0 : 1
}

function isServed(value: unknown): value is { proof: unknown; chain?: { contract_address?: string | null } } {
  return typeof value === 'object' && value !== null && 'proof' in value
}

async function verify(
  document: unknown,
  options: { rpcUrl?: string; contract?: string; contractFrom: 'option' | 'proof file' },
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
  }
  if (!options.rpcUrl) return report
  if (!options.contract) {
    return {
      ...report,
      ok: false,
      chain: 'unreachable',
      reason: '--rpc-url needs --contract (the anchor contract)',
    }
  }
  report.contract_address = options.contract
  report.contract_from = options.contractFrom
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
  if (r.chain === 'not checked')
    lines.push('Chain: not checked (give --rpc-url and --contract to check it on Starknet)')
  else if (r.chain === 'anchored')
    lines.push(`Chain: batch ${r.batch_id} is anchored with this root by ${r.contract_address}`)
  else lines.push(`Chain: ${r.chain}: ${r.reason}`)
  lines.push(r.ok ? 'VERIFIED' : 'NOT VERIFIED')
  return `${lines.join('\n')}\n`
}
