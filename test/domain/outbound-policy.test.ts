/**
 * Which addresses outgoing calls may reach, judged as written (no DNS): the pure half of the
 * outbound guard (test/infra/outbound.test.ts tests the requests, after DNS and redirects).
 */
import { describe, expect, it } from 'vitest'
import { isPublicAddress, literalRefusal, parseAllowEntry } from '../../src/domain/outbound-policy.js'

const NONE = { allowHosts: [] }
const LOOPBACK = { allowHosts: ['127.0.0.1'] }

describe('which addresses are public', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '198.18.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'fec0::1',
    'ff02::1',
    '2001:db8::1',
    '2001::1',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false)
  })

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450::1'])(
    '%s is',
    (address) => {
      expect(isPublicAddress(address)).toBe(true)
    },
  )
})

describe('URLs refused as written (at creation, with a 4xx)', () => {
  it.each([
    ['http://127.0.0.1:8080/v1', /non-public/],
    ['http://[::1]/hook', /non-public/],
    ['http://[::ffff:127.0.0.1]/hook', /non-public/],
    ['http://0x7f000001/hook', /non-public/], // WHATWG URL reads it as 127.0.0.1
    ['http://2130706433/hook', /non-public/],
    ['http://169.254.169.254/latest/meta-data', /non-public/],
    ['http://10.0.0.5/v1', /non-public/],
    ['http://[fd00::1]/v1', /non-public/],
    ['http://0.0.0.0:3000/', /non-public/],
    ['http://localhost:11434/v1', /localhost/],
    ['http://api.localhost/v1', /localhost/],
    ['http://LOCALHOST.:8080/v1', /localhost/],
    ['ftp://example.com/x', /http/],
    ['https://user:pw@example.com/hook', /credentials/],
  ])('%s', (url, reason) => {
    expect(literalRefusal(url, NONE)).toMatch(reason)
  })

  it('accepts public hosts, and what the allow-list names', () => {
    expect(literalRefusal('https://api.openai.com/v1', NONE)).toBeUndefined()
    expect(literalRefusal('https://8.8.8.8/hook', NONE)).toBeUndefined()
    expect(literalRefusal('http://127.0.0.1:8080/v1', LOOPBACK)).toBeUndefined()
    expect(literalRefusal('http://[::ffff:127.0.0.1]:8080/v1', LOOPBACK)).toBeUndefined()
    expect(literalRefusal('http://10.1.2.3/v1', { allowHosts: ['10.0.0.0/8'] })).toBeUndefined()
    expect(literalRefusal('http://localhost:11434/v1', { allowHosts: ['localhost'] })).toBeUndefined()
    expect(literalRefusal('http://10.1.2.3/v1', { allowHosts: ['10.0.0.0/24'] })).toMatch(/non-public/)
  })

  it('the allow-list setting accepts names, addresses and ranges, nothing else', () => {
    expect(parseAllowEntry('Ollama.Internal')).toBe('ollama.internal')
    expect(parseAllowEntry('10.0.0.0/8')).toBe('10.0.0.0/8')
    expect(parseAllowEntry('fd00::/8')).toBe('fd00::/8')
    expect(parseAllowEntry('127.0.0.1')).toBe('127.0.0.1')
    for (const bad of ['10.0.0.0/33', 'http://x', '*', 'a b', 'host/8', '1.2.3.4/8/9']) {
      expect(() => parseAllowEntry(bad), bad).toThrow()
    }
  })
})
