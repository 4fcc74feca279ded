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

export interface OutboundPolicy {
  /** Host names, IP addresses and CIDR ranges (`10.0.0.0/8`) reachable although not public. */
  readonly allowHosts: readonly string[]
}

/** The target is not allowed; the message says why, never anything the target answered. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutboundRefused'
  }
}

// ---- addresses -------------------------------------------------------------------------

/** 4 or 16 bytes, or undefined for text that is not an IP address. */
export function addressBytes(address: string): number[] | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) return bare.split('.').map(Number)
  if (family !== 6) return undefined
  let text = bare.toLowerCase()
  let tail: number[] = []
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    tail = (dotted[1] as string).split('.').map(Number)
    text = `${text.slice(0, -(dotted[1] as string).length)}0:0`
  }
  const [head, rest] = text.split('::') as [string, string | undefined]
  const groups = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const left = groups(head)
  const right = rest === undefined ? [] : groups(rest)
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right]
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff])
  if (tail.length === 4) bytes.splice(12, 4, ...tail)
  return bytes
}

type Range = { bytes: number[]; bits: number }

function range(cidr: string): Range {
  const [address, bits] = cidr.split('/') as [string, string | undefined]
  const bytes = addressBytes(address)
  if (!bytes) throw new Error(`not an address: ${cidr}`)
  return { bytes, bits: bits === undefined ? bytes.length * 8 : Number(bits) }
}

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false
  for (let bit = 0; bit < r.bits; bit++) {
    const i = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if (((bytes[i] as number) & mask) !== ((r.bytes[i] as number) & mask)) return false
  }
  return true
}

/** IANA's special-purpose IPv4 ranges: none of them is the public Internet. */
const NON_PUBLIC_V4 = [
  '0.0.0.0/8', // "this network", 0.0.0.0 reaches the local host
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata at 169.254.169.254
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and 255.255.255.255
].map(range)

/** Public IPv6 is global unicast (2000::/3) outside these. */
const GLOBAL_V6 = range('2000::/3')
const NON_PUBLIC_V6 = [
  '2001::/23', // IETF protocol assignments, Teredo
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation
].map(range)
/** IPv6 forms that carry an IPv4 address: judged by that address. */
const V4_MAPPED = range('::ffff:0:0/96')
const NAT64 = range('64:ff9b::/96')
const SIX_TO_FOUR = range('2002::/16')

/** True for an address on the public Internet; false for loopback, private, link-local, … */
export function isPublicAddress(address: string): boolean {
  const bytes = addressBytes(address)
  if (!bytes) return false
  if (bytes.length === 4) return !NON_PUBLIC_V4.some((r) => inRange(bytes, r))
  if (inRange(bytes, V4_MAPPED) || inRange(bytes, NAT64)) {
    return isPublicAddress(bytes.slice(12).join('.'))
  }
  if (inRange(bytes, SIX_TO_FOUR)) return isPublicAddress(bytes.slice(2, 6).join('.'))
  return inRange(bytes, GLOBAL_V6) && !NON_PUBLIC_V6.some((r) => inRange(bytes, r))
}

// ---- policy ----------------------------------------------------------------------------

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

/** Checks one OUTBOUND_ALLOW_HOSTS entry (for the configuration); returns it lower-cased. */
export function parseAllowEntry(entry: string): string {
  const value = entry.trim().toLowerCase()
  const [address, bits, extra] = value.split('/')
  const bytes = addressBytes(address as string)
  if (bytes) {
    const max = bytes.length * 8
    if (extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
      throw new Error(`'${entry}' is not an address or CIDR range`)
    }
    return value
  }
  if (bits !== undefined || !HOST_NAME.test(value)) {
    throw new Error(`'${entry}' is not a host name, an IP address or a CIDR range`)
  }
  return value
}

interface Compiled {
  names: Set<string>
  ranges: Range[]
}

function compile(policy: OutboundPolicy): Compiled {
  const names = new Set<string>()
  const ranges: Range[] = []
  for (const entry of policy.allowHosts) {
    const value = entry.toLowerCase()
    if (addressBytes(value.split('/')[0] as string)) ranges.push(range(value))
    else names.add(value)
  }
  return { names, ranges }
}

function addressAllowed(address: string, allowed: Compiled): boolean {
  if (isPublicAddress(address)) return true
  const bytes = addressBytes(address)
  if (!bytes) return false
  // ::ffff:127.0.0.1 is 127.0.0.1 on the wire: an allowed IPv4 range allows it too.
  const v4 = inRange(bytes, V4_MAPPED) ? bytes.slice(12) : undefined
  return allowed.ranges.some((r) => inRange(bytes, r) || (v4 !== undefined && inRange(v4, r)))
}

/** The URL's host as the socket sees it: `[::1]` → `::1`, `localhost.` → `localhost`. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
}

/**
 * Why a URL may not be called, judging only what it says (no DNS): not http(s), credentials
 * in it, or a host that is literally a non-public address or `localhost`. For refusing at
 * creation with a 4xx; `outboundRequest` checks the resolved addresses as well.
 */
export function literalRefusal(raw: string, policy: OutboundPolicy): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'is not a URL'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL'
  if (url.username || url.password) return 'must not carry credentials'
  const allowed = compile(policy)
  const host = hostOf(url)
  if (allowed.names.has(host)) return undefined
  if (isIP(host)) {
    return addressAllowed(host, allowed)
      ? undefined
      : 'must not point at a loopback, private, link-local or other non-public address'
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at localhost'
  return undefined
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
    return new Error(`no answer within ${timeoutMs} ms`)
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
