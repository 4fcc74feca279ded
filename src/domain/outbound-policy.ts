/**
 * Which addresses the platform's outgoing calls (an agent's LLM endpoint, its webhook) may
 * reach: public addresses, plus what OUTBOUND_ALLOW_HOSTS lists. Pure: the configuration checks
 * its entries with it, the agents' settings refuse literal targets with it, and
 * infra/outbound.ts applies it to every address a host resolves to.
 */
import { isIP } from 'node:net'

export interface OutboundPolicy {
  /** Host names, IP addresses and CIDR ranges (`10.0.0.0/8`) reachable although not public. */
  readonly allowHosts: readonly string[]
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

export interface Compiled {
  names: Set<string>
  ranges: Range[]
}

export function compile(policy: OutboundPolicy): Compiled {
  const names = new Set<string>()
  const ranges: Range[] = []
  for (const entry of policy.allowHosts) {
    const value = entry.toLowerCase()
    if (addressBytes(value.split('/')[0] as string)) ranges.push(range(value))
    else names.add(value)
  }
  return { names, ranges }
}

export function addressAllowed(address: string, allowed: Compiled): boolean {
  if (isPublicAddress(address)) return true
  const bytes = addressBytes(address)
  if (!bytes) return false
  // ::ffff:127.0.0.1 is 127.0.0.1 on the wire: an allowed IPv4 range allows it too.
  const v4 = inRange(bytes, V4_MAPPED) ? bytes.slice(12) : undefined
  return allowed.ranges.some((r) => inRange(bytes, r) || (v4 !== undefined && inRange(v4, r)))
}

/** The URL's host as the socket sees it: `[::1]` → `::1`, `localhost.` → `localhost`. */
export function hostOf(url: URL): string {
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
