/**
 * The fast counters and histograms scrape exactly as prom-client's own would: random sequences of
 * counts (through children, label objects, partial label objects, no labels) go to both, and the
 * two registries' text expositions hold the same lines (label order aside).
 */
import fc from 'fast-check'
import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { FastCounter, FastHistogram } from '../../src/infra/metric-families.js'

const BUCKETS = [0.001, 0.01, 0.1, 1, 10]
const ROUTES = ['/v1/markets', '/v1/markets/:market', 'unmatched']
const CLASSES = ['2xx', '4xx', '5xx']

type Op =
  | { kind: 'child'; route: string; status: string; value: number }
  | { kind: 'object'; route: string; status: string; value: number }
  | { kind: 'partial'; route: string; value: number }
  | { kind: 'bare'; value: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('child' as const),
    route: fc.constantFrom(...ROUTES),
    status: fc.constantFrom(...CLASSES),
    value: fc.double({ min: 0, max: 20, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('object' as const),
    route: fc.constantFrom(...ROUTES),
    status: fc.constantFrom(...CLASSES),
    value: fc.double({ min: 0, max: 20, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('partial' as const),
    route: fc.constantFrom(...ROUTES),
    value: fc.double({ min: 0, max: 20, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('bare' as const), value: fc.double({ min: 0, max: 20, noNaN: true }) }),
)

/** The exposition's lines with each line's labels sorted, in a stable order. */
async function lines(registry: Registry): Promise<string[]> {
  const text = await registry.metrics()
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^([^{ ]+)(?:\{(.*)\})? (.*)$/.exec(line)
      if (!match || line.startsWith('#')) return line
      const labels = (match[2] ?? '')
        .split(/,(?=[a-z_]+=")/)
        .filter(Boolean)
        .sort()
        .join(',')
      return `${match[1]}{${labels}} ${Number(match[3])}`
    })
    .sort()
}

describe('fast families', () => {
  it('scrape as prom-client’s counters and histograms do, for any sequence of counts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const theirs = new Registry()
        const ours = new Registry()
        const labelNames = ['route', 'status_class'] as const
        const families = {
          theirs: {
            counter: new Counter({ name: 'c_total', help: 'c', labelNames, registers: [theirs] }),
            histogram: new Histogram({
              name: 'h',
              help: 'h',
              labelNames,
              buckets: BUCKETS,
              registers: [theirs],
            }),
            bare: new Histogram({ name: 'b', help: 'b', buckets: BUCKETS, registers: [theirs] }),
          },
          ours: {
            counter: new FastCounter({ name: 'c_total', help: 'c', labelNames }),
            histogram: new FastHistogram({ name: 'h', help: 'h', labelNames, buckets: BUCKETS }),
            bare: new FastHistogram({ name: 'b', help: 'b', buckets: BUCKETS }),
          },
        }
        for (const metric of Object.values(families.ours)) ours.registerMetric(metric as never)
        for (const side of [families.theirs, families.ours]) {
          for (const o of ops) {
            if (o.kind === 'child') {
              side.counter.labels(o.route, o.status).inc(o.value)
              side.histogram.labels(o.route, o.status).observe(o.value)
            } else if (o.kind === 'object') {
              side.counter.inc({ route: o.route, status_class: o.status }, o.value)
              side.histogram.observe({ route: o.route, status_class: o.status }, o.value)
            } else if (o.kind === 'partial') {
              side.counter.inc({ route: o.route }, o.value)
              side.histogram.observe({ route: o.route }, o.value)
            } else {
              side.bare.observe(o.value)
            }
          }
        }
        expect(await lines(ours)).toEqual(await lines(theirs))
        expect(await ours.getMetricsAsJSON()).toHaveLength(3)
      }),
      { numRuns: 200 },
    )
  })

  it('refuse what prom-client refuses: a wrong number of labels, an unknown label, a falling counter, NaN', () => {
    const counter = new FastCounter({ name: 'c_total', help: 'c', labelNames: ['a'] })
    const histogram = new FastHistogram({ name: 'h', help: 'h', labelNames: ['a'] })
    expect(() => counter.labels()).toThrow(/takes 1 label values/)
    expect(() => counter.labels('x', 'y')).toThrow(/takes 1 label values/)
    expect(() => counter.inc({ b: 'x' } as never)).toThrow(/no label b/)
    expect(() => counter.labels('x').inc(-1)).toThrow(/only goes up/)
    expect(() => histogram.labels('x').observe(Number.NaN)).toThrow(/not a valid number/)
  })

  it('reset forgets every series but keeps an unlabelled family’s one series at zero', async () => {
    const registry = new Registry()
    const bare = new FastCounter({ name: 'bare_total', help: 'bare' })
    const labelled = new FastCounter({ name: 'labelled_total', help: 'labelled', labelNames: ['a'] })
    registry.registerMetric(bare as never)
    registry.registerMetric(labelled as never)
    bare.inc(3)
    labelled.labels('x').inc()
    registry.resetMetrics()
    const text = await registry.metrics()
    expect(text).toContain('bare_total 0')
    expect(text).not.toContain('labelled_total{')
  })
})
