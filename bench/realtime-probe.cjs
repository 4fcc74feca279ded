// Preloaded into the API process by bench/realtime.ts (node --require): on SIGUSR2 it collects
// garbage (the bench starts the API with --expose-gc) and prints the process's memory on stderr,
// so the bench reads the API's own heap, which /proc does not show. Bench only, never in src/.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc()
  const m = process.memoryUsage()
  process.stderr.write(
    `DM_PROBE ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`,
  )
})
