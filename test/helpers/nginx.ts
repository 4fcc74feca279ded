/**
 * The shipped deploy/nginx/nginx.conf under Debian's nginx, for tests: a copy that differs from
 * the file only in what cannot be the same on a test machine (compose's service names become
 * loopback ports, one `server` line per upstream given, with the shipped line's parameters; the
 * listen port, the pid file and the temp folders go to a directory of the test's own), the
 * master started in the foreground, and its access log read back.
 *
 * nginx's stdout and stderr go to a file, as in a container: the access log is /dev/stdout,
 * which cannot be opened when it is a socket, as Node's pipes are.
 */
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { projectRoot } from '../../src/config/index.js'
import { freePort } from './net.js'

export const NGINX_INSTALL = 'apt-get install -y --no-install-recommends nginx-light'

export const shippedNginxConf = () => readFileSync(path.join(projectRoot, 'deploy/nginx/nginx.conf'), 'utf8')

const SERVER_LINE = /^([ \t]*)server api-\d+:\d+((?: [^;\n]*)?);\n/gm

/** The shipped file with loopback upstreams, a loopback listen port and its paths under `dir`. */
export function testNginxConf(
  shipped: string,
  options: { port: number; upstreams: readonly number[]; dir: string },
): string {
  const [first] = [...shipped.matchAll(SERVER_LINE)]
  if (!first) throw new Error('deploy/nginx/nginx.conf has no `server api-N:PORT` line')
  const [, indent, parameters] = first
  const servers = options.upstreams.map((port) => `${indent}server 127.0.0.1:${port}${parameters};\n`)
  let placed = false
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${options.dir}/${kind};\n`)
    .join('')
  return shipped
    .replace(SERVER_LINE, () => {
      if (placed) return ''
      placed = true
      return servers.join('')
    })
    .replace(/listen 8080;/, `listen 127.0.0.1:${options.port};`)
    .replace(/pid [^;]+;/, `pid ${options.dir}/nginx.pid;`)
    .replace(/^http \{\n/m, (open) => `${open}${temp}`)
}

/** One line of the shipped `dm` log format. */
export interface AccessLogLine {
  method: string
  path: string
  status: number
  /** Every upstream nginx tried, in order; the last one answered. */
  upstreams: string[]
  requestId: string
}

const LINE = /^\S+ "(\S+) (\S+) HTTP\/[\d.]+" (\d{3}) \d+ \S+ upstream=(.*) id=(\S+)$/

/** The `dm` lines of nginx's output (its error lines are left out). */
export function parseAccessLog(output: string): AccessLogLine[] {
  const lines: AccessLogLine[] = []
  for (const text of output.split('\n')) {
    const m = LINE.exec(text)
    if (!m) continue
    const [, method, url, status, upstream, requestId] = m as unknown as string[]
    // "$upstream_addr $upstream_status $upstream_response_time", each a comma-separated list
    // when nginx tried several: "127.0.0.1:1, 127.0.0.1:2 502, 201 0.001, 0.004".
    const upstreams = (upstream as string).match(/\d+\.\d+\.\d+\.\d+:\d+/g) ?? []
    lines.push({
      method: method as string,
      path: url as string,
      status: Number(status),
      upstreams,
      requestId: requestId as string,
    })
  }
  return lines
}

export interface NginxUnderTest {
  dir: string
  conf: string
  port: number
  /** http://127.0.0.1:<port> */
  base: string
  /** nginx's stdout and stderr so far (the access log among them). */
  output(): string
  /** `nginx -t` on the copy. */
  check(): SpawnSyncReturns<string>
  /** Starts the master in the foreground and waits until it answers /nginx-health. */
  start(): Promise<ChildProcess>
  /** Stops the master it started (SIGTERM, by its PID; its workers follow), removes `dir`. */
  stop(): Promise<void>
}

/** A copy of the shipped config in a directory of its own, proxying to these loopback ports. */
export async function prepareNginx(binary: string, upstreams: readonly number[]): Promise<NginxUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-nginx-'))
  // nginx's workers run as `nobody` when the master is root: they must reach the temp folders
  // (a response larger than the proxy buffers is spooled there).
  chmodSync(dir, 0o755)
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  writeFileSync(conf, testNginxConf(shippedNginxConf(), { port, upstreams, dir }))
  const log = path.join(dir, 'output.log')
  writeFileSync(log, '')
  const fds: number[] = []
  const logFd = () => {
    const fd = openSync(log, 'a')
    fds.push(fd)
    return fd
  }
  const base = `http://127.0.0.1:${port}`
  const output = () => readFileSync(log, 'utf8')
  let master: ChildProcess | undefined
  return {
    dir,
    conf,
    port,
    base,
    output,
    check: () =>
      spawnSync(binary, ['-t', '-e', 'stderr', '-p', dir, '-c', conf], {
        encoding: 'utf8',
        stdio: ['ignore', logFd(), 'pipe'],
      }),
    async start() {
      const child = spawn(binary, ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off;'], {
        stdio: ['ignore', logFd(), logFd()],
      })
      master = child
      const deadline = Date.now() + 15_000
      for (;;) {
        if (await healthy(`${base}/nginx-health`)) return child
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`nginx did not start:\n${output()}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async stop() {
      const child = master
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(child.pid, 'SIGTERM')
        await exited
      }
      for (const fd of fds.splice(0)) closeSync(fd)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      })
      .on('error', () => resolve(false))
  })
}
