#!/usr/bin/env node
/**
 * The container's HEALTHCHECK: `node dist/start/healthcheck.js` asks this process's own liveness
 * endpoint and exits 0 (healthy) or 1. The slim image has no curl or wget, and a check written in
 * Node reads HOST, PORT and TLS the way the service does, so it asks where the service listens.
 *
 * An API (or `all`) process is asked GET /healthz on its public port. A worker serves no public
 * HTTP: it is asked GET /healthz on its admin port when METRICS_PORT is set (it answers while the
 * event loop turns and asks the database nothing), and otherwise a running process is all there
 * is to check.
 */
import http from 'node:http'
import https from 'node:https'
import { loadConfig } from '../config/index.js'

const TIMEOUT_MS = 3000

/** The address to dial for a server bound to `host`: a wildcard bind is reached on loopback. */
function dialHost(host: string): string {
  const dial = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return dial.includes(':') ? `[${dial}]` : dial
}

function get(url: URL, insecureTls: boolean): Promise<number> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    // The certificate names the public host, not loopback: this check is the process asking
    // itself, so the name is not verified.
    const request = client.get(url, { timeout: TIMEOUT_MS, rejectUnauthorized: !insecureTls }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    request.on('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)))
    request.on('error', reject)
  })
}

async function main(): Promise<number> {
  const config = loadConfig()
  let url: URL
  if (config.PROCESS_ROLE !== 'worker') {
    const scheme = config.TLS_CERT_FILE ? 'https' : 'http'
    url = new URL(`${scheme}://${dialHost(config.HOST)}:${config.PORT}/healthz`)
  } else if (config.METRICS_PORT !== undefined) {
    url = new URL(`http://${dialHost(config.METRICS_HOST)}:${config.METRICS_PORT}/healthz`)
  } else {
    process.stdout.write('worker without METRICS_PORT: no endpoint to ask; the process runs\n')
    return 0
  }
  const status = await get(url, true)
  process.stdout.write(`${url.href} answered ${status}\n`)
  return status === 200 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`healthcheck failed: ${(error as Error).message}\n`)
    process.exit(1)
  },
)
