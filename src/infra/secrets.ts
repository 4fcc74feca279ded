/**
 * Secrets at rest: AES-256-GCM with a key ring from configuration. Every ciphertext names the
 * key that sealed it, so a new key can be made active while the old ones still open what they
 * sealed (rotation without a flag day). Used for the local signing key and agent secrets.
 *
 * Format: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url parts). The caller passes a context
 * string (e.g. `signing_key:<kid>`) bound as additional authenticated data, so a ciphertext
 * copied into another row or column does not decrypt there.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Config, EncryptionKey } from '../config/index.js'
import type { Logger } from './logger.js'

const VERSION = 'v1'
const IV_BYTES = 12

export class SecretError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'SecretError'
  }
}

export interface SecretBox {
  /** The key id new secrets are sealed with. */
  readonly activeKid: string
  seal(plaintext: string, context: string): string
  /** Throws SecretError when the key is unknown or the ciphertext or context do not match. */
  open(sealed: string, context: string): string
  /** The key id a sealed value names (to find values that still need re-sealing). */
  kidOf(sealed: string): string
  /**
   * A 32-byte key for one purpose (HMAC of signed links), derived from the active key with
   * HKDF-SHA256: the same on every replica that shares ENCRYPTION_KEYS, never the key itself.
   */
  deriveKey(purpose: string): Buffer
}

export function createSecretBox(keys: readonly EncryptionKey[], activeKid = keys[0]?.kid): SecretBox {
  const ring = new Map(keys.map((k) => [k.kid, k.key]))
  if (!activeKid || !ring.has(activeKid))
    throw new SecretError('The active encryption key is not in the key ring')
  const active = ring.get(activeKid) as Buffer

  const parse = (sealed: string) => {
    const parts = sealed.split('.')
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretError('Not a sealed secret')
    const [, kid, iv, data, tag] = parts as [string, string, string, string, string]
    return { kid, iv, data, tag }
  }

  return {
    activeKid,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', active, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [VERSION, activeKid, iv, data, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.')
    },
    open(sealed, context) {
      const { kid, iv, data, tag } = parse(sealed)
      const key = ring.get(kid)
      if (!key) throw new SecretError(`Encryption key '${kid}' is not configured (ENCRYPTION_KEYS)`)
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
          'utf8',
        )
      } catch (error) {
        throw new SecretError('The secret cannot be decrypted (wrong key, context or tampered data)', {
          cause: error,
        })
      }
    },
    kidOf(sealed) {
      return parse(sealed).kid
    },
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', active, Buffer.alloc(0), `decision-markets:${purpose}`, 32))
    },
  }
}

export const LOCAL_KEY_FILE = '.data/encryption-keys'

/**
 * The key ring from ENCRYPTION_KEYS, or, with nothing configured (a laptop), a key generated
 * once into `.data/encryption-keys` and reused by every later start. Losing that file makes
 * the secrets sealed with it unreadable (the local signing key is then regenerated).
 */
export function secretBoxFromConfig(config: Config, log?: Logger): SecretBox {
  if (config.ENCRYPTION_KEYS && config.ENCRYPTION_KEYS.length > 0) {
    return createSecretBox(config.ENCRYPTION_KEYS, config.ENCRYPTION_KEY_ID)
  }
  const file = path.resolve(config.projectRoot, LOCAL_KEY_FILE)
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true })
    try {
      // 'wx': of two processes starting at once, one writes and the other reads its key.
      writeFileSync(file, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
      log?.warn({ file }, 'generated a local encryption key; set ENCRYPTION_KEYS in production')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  const keys = readFileSync(file, 'utf8')
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((entry) => {
      const [kid, base64] = entry.split(':')
      const key = Buffer.from(base64 ?? '', 'base64')
      if (!kid || key.length !== 32) throw new SecretError(`${file} holds a malformed key entry`)
      return { kid, key }
    })
  return createSecretBox(keys)
}
