/**
 * A real @supabase/supabase-js client against a service under test: its session kept in memory
 * (one per client, so clients never share a sign-in), no background refresh.
 *
 * On Node 20 (no global WebSocket) `createClient` throws unless realtime is given a transport;
 * the README's snippet passes `ws`, and so does every client here.
 */
import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js'
import WebSocket from 'ws'

// Any apikey works on a laptop install (no AUTH_ANON_KEY configured).
export const ANON_KEY = 'local-anon-key'

export function supabaseClient(
  base: string,
  realtime: { heartbeatIntervalMs?: number } = {},
): SupabaseClient {
  const memory = new Map<string, string>()
  return createClient(base, ANON_KEY, {
    // ws's typings (a `new WebSocket(null)` overload) do not match realtime-js's; the class does.
    realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor, ...realtime },
    auth: {
      storageKey: `test-${Math.random()}`,
      storage: {
        getItem: (key: string) => memory.get(key) ?? null,
        setItem: (key: string, value: string) => void memory.set(key, value),
        removeItem: (key: string) => void memory.delete(key),
      },
      autoRefreshToken: false,
      persistSession: true,
      detectSessionInUrl: false,
    },
  })
}
