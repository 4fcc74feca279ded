/**
 * The client of a Supabase project's Realtime broadcast REST endpoint:
 * POST {SUPABASE_URL}/realtime/v1/api/broadcast with {messages: [{topic, event, payload,
 * private}]}, authenticated by the service-role (secret) key in `apikey` and as a bearer token,
 * as realtime-js's own REST fallback sends it. The endpoint answers 202 when it accepted the
 * batch; anything else (or no answer within the timeout) is a failure the caller retries.
 */
export interface BroadcastEndpoint {
  url: string
  serviceKey: string
  timeoutMs: number
}

export class BroadcastError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

export function createBroadcastSender(endpoint: BroadcastEndpoint) {
  const target = `${endpoint.url.replace(/\/+$/, '')}/realtime/v1/api/broadcast`
  return async (messages: readonly unknown[]): Promise<void> => {
    let response: Response
    try {
      response = await fetch(target, {
        method: 'POST',
        headers: {
          apikey: endpoint.serviceKey,
          authorization: `Bearer ${endpoint.serviceKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ messages }),
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      })
    } catch (error) {
      throw new BroadcastError(`broadcast endpoint unreachable: ${(error as Error).message}`)
    }
    // The body is not needed; reading it frees the connection for the next POST.
    const text = await response.text().catch(() => '')
    if (response.status < 200 || response.status >= 300) {
      throw new BroadcastError(
        `broadcast endpoint answered ${response.status}: ${text.slice(0, 200)}`,
        response.status,
      )
    }
  }
}
