/**
 * The outbound policy at the edges its mutation testing found untested: exact bytes of every
 * IPv6 spelling (full, compressed, embedded IPv4, zone id, brackets), prefix lengths at their
 * limits, host-name labels at theirs, and the exact messages the configuration and the agents'
 * settings show.
 */
import { describe, expect, it } from 'vitest'
import {
  addressAllowed,
  addressBytes,
  compile,
  isPublicAddress,
  literalRefusal,
  parseAllowEntry,
} from '../../src/domain/outbound-policy.js'

const NONE = { allowHosts: [] }
const NON_PUBLIC = 'must not point at a loopback, private, link-local or other non-public address'

/** 16 bytes: the first `head` bytes given, zeros, then the last bytes given. */
function v6(head: number[], tail: number[]): number[] {
  return [...head, ...new Array(16 - head.length - tail.length).fill(0), ...tail]
}

describe('addressBytes', () => {
  it('IPv4 and non-addresses', () => {
    expect(addressBytes('10.200.30.4')).toEqual([10, 200, 30, 4])
    expect(addressBytes('example.com')).toBeUndefined()
    expect(addressBytes('')).toBeUndefined()
  })

  it('a full IPv6 address, without "::"', () => {
    expect(addressBytes('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
    expect(addressBytes('FE80:0:0:0:0:0:0:ABCD')).toEqual(v6([0xfe, 0x80], [0xab, 0xcd]))
  })

  it('an embedded IPv4 address, of one to three digits a part, after "::" or after six groups', () => {
    expect(addressBytes('::ffff:10.200.30.40')).toEqual(v6([], [0xff, 0xff, 10, 200, 30, 40]))
    expect(addressBytes('1:2:3:4:5:6:1.2.3.4')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4])
  })

  it('brackets only at the ends; a zone id is dropped, also after an IPv4 tail', () => {
    expect(addressBytes('[::1]')).toEqual(v6([], [1]))
    expect(addressBytes('::]1')).toBeUndefined()
    expect(addressBytes('::[1')).toBeUndefined()
    expect(addressBytes('fe80::1%eth0')).toEqual(v6([0xfe, 0x80], [1]))
    expect(addressBytes('::ffff:1.2.3.4%eth0')).toEqual(v6([], [0xff, 0xff, 1, 2, 3, 4]))
  })
})

describe('isPublicAddress', () => {
  it('text that is no address is not public', () => {
    expect(isPublicAddress('example.com')).toBe(false)
  })

  it('6to4 is judged by the IPv4 address in its bytes 2 to 5', () => {
    expect(isPublicAddress('2002:808:808::1')).toBe(true)
    expect(isPublicAddress('2002:a00:1::1')).toBe(false)
  })
})

describe('addressAllowed', () => {
  it('text that is no address is not allowed, whatever the list', () => {
    expect(addressAllowed('example.com', compile({ allowHosts: ['10.0.0.0/8', '::/0'] }))).toBe(false)
    expect(addressAllowed('example.com', compile(NONE))).toBe(false)
  })

  it('an address without a prefix length allows that address alone', () => {
    const loopback = compile({ allowHosts: ['127.0.0.1'] })
    expect(addressAllowed('127.0.0.1', loopback)).toBe(true)
    expect(addressAllowed('127.0.0.2', loopback)).toBe(false)
    expect(addressAllowed('127.0.0.0', loopback)).toBe(false)
  })

  it('an IPv6 range never allows an IPv4 address whose bits happen to match', () => {
    // 253 is 0xfd: the first 8 bits of 253.0.0.1 are those of fd00::/8.
    expect(addressAllowed('253.0.0.1', compile({ allowHosts: ['fd00::/8'] }))).toBe(false)
    expect(addressAllowed('fd00::1', compile({ allowHosts: ['fd00::/8'] }))).toBe(true)
  })
})

describe('parseAllowEntry', () => {
  it('trims and lower-cases', () => {
    expect(parseAllowEntry('  10.0.0.0/8 ')).toBe('10.0.0.0/8')
    expect(parseAllowEntry(' Ollama.Internal\t')).toBe('ollama.internal')
  })

  it('prefix lengths: decimal digits only, up to the address length in bits', () => {
    expect(parseAllowEntry('10.0.0.0/16')).toBe('10.0.0.0/16')
    expect(parseAllowEntry('10.0.0.1/32')).toBe('10.0.0.1/32')
    expect(parseAllowEntry('::1/128')).toBe('::1/128')
    for (const bad of ['10.0.0.0/0x8', '10.0.0.0/8e0', '10.0.0.0/ 8', '::1/129', '10.0.0.0/']) {
      expect(() => parseAllowEntry(bad), bad).toThrow(new Error(`'${bad}' is not an address or CIDR range`))
    }
  })

  it('host names: labels of 1 to 63 characters, any number of them, 253 characters at most', () => {
    const label = 'a'.repeat(63)
    for (const good of ['x', 'h.x', 'a.b.c', 'llm-1.corp.internal', label, `${label}.${label}`]) {
      expect(parseAllowEntry(good), good).toBe(good)
    }
    const tooLong = [label, label, label, label].join('.').concat('.ab') // 255 characters
    for (const bad of [tooLong, `${label}a`, '-a', 'a-', 'a..b', 'a b', '*']) {
      expect(() => parseAllowEntry(bad), bad).toThrow(
        new Error(`'${bad}' is not a host name, an IP address or a CIDR range`),
      )
    }
  })
})

describe('literalRefusal messages', () => {
  it('says exactly what is wrong', () => {
    expect(literalRefusal('not a url', NONE)).toBe('is not a URL')
    expect(literalRefusal('ftp://example.com/', NONE)).toBe('must be an http(s) URL')
    expect(literalRefusal('https://user@example.com/', NONE)).toBe('must not carry credentials')
    expect(literalRefusal('https://:pw@example.com/', NONE)).toBe('must not carry credentials')
    expect(literalRefusal('http://[fe80::1]/', NONE)).toBe(NON_PUBLIC)
    expect(literalRefusal('http://127.0.0.2/', { allowHosts: ['127.0.0.1'] })).toBe(NON_PUBLIC)
    expect(literalRefusal('http://localhost/', NONE)).toBe('must not point at localhost')
  })
})
