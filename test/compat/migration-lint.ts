/**
 * The migration lint of docs/operations/migrations.md: a migration written after the previous
 * release may not contract the schema (drop, rename, change a type, tighten to NOT NULL) unless
 * the statement carries a `-- contract: <release>` comment naming the release that stopped using
 * what it removes. The marker is a claim a reviewer can check; the previous release's queries
 * (previous-release.test.ts) check it against the schema.
 *
 * SQL is read as tokens, not lines: comments and quoted strings are set aside first, so a comment
 * saying "we will drop column x later" or a message 'cannot rename' does not count, and a
 * statement's own comments (before it or inside it) are where its marker is looked for. Dollar-
 * quoted bodies (functions, DO blocks) are read as SQL too: DDL in a DO block counts. Dynamic
 * SQL (`execute 'alter table …'`) is a string and is not seen.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

export interface Statement {
  /** The code alone, lower case, whitespace collapsed, strings replaced by '' and identifiers by "". */
  code: string
  /** Its comments: those between the previous statement's `;` and its own. */
  comments: string[]
  /** 1-based line of its first token. */
  line: number
}

/** The statements of `sql`, and the comments after the last one. */
function split(sql: string): { statements: Statement[]; trailingComments: string[] } {
  const statements: Statement[] = []
  let code = ''
  let comments: string[] = []
  let firstLine = 0
  let line = 1
  let i = 0
  const emit = (text: string) => {
    if (firstLine === 0 && text.trim() !== '') firstLine = line
    code += text
  }
  const end = () => {
    const text = code.replace(/\s+/g, ' ').trim().toLowerCase()
    if (text !== '') statements.push({ code: text, comments, line: firstLine })
    const left = text === '' ? comments : []
    code = ''
    comments = []
    firstLine = 0
    return left
  }
  while (i < sql.length) {
    const c = sql[i] as string
    const dollarTag =
      c === '$' && !/\w/.test(sql[i - 1] ?? '') ? /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i)) : null
    if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i)
      const stop = newline < 0 ? sql.length : newline
      comments.push(sql.slice(i + 2, stop).trim())
      i = stop
    } else if (sql.startsWith('/*', i)) {
      let depth = 0
      let j = i
      do {
        if (sql.startsWith('/*', j)) {
          depth++
          j += 2
        } else if (sql.startsWith('*/', j)) {
          depth--
          j += 2
        } else j++
      } while (depth > 0 && j < sql.length)
      comments.push(sql.slice(i + 2, j - 2).trim())
      line += sql.slice(i, j).split('\n').length - 1
      emit(' ')
      i = j
    } else if (
      c === "'" ||
      ((c === 'e' || c === 'E') && sql[i + 1] === "'" && !/\w/.test(sql[i - 1] ?? ''))
    ) {
      // '…' with '' for a quote; E'…' also with backslash escapes.
      const backslashes = c !== "'"
      let j = c === "'" ? i + 1 : i + 2
      for (; j < sql.length; j++) {
        if (backslashes && sql[j] === '\\') j++
        else if (sql[j] === "'" && sql[j + 1] === "'") j++
        else if (sql[j] === "'") break
      }
      line += sql.slice(i, j).split('\n').length - 1
      emit("''")
      i = j + 1
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1)
      emit('""')
      i = close < 0 ? sql.length : close + 1
    } else if (dollarTag) {
      const tag = dollarTag[0]
      const close = sql.indexOf(tag, i + tag.length)
      const stop = close < 0 ? sql.length : close
      const body = split(sql.slice(i + tag.length, stop))
      emit(` $$ ${body.statements.map((s) => s.code).join('; ')} $$ `)
      comments.push(...body.statements.flatMap((s) => s.comments), ...body.trailingComments)
      line += sql.slice(i, stop).split('\n').length - 1
      i = stop + tag.length
    } else if (c === ';') {
      end()
      i++
    } else {
      if (c === '\n') line++
      emit(c)
      i++
    }
  }
  return { statements, trailingComments: end() }
}

export function statements(sql: string): Statement[] {
  return split(sql).statements
}

/**
 * What the previous release may still be using when the new one migrates. Each one is a
 * contracting change: fine in the release after the last one that used the old shape, with
 * the marker saying which release that is.
 */
export const CONTRACTING: { kind: string; pattern: RegExp }[] = [
  // ALTER TABLE … DROP [COLUMN] x; not DROP CONSTRAINT (below), nor ALTER COLUMN x DROP NOT NULL,
  // DROP DEFAULT, DROP IDENTITY or DROP EXPRESSION, which relax.
  {
    kind: 'DROP COLUMN',
    pattern: /\balter table\b[^;]*\bdrop (?!constraint\b|not null\b|default\b|identity\b|expression\b)/,
  },
  { kind: 'RENAME', pattern: /\brename\b/ },
  { kind: 'ALTER COLUMN … TYPE', pattern: /\balter (column )?\S+ (set data )?type\b/ },
  { kind: 'ALTER TYPE … DROP/ALTER ATTRIBUTE', pattern: /\balter type \S+ (drop|alter) attribute\b/ },
  {
    kind: 'DROP TABLE/VIEW/FUNCTION/TYPE',
    pattern: /\bdrop (table|view|materialized view|function|procedure|type|domain|schema|sequence)\b/,
  },
  // The previous release's INSERTs that leave the column out would fail.
  { kind: 'SET NOT NULL', pattern: /\bset not null\b/ },
  // ON CONFLICT (cols) needs its unique index, and PREPARE does not check that (the arbiter
  // index is chosen by the planner, at execution).
  { kind: 'DROP INDEX/CONSTRAINT', pattern: /\bdrop (index|constraint)\b/ },
]

const MARKER = /^contract:\s*(\S+)/i

export interface Violation {
  file: string
  line: number
  kind: string
  message: string
}

/**
 * Lints one migration's SQL. `releases` are the recorded releases (`0.1.0+6fa1e1d`); a marker may
 * name one by its label or its version (`0.1.0`).
 */
export function lintMigration(file: string, sql: string, releases: readonly string[]): Violation[] {
  const known = new Set(releases.flatMap((release) => [release, release.split('+')[0] as string]))
  const violations: Violation[] = []
  for (const statement of statements(sql)) {
    const kinds = CONTRACTING.filter(({ pattern }) => pattern.test(statement.code)).map((c) => c.kind)
    if (kinds.length === 0) continue
    const markers = statement.comments.map((c) => MARKER.exec(c)?.[1]).filter((m): m is string => !!m)
    const kind = kinds.join(', ')
    if (markers.length === 0) {
      violations.push({
        file,
        line: statement.line,
        kind,
        message:
          `${file}:${statement.line}: ${kind} without a '-- contract: <release>' comment naming the ` +
          'release that stopped using what it removes (docs/operations/migrations.md)',
      })
    }
    for (const marker of markers.filter((m) => !known.has(m))) {
      violations.push({
        file,
        line: statement.line,
        kind,
        message:
          `${file}:${statement.line}: '-- contract: ${marker}' names no recorded release ` +
          `(test/compat/queries: ${[...releases].join(', ') || 'none'})`,
      })
    }
  }
  return violations
}

/** Every migration of `dir` newer than `after` (a 14-digit version), linted. */
export function lintMigrationsAfter(dir: string, after: string, releases: readonly string[]): Violation[] {
  return readdirSync(dir)
    .filter((file) => /^\d{14}_.*\.sql$/.test(file) && file.slice(0, 14) > after)
    .sort()
    .flatMap((file) => lintMigration(file, readFileSync(path.join(dir, file), 'utf8'), releases))
}
