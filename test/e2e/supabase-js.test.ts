/**
 * The real client against the running service: `createClient` from @supabase/supabase-js, as
 * the README shows it, talks to our /auth/v1 over a real socket, unchanged: sign-up, password
 * sign-in, getUser, getClaims (verified with our JWKS), refreshSession and signOut; the access
 * token it holds then works on our own API.
 *
 * On Node 20 (no global WebSocket) `createClient` throws unless realtime is given a transport;
 * the README's snippet passes `ws`, and so does every client here.
 */
import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningService } from '../../src/start/server.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { ANON_KEY, supabaseClient } from '../helpers/supabase.js'

let running: TestService
let service: RunningService
let base: string

beforeAll(async () => {
  running = await startTestService()
  ;({ service, base } = running)
})

afterAll(() => running?.stop())

const client = () => supabaseClient(base)

const NODE_MAJOR = Number(process.versions.node.split('.')[0])

describe('@supabase/supabase-js against the service', () => {
  it.runIf(NODE_MAJOR < 22)(
    'on Node 20, createClient needs a realtime transport (the README passes ws)',
    () => {
      expect(() => createClient(base, ANON_KEY)).toThrow(/WebSocket/)
      expect(client().realtime).toBeDefined()
    },
  )

  it('signUp, signInWithPassword, getUser, getClaims, refreshSession, signOut', async () => {
    const supabase = client()
    const auth = supabase.auth
    const email = `sbjs-${Date.now()}@example.test`
    const password = 'a long enough password'

    const signUp = await auth.signUp({ email, password, options: { data: { display_name: 'Client Test' } } })
    expect(signUp.error).toBeNull()
    expect(signUp.data.session?.access_token).toBeTruthy()
    expect(signUp.data.user?.email).toBe(email)
    expect(signUp.data.user?.user_metadata.display_name).toBe('Client Test')

    const taken = await auth.signUp({ email, password })
    expect(taken.error?.code).toBe('user_already_exists')

    const wrong = await auth.signInWithPassword({ email, password: 'not the password' })
    expect(wrong.error?.code).toBe('invalid_credentials')
    expect(wrong.error?.status).toBe(400)

    const signIn = await auth.signInWithPassword({ email, password })
    expect(signIn.error).toBeNull()
    const session = signIn.data.session!
    expect(session.token_type).toBe('bearer')
    expect(session.user.id).toBe(signUp.data.user?.id)

    const user = await auth.getUser()
    expect(user.error).toBeNull()
    expect(user.data.user?.id).toBe(session.user.id)

    const claims = await auth.getClaims()
    expect(claims.error).toBeNull()
    expect(claims.data?.header.alg).toBe('ES256')
    expect(claims.data?.claims).toMatchObject({
      sub: session.user.id,
      role: 'authenticated',
      aud: 'authenticated',
      iss: `${service.ctx.config.publicUrl}/auth/v1`,
      email,
    })

    // Our API accepts the access token the client holds, as the README calls it.
    const held = (await auth.getSession()).data.session?.access_token
    expect(held).toBe(session.access_token)
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${held}` } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { display_name: string }).display_name).toBe('Client Test')
    const portfolio = await fetch(`${base}/v1/me/portfolio`, { headers: { authorization: `Bearer ${held}` } })
    expect(portfolio.status).toBe(200)

    const refreshed = await auth.refreshSession()
    expect(refreshed.error).toBeNull()
    expect(refreshed.data.session?.refresh_token).not.toBe(session.refresh_token)
    expect(refreshed.data.session?.access_token).toBeTruthy()

    // The rotated-out refresh token is now a reused one: the server revokes the session.
    const replay = await client().auth.refreshSession({ refresh_token: session.refresh_token })
    expect(replay.error?.code).toBe('refresh_token_already_used')
    const afterReplay = await auth.getUser()
    expect(afterReplay.error).not.toBeNull()

    // A fresh sign-in, then sign-out ends that session for the server too.
    const again = await auth.signInWithPassword({ email, password })
    const token = again.data.session!.access_token
    const out = await auth.signOut()
    expect(out.error).toBeNull()
    expect((await auth.getSession()).data.session).toBeNull()
    const stale = await auth.getUser(token)
    expect(stale.error?.name).toBe('AuthSessionMissingError')
    const api = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(api.status).toBe(401)
  })

  it('weak passwords come back as AuthWeakPasswordError with reasons', async () => {
    const { error } = await client().auth.signUp({
      email: `weak-${Date.now()}@example.test`,
      password: 'short',
    })
    expect(error?.name).toBe('AuthWeakPasswordError')
    expect((error as unknown as { reasons: string[] }).reasons).toEqual(['length'])
  })
})
