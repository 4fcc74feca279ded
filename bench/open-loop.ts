/**
 * Open-loop load: requests at a fixed arrival rate, whatever the answers do, and the API's
 * memory meanwhile. Used by bench/trades.ts (scenarios open-hot and open-many).
 *
 * Closed loops (each client waits for its answer before sending again) slow down with the
 * server: a stall of 1 s is one slow request per client, and the requests that would have
 * arrived meanwhile are never sent, so their waiting never shows in the percentiles
 * ("coordinated omission"). Here request i is due at t0 + i / rate, and its latency is measured
 * from that due time: if the load generator, a socket or the server makes it late, the lateness
 * is in the figure.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

export type Outcome = 'trade' | 'refused' | 'error'

export interface OpenLoopResult {
  name: string
  /** Requests per second asked for. */
  targetRate: number
  /** Requests due in the run (rate × duration). */
  due: number
  /** Seconds from the first due time to the last answer. */
  seconds: number
  /** Seconds over which requests were sent (the due times span). */
  sendSeconds: number
  accepted: number
  refused: number
  errors: number
  /** Requests still unanswered when the drain timed out (counted in errors too). */
  unanswered: number
  /** Accepted trades' latencies from their due time, ms, sorted. */
  latencies: number[]
  /** How late each request left after its due time (the generator's own lag), ms, sorted. */
  sendLag: number[]
  /** Requests sent while every socket of the pool was busy (they queued for one). */
  socketWaits: number
  maxInFlight: number
  rss?: RssSummary
}

export interface OpenLoopOptions {
  name: string
  rate: number
  durationS: number
  /** Size of the keep-alive socket pool the requests go through. */
  sockets: number
  /** Sends request `i` and says what came of it. */
  send: (i: number) => Promise<Outcome>
  /** Samples this process's resident memory every second while the load runs. */
  rssPid?: number
  /** How long to wait for the last answers after the last due time. */
  drainS?: number
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const interval = 1000 / options.rate
  const due = Math.max(1, Math.floor(options.rate * options.durationS))
  const result: OpenLoopResult = {
    name: options.name,
    targetRate: options.rate,
    due,
    seconds: 0,
    sendSeconds: 0,
    accepted: 0,
    refused: 0,
    errors: 0,
    unanswered: 0,
    latencies: [],
    sendLag: [],
    socketWaits: 0,
    maxInFlight: 0,
  }
  let inFlight = 0
  const pending = new Set<Promise<void>>()
  const sampler = options.rssPid === undefined ? undefined : sampleRss(options.rssPid)
  const t0 = performance.now() + 20
  let next = 0
  let lastAnswer = t0
  await new Promise<void>((resolve) => {
    // Sends everything due by now, then sleeps until the next due time. A timer fires late by
    // a millisecond or more: the requests due meanwhile leave together, each timed from its
    // own due time.
    const tick = () => {
      const now = performance.now()
      while (next < due && t0 + next * interval <= now) {
        const i = next++
        const dueAt = t0 + i * interval
        result.sendLag.push(now - dueAt)
        if (inFlight >= options.sockets) result.socketWaits++
        inFlight++
        result.maxInFlight = Math.max(result.maxInFlight, inFlight)
        const request: Promise<void> = options
          .send(i)
          .catch((): Outcome => 'error')
          .then((outcome) => {
            const at = performance.now()
            lastAnswer = Math.max(lastAnswer, at)
            if (outcome === 'trade') {
              result.accepted++
              result.latencies.push(at - dueAt)
            } else if (outcome === 'refused') result.refused++
            else result.errors++
          })
          .finally(() => {
            inFlight--
            pending.delete(request)
          })
        pending.add(request)
      }
      if (next >= due) {
        resolve()
        return
      }
      setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()))
    }
    setTimeout(tick, Math.max(0, t0 - performance.now()))
  })
  result.sendSeconds = (due * interval) / 1000
  let drainTimer: NodeJS.Timeout | undefined
  const drained = await Promise.race([
    Promise.all([...pending]).then(() => true),
    new Promise<false>((resolve) => {
      drainTimer = setTimeout(() => resolve(false), (options.drainS ?? 60) * 1000)
    }),
  ])
  clearTimeout(drainTimer)
  if (!drained) {
    result.unanswered = pending.size
    result.errors += pending.size
  }
  result.rss = sampler?.stop()
  result.seconds = (lastAnswer - t0) / 1000
  result.latencies.sort((a, b) => a - b)
  result.sendLag.sort((a, b) => a - b)
  return result
}

// ---------------------------------------------------------------------------------------
// Resident memory of another process
// ---------------------------------------------------------------------------------------

export interface RssSummary {
  samples: number
  firstMb: number
  minMb: number
  maxMb: number
  lastMb: number
  /** Least-squares slope over the samples after `skipS`, MB per minute; NaN with < 2 of them. */
  slopeMbPerMin: number
  /** Seconds skipped before the slope: the first 30 s or the first 10% of the run, the shorter. */
  skipS: number
}

/** VmRSS of `pid` in kB from /proc (Linux); undefined when unreadable (another OS, the process gone). */
export function readRssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

/** Reads the RSS of `pid` now and every second until stopped. */
export function sampleRss(pid: number): { stop: () => RssSummary | undefined } {
  const started = performance.now()
  const samples: Array<{ s: number; mb: number }> = []
  const take = () => {
    const kb = readRssKb(pid)
    if (kb !== undefined) samples.push({ s: (performance.now() - started) / 1000, mb: kb / 1024 })
  }
  take()
  const timer = setInterval(take, 1000)
  return {
    stop: () => {
      clearInterval(timer)
      take()
      return summarizeRss(samples)
    },
  }
}

export function summarizeRss(samples: ReadonlyArray<{ s: number; mb: number }>): RssSummary | undefined {
  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last) return undefined
  // The slope leaves out the warm-up (JIT, caches, pools filling): 30 s of a 10-minute run,
  // 10% of a short one.
  const skipS = Math.min(30, 0.1 * last.s)
  const tail = samples.filter((x) => x.s >= skipS)
  let slope = Number.NaN
  if (tail.length >= 2) {
    const n = tail.length
    const mx = tail.reduce((a, x) => a + x.s, 0) / n
    const my = tail.reduce((a, x) => a + x.mb, 0) / n
    const sxy = tail.reduce((a, x) => a + (x.s - mx) * (x.mb - my), 0)
    const sxx = tail.reduce((a, x) => a + (x.s - mx) ** 2, 0)
    slope = sxx > 0 ? (sxy / sxx) * 60 : Number.NaN
  }
  const mbs = samples.map((x) => x.mb)
  return {
    samples: samples.length,
    firstMb: first.mb,
    minMb: Math.min(...mbs),
    maxMb: Math.max(...mbs),
    lastMb: last.mb,
    slopeMbPerMin: slope,
    skipS,
  }
}
