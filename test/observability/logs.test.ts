/**
 * Log formats: JSON lines for collectors, readable lines on a terminal, chosen by LOG_FORMAT
 * (auto: pretty only on a TTY outside production). The same fields in both.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { formatPrettyLine } from '../../src/infra/log-pretty.js'
import { createLogger, resolveLogFormat } from '../../src/infra/logger.js'

function capture() {
  const lines: string[] = []
  return { lines, destination: { write: (text: string) => void lines.push(text) } }
}

describe('LOG_FORMAT', () => {
  it('auto is pretty only at a terminal outside production', () => {
    expect(resolveLogFormat('auto', { isTTY: true, nodeEnv: undefined })).toBe('pretty')
    expect(resolveLogFormat('auto', { isTTY: true, nodeEnv: 'development' })).toBe('pretty')
    expect(resolveLogFormat('auto', { isTTY: true, nodeEnv: 'production' })).toBe('json')
    expect(resolveLogFormat('auto', { isTTY: false, nodeEnv: undefined })).toBe('json')
    expect(resolveLogFormat('pretty', { isTTY: false, nodeEnv: 'production' })).toBe('pretty')
    expect(resolveLogFormat('json', { isTTY: true, nodeEnv: undefined })).toBe('json')
    expect(loadConfig({}).LOG_FORMAT).toBe('auto')
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be one of auto, json, pretty/)
  })

  it('json: one JSON object a line, stable fields, secrets redacted', () => {
    const { lines, destination } = capture()
    const format = resolveLogFormat(loadConfig({ LOG_FORMAT: 'json' }).LOG_FORMAT)
    const log = createLogger('info', { format, destination })
    log
      .child({ component: 'http' })
      .info({ reqId: 'r-1', req: { headers: { authorization: 'Bearer x' } } }, 'hi')
    expect(lines).toHaveLength(1)
    const entry = JSON.parse(lines[0] as string)
    expect(entry).toMatchObject({
      level: 'info',
      service: 'decision-markets',
      component: 'http',
      reqId: 'r-1',
      msg: 'hi',
      req: { headers: { authorization: '[redacted]' } },
    })
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('pretty: time, level, component, message, then the fields flattened; an error its stack', () => {
    const { lines, destination } = capture()
    const format = resolveLogFormat(loadConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT)
    const log = createLogger('info', { format, destination })
    log
      .child({ component: 'http' })
      .warn(
        { reqId: 'r-2', res: { statusCode: 404 }, note: 'two words', req: { headers: { apikey: 'k' } } },
        'request failed',
      )
    log.error({ err: new Error('boom') }, 'unexpected error')
    log.debug('below the level')
    expect(lines).toHaveLength(2)
    const [first, second] = lines as [string, string]
    expect(() => JSON.parse(first)).toThrow()
    expect(first).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}http {2}request failed {2}reqId=r-2 res\.statusCode=404 note="two words" req\.headers\.apikey=\[redacted\]\n$/,
    )
    // Not a terminal: no colour codes in what is written.
    expect(first).not.toContain('\x1b[')
    expect(second).toMatch(/ERROR {2}unexpected error\n {4}Error: boom\n {8}at /)
  })

  it('pretty keeps a line that is not JSON as it is, and colours a TTY', () => {
    expect(formatPrettyLine('plain text', false)).toBe('plain text\n')
    const coloured = formatPrettyLine(
      JSON.stringify({ level: 'error', time: '2026-01-01T10:11:12.345Z', msg: 'm' }),
      true,
    )
    expect(coloured).toContain('\x1b[31mERROR')
    expect(coloured).toContain('10:11:12.345')
  })
})
