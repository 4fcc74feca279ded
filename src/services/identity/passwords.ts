/**
 * Password hashing: argon2id (memory-hard) through @node-rs/argon2, which runs off the event
 * loop. The cost comes from configuration so tests can run with a cheap one; hashes carry their
 * parameters, so raising the cost later keeps old hashes verifiable.
 */
import { hash, verify } from '@node-rs/argon2'
import type { Config } from '../../config/index.js'

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(hashed: string, password: string): Promise<boolean>
  /**
   * Spends the time of one verification without a user, so a sign-in for an unknown email
   * takes as long as one with a wrong password (no account enumeration by timing).
   */
  verifyNothing(password: string): Promise<void>
}

export function createPasswordHasher(config: Config): PasswordHasher {
  const options = { memoryCost: config.AUTH_ARGON2_MEMORY_KIB, timeCost: config.AUTH_ARGON2_TIME_COST }
  let dummy: Promise<string> | undefined
  return {
    hash: (password) => hash(password, options),
    async verify(hashed, password) {
      try {
        return await verify(hashed, password)
      } catch {
        // A malformed stored hash (e.g. an account created elsewhere without a password).
        return false
      }
    },
    async verifyNothing(password) {
      dummy ??= hash('no such user', options)
      await verify(await dummy, password).catch(() => false)
    },
  }
}
