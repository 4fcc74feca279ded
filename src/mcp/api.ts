/**
 * How the MCP tools reach the platform: through the REST API itself, with the caller's own
 * credential, so what an agent may do over MCP is exactly what its API key may do over HTTP
 * (scopes, rate limits, validation, problem documents). The HTTP transport mounted on the API
 * calls its routes in process (src/http/routes/mcp); the stdio command calls a running server
 * over the network (`fetchApi`).
 */

export interface ApiRequest {
  method: 'GET' | 'POST'
  /** Path and query, e.g. `/v1/markets?limit=20`. */
  path: string
  body?: unknown
  headers?: Record<string, string>
}

export interface ApiResponse {
  status: number
  /** The parsed JSON body; `undefined` when the answer had none. */
  body: unknown
  header(name: string): string | undefined
}

/** One call of the API with the caller's credential. */
export type CallApi = (request: ApiRequest) => Promise<ApiResponse>

export function parseApiBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    // A proxy's HTML error page, say: kept as text so the tool error can show it.
    return text
  }
}

/** Calls the API at `baseUrl` (as the stdio command does) with `authorization` on every request. */
export function fetchApi(baseUrl: string, authorization: string, userAgent: string): CallApi {
  const base = baseUrl.replace(/\/+$/, '')
  return async ({ method, path, body, headers }) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization,
        'user-agent': userAgent,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return {
      status: res.status,
      body: parseApiBody(await res.text()),
      header: (name) => res.headers.get(name) ?? undefined,
    }
  }
}
