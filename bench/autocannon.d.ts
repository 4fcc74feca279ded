// The part of autocannon's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  interface Stats {
    average: number
    p50: number
    p99: number
  }
  interface Result {
    requests: Stats
    latency: Stats
    throughput: Stats
    non2xx: number
    errors: number
    timeouts: number
  }
  function autocannon(options: {
    url: string
    connections?: number
    duration?: number
    headers?: Record<string, string>
  }): Promise<Result>
  export default autocannon
}
