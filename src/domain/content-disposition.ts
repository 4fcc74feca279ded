/**
 * `Content-Disposition: attachment` for a user-supplied file name (RFC 6266): a plain ASCII
 * `filename` for old clients and the exact name as UTF-8 in `filename*` (RFC 8187). Quotes,
 * backslashes, control characters and path separators never reach the header.
 */

/** The name as kept: no path, no control characters, at most 255 characters; never empty. */
export function cleanFilename(raw: string | undefined, fallback: string): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? ''
  const cleaned = Array.from(base)
    .filter((char) => char !== '"' && char.charCodeAt(0) > 0x1f && char.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 255)
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned
}

// RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded.
function encodeRfc8187(value: string): string {
  return Array.from(new TextEncoder().encode(value), (byte) => {
    const char = String.fromCharCode(byte)
    return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
}

export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(filename)}`
}
