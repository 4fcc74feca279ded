/**
 * Usernames: lowercase letters, digits and underscores, 3–24 characters, unique without regard
 * to case (stored lowercase). Generated from what a user gave at sign-up, changeable later.
 */
export const USERNAME_PATTERN = '^[A-Za-z0-9_]{3,24}$'
const USERNAME = new RegExp(USERNAME_PATTERN)

export function isValidUsername(value: string): boolean {
  return USERNAME.test(value)
}

export function normalizeUsername(value: string): string {
  return value.toLowerCase()
}

/** A base name from a preferred username or an email's local part: always valid, ≤ 18 chars. */
export function usernameBase(preferred: string | undefined, email: string | undefined): string {
  const source = preferred ?? email?.split('@')[0] ?? ''
  const cleaned = source
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 18)
  return cleaned.length >= 3 ? cleaned : `user${cleaned ? `_${cleaned}` : ''}`
}

/**
 * Candidates in the order they are tried: the base itself, then the base with a suffix (the
 * caller supplies the random suffixes, so this stays pure and testable).
 */
export function usernameCandidates(base: string, suffixes: readonly string[]): string[] {
  return [base, ...suffixes.map((suffix) => `${base}_${suffix}`.slice(0, 24))]
}
