import type { TestApp } from './app.js'
import type { TestUser } from './users.js'

/** One request through `app.inject()`, as `user` when given, with the JSON answer. */
// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON bodies
export async function call<T = Record<string, any>>(
  t: TestApp,
  method: string,
  url: string,
  user?: TestUser,
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    ...(user ? { headers: user.headers } : {}),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  return { status: res.statusCode, body: res.json() as T }
}
