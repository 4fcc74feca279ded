/**
 * Records the named queries of this release (every `sql('Name', '…')` under src/) into
 * test/compat/queries/<version>+<git rev>.json, the set the next release's schema must still
 * accept while both run side by side in a rolling deploy (test/compat/previous-release.test.ts,
 * docs/operations/migrations.md). Run it at a release: `npm run queries:record`.
 *
 * It reads the sources with the TypeScript compiler and imports none of them: importing would
 * load configuration, drivers and the rest of the service only to read some strings, and a
 * query built at run time would escape unnoticed. Query texts here are constant expressions:
 * string and template literals whose `${…}` name module-level `const`s (column lists such as
 * `${MARKET_COLUMNS}`, also imported ones: relative imports and re-exports are followed), `+` of
 * those, and `[…].join(sep)` of them. Anything else (a parameter, a `let`, a function call) stops the recording with its file and
 * line: a query text that depends on run-time values cannot be recorded, and should not exist
 * (values go in `$n` parameters).
 *
 * Usage: tsx scripts/record-queries.ts [--label <release>] [--out <file>] [--print]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const recordsDir = path.join(root, 'test/compat/queries')

export interface RecordedQuery {
  name: string
  /** Where it is declared, relative to the project root, with the line (for messages). */
  source: string
  text: string
}

export interface QueryRecord {
  /** `<package version>+<git rev>`: the release whose code sent these queries. */
  release: string
  /** The newest migration of that release; migrations after it are "new" for the lint. */
  lastMigration: string
  queries: RecordedQuery[]
}

export class UnresolvableQueryError extends Error {
  override name = 'UnresolvableQueryError'
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return tsFiles(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')
      ? [full]
      : []
  })
}

function where(node: ts.Node): string {
  const file = node.getSourceFile()
  const { line } = file.getLineAndCharacterOfPosition(node.getStart())
  return `${path.relative(root, file.fileName)}:${line + 1}`
}

/**
 * What one source file declares at its top level: its `const` initialisers, and the names it
 * imports (local name → the .ts file and the name exported there). That is all the evaluator
 * needs to follow `${MARKET_COLUMNS}` to its literal, even across an import. A type checker
 * would do the same, but building one over src/ and its dependencies' types took ~10 s of CPU
 * here; parsing alone takes a fraction of one.
 */
interface ModuleScope {
  source: ts.SourceFile
  consts: Map<string, ts.Expression>
  imports: Map<string, { file: string; name: string }>
  /** `export { A as B } from './x.js'` and `export * from './x.js'`. */
  reexports: Map<string, { file: string; name: string }>
  reexportAll: string[]
}

class Sources {
  private readonly scopes = new Map<string, ModuleScope>()

  scope(file: string): ModuleScope {
    const known = this.scopes.get(file)
    if (known) return known
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true)
    const scope: ModuleScope = {
      source,
      consts: new Map(),
      imports: new Map(),
      reexports: new Map(),
      reexportAll: [],
    }
    const resolve = (specifier: ts.Expression): string | undefined => {
      if (!ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return undefined
      return path.resolve(path.dirname(file), specifier.text.replace(/\.js$/, '.ts'))
    }
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.initializer) {
            scope.consts.set(declaration.name.text, declaration.initializer)
          }
        }
      } else if (ts.isImportDeclaration(statement)) {
        const target = resolve(statement.moduleSpecifier)
        const bindings = statement.importClause?.namedBindings
        if (target && bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            const imported = (element.propertyName ?? element.name).text
            scope.imports.set(element.name.text, { file: target, name: imported })
          }
        }
      } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
        const target = resolve(statement.moduleSpecifier)
        if (!target) continue
        if (!statement.exportClause) scope.reexportAll.push(target)
        else if (ts.isNamedExports(statement.exportClause)) {
          for (const element of statement.exportClause.elements) {
            const exported = (element.propertyName ?? element.name).text
            scope.reexports.set(element.name.text, { file: target, name: exported })
          }
        }
      }
    }
    this.scopes.set(file, scope)
    return scope
  }

  /** Where `name`, as seen in `file`, is declared: the file and the name there. */
  origin(file: string, name: string, depth = 0): { file: string; name: string } | undefined {
    if (depth > 20 || !existsSync(file)) return undefined
    const scope = this.scope(file)
    if (scope.consts.has(name)) return { file, name }
    const imported = scope.imports.get(name) ?? scope.reexports.get(name)
    if (imported) return this.origin(imported.file, imported.name, depth + 1)
    if (this.declaresFunction(scope, name)) return { file, name }
    for (const target of scope.reexportAll) {
      const found = this.origin(target, name, depth + 1)
      if (found) return found
    }
    return undefined
  }

  private declaresFunction(scope: ModuleScope, name: string): boolean {
    return scope.source.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === name)
  }

  /** The value of a constant string expression, or an UnresolvableQueryError saying where. */
  evaluate(node: ts.Expression, seen = new Set<string>()): string {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
    if (ts.isNumericLiteral(node)) return node.text
    if (ts.isTemplateExpression(node)) {
      return (
        node.head.text +
        node.templateSpans.map((span) => this.evaluate(span.expression, seen) + span.literal.text).join('')
      )
    }
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
      return this.evaluate(node.expression, seen)
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return this.evaluate(node.left, seen) + this.evaluate(node.right, seen)
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'join' &&
      ts.isArrayLiteralExpression(node.expression.expression) &&
      node.arguments.length <= 1
    ) {
      const separator = node.arguments[0] ? this.evaluate(node.arguments[0], seen) : ','
      return node.expression.expression.elements
        .map((element) => this.evaluate(element as ts.Expression, seen))
        .join(separator)
    }
    // A name: only a top-level const counts. A parameter or local of the same name as a
    // top-level const would shadow it, so a name used inside a function is refused unless no
    // enclosing function declares it.
    if (ts.isIdentifier(node) && !this.shadowed(node)) {
      const origin = this.origin(node.getSourceFile().fileName, node.text)
      const key = origin && `${origin.file}#${origin.name}`
      const initializer = origin && this.scope(origin.file).consts.get(origin.name)
      if (key && initializer && !seen.has(key)) {
        seen.add(key)
        try {
          return this.evaluate(initializer, seen)
        } finally {
          seen.delete(key)
        }
      }
    }
    throw new UnresolvableQueryError(
      `${where(node)}: '${node.getText()}' is not a constant string (a module-level const of literals); ` +
        'a named query must have a fixed text, with values passed as $n parameters',
    )
  }

  /** Whether a function around `node` declares a parameter or variable of its name. */
  private shadowed(node: ts.Identifier): boolean {
    let declared = false
    const look = (n: ts.Node): void => {
      if (declared || ts.isFunctionLike(n)) return
      if (
        (ts.isVariableDeclaration(n) || ts.isParameter(n)) &&
        ts.isIdentifier(n.name) &&
        n.name.text === node.text
      )
        declared = true
      ts.forEachChild(n, look)
    }
    for (let at: ts.Node | undefined = node.parent; at && !ts.isSourceFile(at); at = at.parent) {
      if (ts.isFunctionLike(at)) {
        for (const parameter of at.parameters) look(parameter)
        const body = (at as { body?: ts.Node }).body
        if (body) ts.forEachChild(body, look)
      }
    }
    return declared
  }
}

/** Every `sql(name, text)` call under `srcDir` whose `sql` is the one of src/db/database.ts. */
export function collectQueries(srcDir = path.join(root, 'src')): RecordedQuery[] {
  const sqlModule = path.join(srcDir, 'db/database.ts')
  const sources = new Sources()
  const queries: RecordedQuery[] = []
  for (const file of tsFiles(srcDir)) {
    const source = sources.scope(file).source
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const origin = sources.origin(file, node.expression.text)
        if (origin?.file === sqlModule && origin.name === 'sql') {
          const [nameArg, textArg] = node.arguments
          if (!nameArg || !textArg)
            throw new UnresolvableQueryError(`${where(node)}: sql() needs a name and a text`)
          queries.push({
            name: sources.evaluate(nameArg),
            source: where(node),
            text: sources.evaluate(textArg),
          })
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  // The name is also the prepared-statement name (src/db/database.ts): one name, one text.
  const byName = new Map<string, RecordedQuery>()
  for (const query of queries) {
    const other = byName.get(query.name)
    if (other && other.text !== query.text) {
      throw new UnresolvableQueryError(
        `The query name '${query.name}' has two texts (${other.source} and ${query.source})`,
      )
    }
    byName.set(query.name, query)
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}

export function lastMigrationVersion(dir = path.join(root, 'supabase/migrations')): string {
  const versions = readdirSync(dir)
    .map((file) => /^(\d{14})_/.exec(file)?.[1])
    .filter((version): version is string => !!version)
    .sort()
  const last = versions.at(-1)
  if (!last) throw new Error(`No migration in ${dir}`)
  return last
}

/** `0.1.0` < `0.2.0` < `0.10.0`; the part after `+` only names the commit. */
export function compareReleases(a: string, b: string): number {
  const parts = (release: string) => (release.split('+')[0] ?? '').split('.').map((n) => Number(n))
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0)
    if (difference !== 0) return difference
  }
  return a.localeCompare(b)
}

/** The records committed so far, oldest release first. */
export function readRecords(dir = recordsDir): QueryRecord[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as QueryRecord)
    .sort((a, b) => compareReleases(a.release, b.release))
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
}

function main(argv: string[]): void {
  const option = (flag: string) => {
    const index = argv.indexOf(flag)
    return index >= 0 ? argv[index + 1] : undefined
  }
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version
  let label = option('--label')
  if (!label) {
    label = `${version}+${git('rev-parse', '--short=7', 'HEAD')}`
    // A record is the code of a commit: uncommitted changes under src/ would make it a lie.
    if (git('status', '--porcelain', '--', 'src') !== '') {
      process.stderr.write('src/ has uncommitted changes: the record is labelled .dirty\n')
      label += '.dirty'
    }
  }
  const record: QueryRecord = {
    release: label,
    lastMigration: lastMigrationVersion(),
    queries: collectQueries(),
  }
  const json = `${JSON.stringify(record, null, 2)}\n`
  if (argv.includes('--print')) {
    process.stdout.write(json)
    return
  }
  const out = option('--out') ?? path.join(recordsDir, `${label}.json`)
  mkdirSync(path.dirname(out), { recursive: true })
  writeFileSync(out, json)
  process.stdout.write(
    `${record.queries.length} named queries of ${label} (migrations up to ${record.lastMigration}) → ${path.relative(root, out)}\n`,
  )
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}
