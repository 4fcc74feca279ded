/**
 * What a denial tells the caller, the resolver relation, and the pure username and password
 * rules, with exact outputs.
 */
import { describe, expect, it } from 'vitest'
import { authorize } from '../../src/domain/identity/authorize.js'
import { weakPasswordReasons } from '../../src/domain/identity/password-policy.js'
import type { Principal, Scope } from '../../src/domain/identity/principal.js'
import {
  isValidUsername,
  normalizeUsername,
  USERNAME_PATTERN,
  usernameBase,
  usernameCandidates,
} from '../../src/domain/identity/username.js'

const ALICE = '00000000-0000-4000-8000-00000000000a'
const BOB = '00000000-0000-4000-8000-00000000000b'
const session = (userId: string): Principal => ({
  userId,
  role: 'user',
  via: 'session',
  scopes: new Set<Scope>(['read', 'trade', 'agents']),
})
const key = (userId: string, scopes: Scope[]): Principal => ({
  userId,
  role: 'user',
  via: 'api_key',
  scopes: new Set(scopes),
})

describe('denials say why', () => {
  it('anonymous callers are asked to authenticate', () => {
    expect(authorize(null, 'me.read')).toEqual({
      allowed: false,
      reason: 'unauthenticated',
      status: 401,
      detail: 'Authentication is required',
    })
  })

  it('a key is told to sign in for session-only actions, with the action in words', () => {
    expect(authorize(key(ALICE, ['read', 'trade', 'agents']), 'api_key.create')).toEqual({
      allowed: false,
      reason: 'session_required',
      status: 403,
      detail: 'API keys cannot create api key; sign in instead',
    })
  })

  it('a key without the scope is told which scope', () => {
    expect(authorize(key(ALICE, ['read']), 'market.trade')).toEqual({
      allowed: false,
      reason: 'missing_scope',
      status: 403,
      detail: "This API key lacks the 'trade' scope",
    })
  })

  it('a caller without the relation is told who may act', () => {
    expect(authorize(session(BOB), 'market.resolve', { ownerId: ALICE, resolverId: ALICE })).toEqual({
      allowed: false,
      reason: 'not_permitted',
      status: 403,
      detail: 'Only the resolver or admin may resolve market',
    })
    expect(authorize(session(BOB), 'agent.report_outcome', { ownerId: ALICE })).toMatchObject({
      detail: 'Only the owner or admin may report outcome agent',
    })
  })
})

describe('the resolver relation', () => {
  it('is the resolver named by the facts, and nobody when none is named', () => {
    expect(authorize(session(BOB), 'market.resolve', { ownerId: ALICE, resolverId: BOB }).allowed).toBe(true)
    expect(authorize(session(BOB), 'market.resolve', { ownerId: BOB, resolverId: ALICE }).allowed).toBe(false)
    expect(authorize(session(BOB), 'market.resolve', { ownerId: BOB }).allowed).toBe(false)
    expect(authorize(session(BOB), 'market.resolve', { resolverId: null }).allowed).toBe(false)
  })

  it('an owner relation needs an owner', () => {
    expect(authorize(session(BOB), 'market.close', {}).allowed).toBe(false)
    expect(authorize(session(BOB), 'market.close', { ownerId: null }).allowed).toBe(false)
  })

  it('a user with no userId match is still a user', () => {
    expect(authorize(session(BOB), 'market.create').allowed).toBe(true)
    expect(authorize(null, 'profile.read').allowed).toBe(true)
  })
})

describe('passwords', () => {
  it('too short, one repeated character, both, or neither', () => {
    expect(weakPasswordReasons('abc', 8)).toEqual(['length'])
    expect(weakPasswordReasons('aaaaaaaaaa', 8)).toEqual(['characters'])
    expect(weakPasswordReasons('aaa', 8)).toEqual(['length', 'characters'])
    expect(weakPasswordReasons('correct horse', 8)).toEqual([])
    expect(weakPasswordReasons('', 0)).toEqual([])
    expect(weakPasswordReasons('abcdefgh', 8)).toEqual([])
  })

  it('counts characters, not UTF-16 units', () => {
    // Four emoji are eight UTF-16 units but four characters.
    expect(weakPasswordReasons('😀😁😂🤣', 5)).toEqual(['length'])
    expect(weakPasswordReasons('😀😁😂🤣', 4)).toEqual([])
  })
})

describe('usernames', () => {
  it('3–24 of letters, digits and underscores', () => {
    expect(USERNAME_PATTERN).toBe('^[A-Za-z0-9_]{3,24}$')
    expect(isValidUsername('ab_9')).toBe(true)
    expect(isValidUsername('ab')).toBe(false)
    expect(isValidUsername('a'.repeat(25))).toBe(false)
    expect(isValidUsername('a-b-c')).toBe(false)
    expect(normalizeUsername('Ada_Lovelace')).toBe('ada_lovelace')
  })

  it('a base from the preferred name, else the email’s local part, cleaned and cut to 18', () => {
    expect(usernameBase('Ada Lovelace!', 'x@y.z')).toBe('ada_lovelace')
    expect(usernameBase(undefined, 'Grace.Hopper@navy.mil')).toBe('grace_hopper')
    expect(usernameBase('__a very long preferred name indeed__', undefined)).toBe('a_very_long_prefer')
    expect(usernameBase('Zoë', undefined)).toBe('user_zo')
    expect(usernameBase(undefined, undefined)).toBe('user')
    expect(usernameBase('!!', undefined)).toBe('user')
    expect(usernameBase('abc', undefined)).toBe('abc')
    // Runs of other characters become one underscore; underscores at the ends all go.
    expect(usernameBase('a  b!!c', undefined)).toBe('a_b_c')
    expect(usernameBase('__abc_!', undefined)).toBe('abc')
  })

  it('candidates: the base, then base_suffix cut to 24', () => {
    expect(usernameCandidates('ada', ['x1', 'y2'])).toEqual(['ada', 'ada_x1', 'ada_y2'])
    expect(usernameCandidates('a'.repeat(18), ['123456789'])).toEqual([
      'a'.repeat(18),
      `${'a'.repeat(18)}_12345`,
    ])
  })
})
