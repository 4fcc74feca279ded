#!/usr/bin/env node
/**
 * `npm start`'s build step: compiles src/ into dist/ only when something it is built from has
 * changed since the last build, so a restart without code changes does not pay for the
 * TypeScript compiler (~3-9 s here); when something changed, tsc builds incrementally
 * (tsconfig.build.json: dist/.tsbuildinfo). "Changed" is any file under src/, the tsconfig files
 * or package.json newer than the last successful build (dist/.sources, written after it, lists
 * what it was built from), or a file under src/ added or removed since then (a removed file's
 * output would linger in dist/: the build starts from an empty dist/ then). tsc does not rewrite
 * its .tsbuildinfo when it finds nothing to emit, so that file cannot be the stamp.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const inventory = path.join(root, 'dist/.sources')

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? sources(full) : [full]
  })
}

const inputs = [
  ...sources(path.join(root, 'src')),
  ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => path.join(root, f)),
]
const list = inputs
  .map((f) => path.relative(root, f))
  .sort()
  .join('\n')

function upToDate() {
  if (!existsSync(inventory) || !existsSync(path.join(root, 'dist/start/cli.js'))) return false
  if (readFileSync(inventory, 'utf8') !== list) return false
  const built = statSync(inventory).mtimeMs
  return inputs.every((f) => statSync(f).mtimeMs <= built)
}

if (upToDate()) {
  process.stdout.write('dist/ is up to date with src/: no build\n')
  process.exit(0)
}
// A file removed or renamed since the last build: start over, so no stale output is left behind.
if (existsSync(inventory) && readFileSync(inventory, 'utf8') !== list)
  rmSync(path.join(root, 'dist'), { recursive: true, force: true })
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
writeFileSync(inventory, list)
