/** A bench's HTTP requests over a keep-alive agent: status and body text, JSON bodies. */
import http from 'node:http'

export function httpCaller(agent: http.Agent) {
  return function call(
    base: string,
    method: string,
    urlPath: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const url = new URL(urlPath, base)
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }
}
