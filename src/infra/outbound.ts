/**
 * Outgoing HTTP to addresses users choose: an agent's LLM endpoint and its webhook. Left
 * alone, an operator could point them at 127.0.0.1, 169.254.169.254 (cloud metadata) or 10.x
 * and have this service call its internal neighbours on their behalf (SSRF). Every such call
 * goes through `outboundRequest`:
 *  - the host is resolved and every address it resolves to is checked; one address that is
 *    not public refuses the target (a name resolving to a public and a private address would
 *    otherwise be a coin toss on each connection);
 *  - the connection is made to the address that was checked (a custom `lookup` on the socket),
 *    so a DNS answer that changes between the check and the connection (DNS rebinding) cannot
 *    swap it;
 *  - a redirect is followed only when asked (307/308, which keep method and body), at most a
 *    few times, each hop checked like the first; never from https to http;
 *  - the answer is read up to a byte limit; the rest is dropped with the connection.
 *
 * `allowHosts` (OUTBOUND_ALLOW_HOSTS) lists host names, addresses and CIDR ranges allowed
 * anyway: a self-hosted LLM on the LAN, the local fakes of the tests.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import {
  addressAllowed,
  type Compiled,
  compile,
  hostOf,
  type OutboundPolicy,
} from '../domain/outbound-policy.js'

export type { OutboundPolicy } from '../domain/outbound-policy.js'

/** The target is not allowed; the message says why, never anything the target answered. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutboundRefused'
  }
}

/** The target did not answer within the request's time limit (told apart for metrics). */
export class OutboundTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`)
    this.name = 'OutboundTimeout'
  }
}

/** Resolves every address of the host, refuses if one is not allowed, and connects to a checked one. */
function guardedLookup(allowed: Compiled, anyAddress: boolean): LookupFunction {
  return ((
    hostname: string,
    options: { family?: number; all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error)
      if (addresses.length === 0) return callback(new OutboundRefused(`${hostname} has no address`))
      const refused = anyAddress ? undefined : addresses.find((a) => !addressAllowed(a.address, allowed))
      if (refused) {
        return callback(
          new OutboundRefused(
            `${hostname} resolves to a loopback, private, link-local or other non-public address`,
          ),
        )
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0] as LookupAddress
      return callback(null, first.address, first.family)
    })
  }) as LookupFunction
}

// ---- requests --------------------------------------------------------------------------

export interface OutboundResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body was longer than `maxBytes`: `body` is its first `maxBytes` bytes. */
  truncated: boolean
}

export interface OutboundRequest {
  method: 'POST' | 'GET'
  headers: Record<string, string>
  body?: string
  timeoutMs: number
  /** Bytes of the answer read at most. */
  maxBytes: number
  /** 307/308 redirects followed (each hop checked); 0: a redirect is the answer. */
  maxRedirects?: number
  policy: OutboundPolicy
}

/** Node's errors ("connect ECONNREFUSED 1.2.3.4:80") without the address and port they name. */
function transportError(error: unknown, timeoutMs: number): Error {
  if (error instanceof OutboundRefused) return error
  const e = error as NodeJS.ErrnoException
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new OutboundTimeout(timeoutMs)
  }
  return new Error(e?.code ? `connection failed (${e.code})` : 'connection failed')
}

function once(url: URL, request: OutboundRequest, allowed: Compiled): Promise<OutboundResponse> {
  const host = hostOf(url)
  if (!allowed.names.has(host)) {
    if (isIP(host) && !addressAllowed(host, allowed)) {
      return Promise.reject(
        new OutboundRefused('the address is loopback, private, link-local or otherwise not public'),
      )
    }
    if (host === 'localhost' || host.endsWith('.localhost')) {
      // Resolved by the lookup below as well; said plainly here.
      return Promise.reject(new OutboundRefused('localhost is not allowed'))
    }
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body !== undefined ? { 'content-length': Buffer.byteLength(request.body) } : {}),
        },
        signal: AbortSignal.timeout(request.timeoutMs),
        // No pooled socket: each request resolves and checks its host afresh.
        agent: false,
        // A host allowed by name may resolve anywhere; every other one is checked and pinned.
        lookup: guardedLookup(allowed, allowed.names.has(host)),
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        let truncated = false
        const finish = () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            truncated,
          })
        res.on('data', (chunk: Buffer) => {
          if (truncated) return
          const room = request.maxBytes - size
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room))
            size = request.maxBytes
            truncated = true
            // The rest is not read: a 2 MB answer costs 64 KiB and a closed connection.
            res.destroy()
            finish()
            return
          }
          chunks.push(chunk)
          size += chunk.length
        })
        res.on('end', finish)
        res.on('error', (error) => {
          if (!truncated) reject(transportError(error, request.timeoutMs))
        })
      },
    )
    req.on('error', (error) => reject(transportError(error, request.timeoutMs)))
    req.end(request.body)
  })
}

/**
 * One request under the policy. Throws `OutboundRefused` for a target that is not allowed
 * (literally, after DNS, or after a redirect) and a plain Error naming no address for a
 * transport failure; any HTTP status is an answer.
 */
export async function outboundRequest(raw: string, request: OutboundRequest): Promise<OutboundResponse> {
  const allowed = compile(request.policy)
  let url = new URL(raw)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefused('only http and https are allowed')
  }
  let headers = request.headers
  for (let hop = 0; ; hop++) {
    const response = await once(url, { ...request, headers }, allowed)
    const location = response.headers.location
    if (![307, 308].includes(response.status) || !location || hop >= (request.maxRedirects ?? 0)) {
      return response
    }
    const next = new URL(location, url)
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new OutboundRefused('redirected to a URL that is not http(s)')
    }
    if (url.protocol === 'https:' && next.protocol === 'http:') {
      throw new OutboundRefused('redirected from https to http')
    }
    if (next.origin !== url.origin) {
      // As fetch does: credentials meant for one origin are not handed to another.
      const { authorization: _dropped, ...rest } = headers
      headers = rest
    }
    url = next
  }
}
