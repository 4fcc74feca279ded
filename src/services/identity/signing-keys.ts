/**
 * The local auth's ES256 signing key: generated at first start, the private part sealed with
 * AES-256-GCM (src/infra/secrets.ts) before it is stored, and shared by every instance through
 * the database. The public keys are served as the JWKS, so supabase-js's getClaims() and any
 * other verifier can check our tokens without asking us.
 */
import { randomUUID } from 'node:crypto'
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Database } from '../../db/database.js'
import { sql, type Transaction } from '../../db/database.js'
import type { SecretBox } from '../../infra/secrets.js'

export const SIGNING_ALG = 'ES256'

export interface SigningKey {
  readonly kid: string
  readonly privateKey: CryptoKey
}

export interface LocalKeys {
  /** The key new tokens are signed with. */
  readonly current: SigningKey
  /** Every key whose tokens may still be live, public parts only. */
  readonly jwks: { keys: JWK[] }
}

interface KeyRow {
  kid: string
  public_jwk: JWK
  private_jwk_sealed: string
  created_at: Date
}

// Keys retired less than a day ago stay published: no token lives longer than a day.
const ListLiveKeys = sql<KeyRow>(
  'ListLiveKeys',
  `select kid, public_jwk, private_jwk_sealed, created_at
     from app_private.signing_keys
    where retired_at is null or retired_at > now() - interval '1 day'
    order by (retired_at is null) desc, created_at desc`,
)

const InsertKey = sql(
  'InsertSigningKey',
  `insert into app_private.signing_keys (kid, alg, public_jwk, private_jwk_sealed) values ($1, $2, $3, $4)`,
)

// Two instances starting at once on an empty database must not create two keys.
const LockKeys = sql('LockSigningKeys', `select pg_advisory_xact_lock(7342118905222)`)

const context = (kid: string) => `signing_key:${kid}`

async function createKey(tx: Transaction, secrets: SecretBox): Promise<void> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true })
  const kid = randomUUID()
  const publicJwk = {
    ...(await exportJWK(publicKey)),
    kid,
    alg: SIGNING_ALG,
    use: 'sig',
    key_ops: ['verify'],
  }
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG }
  await tx.execute(InsertKey, [
    kid,
    SIGNING_ALG,
    JSON.stringify(publicJwk),
    secrets.seal(JSON.stringify(privateJwk), context(kid)),
  ])
}

export async function loadLocalKeys(db: Database, secrets: SecretBox): Promise<LocalKeys> {
  const rows = await db.withTransaction(async (tx) => {
    await tx.execute(LockKeys)
    let live = await tx.many(ListLiveKeys)
    if (live.length === 0) {
      await createKey(tx, secrets)
      live = await tx.many(ListLiveKeys)
    }
    return live
  })
  const newest = rows[0] as KeyRow
  const privateJwk = JSON.parse(secrets.open(newest.private_jwk_sealed, context(newest.kid))) as JWK
  const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey
  return {
    current: { kid: newest.kid, privateKey },
    jwks: { keys: rows.map((row) => row.public_jwk) },
  }
}
