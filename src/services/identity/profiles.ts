/**
 * Profiles: the public face of a user (username, display name). Created on sign-up (local
 * mode) or on a user's first authenticated request (Supabase mode, where sign-up happens
 * elsewhere), by `ensureProfile`, in the caller's transaction.
 */
import { randomBytes } from 'node:crypto'
import { type Queryable, sql } from '../../db/database.js'
import { DatabaseError } from '../../db/errors.js'
import { normalizeUsername, usernameBase, usernameCandidates } from '../../domain/identity/username.js'
import { ErrorCode, errors } from '../../errors/codes.js'
import { grantSignupCredits } from '../money/issuance.js'
import type { MoneyTransaction } from '../money/transaction.js'

export interface ProfileRow {
  user_id: string
  username: string
  display_name: string
  created_at: Date
  updated_at: Date
}

const PROFILE_COLUMNS = 'user_id, username, display_name, created_at, updated_at'

const FindProfile = sql<ProfileRow>(
  'FindProfile',
  `select ${PROFILE_COLUMNS} from public.profiles where user_id = $1`,
)

// No conflict target: a taken user_id (someone else created it first) and a taken username
// both end in "nothing inserted", without aborting the caller's transaction.
const InsertProfile = sql<ProfileRow>(
  'InsertProfile',
  `insert into public.profiles (user_id, username, display_name, created_at, updated_at)
   values ($1, $2, $3, $4, $4)
   on conflict do nothing
   returning ${PROFILE_COLUMNS}`,
)

export interface ProfileSeed {
  readonly id: string
  readonly email?: string | null
  /** The user's metadata (`data` at sign-up): `username`, `display_name`, `full_name`, `name`. */
  readonly metadata?: Record<string, unknown> | null
}

export interface EnsuredProfile {
  readonly profile: ProfileRow
  /** True when this call created it: the place to do what happens once per user. */
  readonly created: boolean
}

const MAX_ATTEMPTS = 8

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined
}

/** `signupCredits`: granted from issuance when the profile is new (SIGNUP_GRANT_CREDITS), once per user. */
export async function ensureProfile(
  m: MoneyTransaction,
  user: ProfileSeed,
  now: Date,
  signupCredits = 0n,
): Promise<EnsuredProfile> {
  const { tx } = m
  const existing = await tx.maybeOne(FindProfile, [user.id])
  if (existing) return { profile: existing, created: false }

  const metadata = user.metadata ?? {}
  const base = usernameBase(text(metadata.username), user.email ?? undefined)
  const displayName = (
    text(metadata.display_name) ??
    text(metadata.full_name) ??
    text(metadata.name) ??
    base
  ).slice(0, 64)
  const suffixes = Array.from({ length: MAX_ATTEMPTS - 1 }, () => randomBytes(3).toString('hex'))
  for (const username of usernameCandidates(base, suffixes)) {
    const inserted = await tx.maybeOne(InsertProfile, [user.id, username, displayName, now])
    if (inserted) {
      // The profile is new: this is the user's first appearance here. What is granted once per
      // user (the sign-up credits of issue 4) is posted here, in this same transaction.
      await grantSignupCredits(m, user.id, signupCredits, now)
      return { profile: inserted, created: true }
    }
    // Either a concurrent request created this user's profile, or the username is taken.
    const raced = await tx.maybeOne(FindProfile, [user.id])
    if (raced) return { profile: raced, created: false }
  }
  throw errors.conflict('No free username could be generated; retry')
}

export async function findProfile(q: Queryable, userId: string): Promise<ProfileRow | undefined> {
  return q.maybeOne(FindProfile, [userId])
}

const FindProfileByUsername = sql<ProfileRow>(
  'FindProfileByUsername',
  `select ${PROFILE_COLUMNS} from public.profiles where username = $1`,
)

export async function findProfileByUsername(q: Queryable, username: string): Promise<ProfileRow | undefined> {
  return q.maybeOne(FindProfileByUsername, [normalizeUsername(username)])
}

const UpdateProfile = sql<ProfileRow>(
  'UpdateProfile',
  `update public.profiles
      set username = coalesce($2, username),
          display_name = coalesce($3, display_name),
          updated_at = $4
    where user_id = $1
   returning ${PROFILE_COLUMNS}`,
)

export async function updateProfile(
  q: Queryable,
  userId: string,
  changes: { username?: string | undefined; displayName?: string | undefined },
  now: Date,
): Promise<ProfileRow> {
  const displayName = changes.displayName?.trim()
  if (displayName === '') {
    throw errors.validation('display_name must not be blank', [
      { field: '/body/display_name', message: 'must not be blank' },
    ])
  }
  try {
    const row = await q.maybeOne(UpdateProfile, [
      userId,
      changes.username === undefined ? null : normalizeUsername(changes.username),
      displayName ?? null,
      now,
    ])
    if (!row) throw errors.notFound('Profile')
    return row
  } catch (error) {
    if (error instanceof DatabaseError && error.failure === 'conflict') {
      throw errors.conflict(`The username '${changes.username}' is taken`, ErrorCode.UsernameTaken)
    }
    throw error
  }
}
