import { describe, expect, it } from 'vitest'
import { cleanFilename, contentDisposition } from '../../src/domain/content-disposition.js'

describe('evidence file names', () => {
  it('keeps the last path segment, without control characters or quotes', () => {
    expect(cleanFilename('../../etc/passwd', 'x')).toBe('passwd')
    expect(cleanFilename('C:\\Users\\me\\report.pdf', 'x')).toBe('report.pdf')
    expect(cleanFilename('a\r\nb"c\u0000.txt', 'x')).toBe('abc.txt')
    expect(cleanFilename('été.png', 'x')).toBe('été.png')
    expect(cleanFilename('n'.repeat(300), 'x')).toHaveLength(255)
  })

  it('falls back when nothing is left', () => {
    for (const raw of [undefined, '', '   ', '..', '/', 'dir/', '\u0001']) {
      expect(cleanFilename(raw, 'evidence-abc')).toBe('evidence-abc')
    }
  })

  it('writes an ASCII filename and the exact UTF-8 name in filename* (RFC 6266, RFC 8187)', () => {
    expect(contentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    )
    expect(contentDisposition('a b\\c€.txt')).toBe(
      `attachment; filename="a b_c_.txt"; filename*=UTF-8''a%20b%5Cc%E2%82%AC.txt`,
    )
    // Characters outside attr-char are encoded, so nothing can end the parameter early.
    expect(contentDisposition("x';y=z.txt")).toBe(
      `attachment; filename="x';y=z.txt"; filename*=UTF-8''x%27%3By%3Dz.txt`,
    )
  })
})
