/**
 * `npm run simulate`: runs the decision-quality study (src/simulation) and writes
 * docs/decision-quality.md, its SVG charts and CSVs. Deterministic from --seed.
 *
 *   npm run simulate                      the committed report (seed 13)
 *   npm run simulate -- --seed 7          another seed
 *   npm run simulate -- --quick           a small study, for a quick look (seconds)
 *   npm run simulate -- --worlds 100 --manipulation-worlds 10 --out /tmp/sim
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { renderReport } from '../src/simulation/report.js'
import { DEFAULT_OPTIONS, QUICK_OPTIONS, runStudy, type StudyOptions } from '../src/simulation/study.js'

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    quick: { type: 'boolean', default: false },
    worlds: { type: 'string' },
    'manipulation-worlds': { type: 'string' },
    out: { type: 'string', default: '.' },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(
    'usage: npm run simulate -- [--seed N] [--quick] [--worlds N] [--manipulation-worlds N] [--out DIR]',
  )
  process.exit(0)
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${text}`)
    process.exit(2)
  }
  return n
}

const preset = values.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS
const options: StudyOptions = {
  ...preset,
  seed: count('seed', values.seed, preset.seed),
  worlds: Math.max(1, count('worlds', values.worlds, preset.worlds)),
  manipulationWorlds: count('manipulation-worlds', values['manipulation-worlds'], preset.manipulationWorlds),
}
// The command that regenerates this report, as the report states it (--out is where, not what).
const args = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out')
const command = ['npm run simulate', ...(args.length > 0 ? ['--', ...args] : [])].join(' ')

const started = performance.now()
const result = runStudy(options, (message) => {
  console.error(`${((performance.now() - started) / 1000).toFixed(1)} s: ${message}`)
})
const files = renderReport(result, command)
for (const [path, content] of files) {
  const target = join(values.out, path)
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, content)
}
console.error(
  `${((performance.now() - started) / 1000).toFixed(1)} s: wrote ${files.size} files under ${values.out}`,
)
