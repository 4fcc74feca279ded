/**
 * Secrets at rest: AES-256-GCM with a key id in every ciphertext, bound to a context, and the
 * laptop default key generated once into the data folder.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { type Config, loadConfig } from '../../src/config/index.js'
import { createSecretBox, LOCAL_KEY_FILE, SecretError, secretBoxFromConfig } from '../../src/infra/secrets.js'

const k1 = { kid: 'k1', key: randomBytes(32) }
const k2 = { kid: 'k2', key: randomBytes(32) }

describe('secret box', () => {
  it('seals and opens; every sealing is different', () => {
    const box = createSecretBox([k1])
    const a = box.seal('webhook secret', 'agent:1:webhook')
    const b = box.seal('webhook secret', 'agent:1:webhook')
    expect(a).not.toBe(b)
    expect(a).not.toContain('webhook secret')
    expect(a.startsWith('v1.k1.')).toBe(true)
    expect(box.open(a, 'agent:1:webhook')).toBe('webhook secret')
  })

  it('refuses another context, a tampered ciphertext, an unknown key, garbage', () => {
    const box = createSecretBox([k1])
    const sealed = box.seal('s3cret', 'ctx-a')
    expect(() => box.open(sealed, 'ctx-b')).toThrow(SecretError)
    const parts = sealed.split('.')
    const data = Buffer.from(parts[3] as string, 'base64url')
    data[0] = (data[0] as number) ^ 1
    parts[3] = data.toString('base64url')
    expect(() => box.open(parts.join('.'), 'ctx-a')).toThrow(SecretError)
    expect(() => createSecretBox([k2]).open(sealed, 'ctx-a')).toThrow(/k1/)
    expect(() => box.open('not sealed', 'ctx-a')).toThrow(SecretError)
  })

  it('rotates: a new active key seals, the old one still opens', () => {
    const old = createSecretBox([k1])
    const sealed = old.seal('kept', 'ctx')
    const rotated = createSecretBox([k1, k2], 'k2')
    expect(rotated.open(sealed, 'ctx')).toBe('kept')
    const fresh = rotated.seal('new', 'ctx')
    expect(rotated.kidOf(fresh)).toBe('k2')
    expect(() => old.open(fresh, 'ctx')).toThrow(SecretError)
  })

  it('configuration: a key ring, the active id, and clear errors', () => {
    const config = loadConfig({
      ENCRYPTION_KEYS: `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}`,
      ENCRYPTION_KEY_ID: 'b',
    })
    expect(secretBoxFromConfig(config).activeKid).toBe('b')
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'a:c2hvcnQ=' })).toThrow(
      /ENCRYPTION_KEYS key 'a' must be 32 bytes/,
    )
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'no-colon' })).toThrow(/ENCRYPTION_KEYS entries must be/)
    expect(() =>
      loadConfig({ ENCRYPTION_KEYS: `a:${k1.key.toString('base64')}`, ENCRYPTION_KEY_ID: 'z' }),
    ).toThrow(/ENCRYPTION_KEY_ID must name a key/)
    // A readable file, so the pairing is what is refused.
    expect(() => loadConfig({ TLS_CERT_FILE: fileURLToPath(import.meta.url) })).toThrow(
      /TLS_CERT_FILE and TLS_KEY_FILE/,
    )
  })
})

describe('the laptop default key', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dm-secrets-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('is generated once into .data/ (owner-only) and reused', () => {
    const config: Config = { ...loadConfig({}), projectRoot: root }
    const file = path.join(root, LOCAL_KEY_FILE)
    expect(existsSync(file)).toBe(false)
    const first = secretBoxFromConfig(config)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const content = readFileSync(file, 'utf8')
    const sealed = first.seal('survives restarts', 'ctx')
    const second = secretBoxFromConfig(config)
    expect(readFileSync(file, 'utf8')).toBe(content)
    expect(second.open(sealed, 'ctx')).toBe('survives restarts')
  })
})
