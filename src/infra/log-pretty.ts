/**
 * Readable log lines for a terminal, from the JSON lines pino writes:
 *   17:33:25.123 INFO  http  request completed  reqId=9f2c… res.statusCode=200 responseTime=1.4
 * with an error's stack under its line. A pino destination of our own rather than pino-pretty
 * (a dozen packages, and its transport starts a worker thread at boot). Only LOG_FORMAT=pretty
 * (or auto on a terminal) routes lines through it; in JSON mode pino writes to stdout directly
 * and nothing here runs. Parsing each line back is a cost a person at a terminal never notices.
 */

const LEVELS: Record<string, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
}
const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
}
const RESET = '\x1b[0m'
const DIM = '\x1b[2m'
/** Fields every line has, printed in the prefix or not at all. */
const PREFIX_FIELDS = new Set(['level', 'time', 'msg', 'component', 'service'])

export interface LogSink {
  write(text: string): unknown
}

/** Flattens `{ res: { statusCode: 200 } }` into `res.statusCode=200`. */
function fields(value: Record<string, unknown>, prefix: string, out: string[]) {
  for (const [key, item] of Object.entries(value)) {
    if (prefix === '' && (PREFIX_FIELDS.has(key) || key === 'err')) continue
    const name = prefix ? `${prefix}.${key}` : key
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      fields(item as Record<string, unknown>, name, out)
    } else {
      out.push(`${name}=${typeof item === 'string' && !/[\s"=]/.test(item) ? item : JSON.stringify(item)}`)
    }
  }
}

export function formatPrettyLine(line: string, colors: boolean): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`
  }
  const level = String(entry.level ?? 'info')
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : ''
  const label = LEVELS[level] ?? level.toUpperCase()
  const component = typeof entry.component === 'string' ? ` ${entry.component}` : ''
  const rest: string[] = []
  fields(entry, '', rest)
  const err = entry.err as { type?: string; message?: string; stack?: string } | undefined
  const stack = err
    ? `\n    ${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).replace(/\n/g, '\n    ')}`
    : ''
  const tail = rest.length > 0 ? `  ${rest.join(' ')}` : ''
  if (!colors) return `${time} ${label}${component}  ${String(entry.msg ?? '')}${tail}${stack}\n`
  const color = COLORS[level] ?? ''
  return `${DIM}${time}${RESET} ${color}${label}${RESET}${DIM}${component}${RESET}  ${String(entry.msg ?? '')}${DIM}${tail}${RESET}${stack}\n`
}

/** A pino destination that writes each JSON line to `sink` as a readable line. */
export function prettyDestination(sink: LogSink, options: { colors: boolean }) {
  return {
    write(chunk: string) {
      // pino writes one line per call; a chunk with several (a flushed buffer) is split.
      for (const line of chunk.split('\n')) if (line) sink.write(formatPrettyLine(line, options.colors))
    },
  }
}
