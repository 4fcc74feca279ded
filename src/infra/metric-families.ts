/**
 * Counters and histograms for the hot paths: a labelled child is a plain object holding its own
 * numbers, so counting is an addition, not a label validation and a string hash on every call.
 *
 * prom-client's own `Counter` and `Histogram` re-validate and re-hash the labels at each
 * `inc`/`observe`, even through a child from `labels()`; a trade counts about ten times (its
 * queries, its request, itself), and a profile of the 100-market benchmark put prom-client at
 * about 1% of the API's busy time (bench/README.md, "Metrics overhead"). These families keep
 * prom-client's registry and text format: they implement its `Metric` shape (`get()` returns the
 * same values prom-client's would), so a scrape, `getMetricsAsJSON` and the tests read them as
 * before. Gauges stay prom-client's: they are set at a scrape, not per request.
 */

export type LabelValues<T extends string> = Partial<Record<T, string | number>>

export interface CounterChild {
  inc(value?: number): void
}

export interface HistogramChild {
  observe(value: number): void
}

/** What the service counts through; both prom-client's families and these satisfy it. */
export interface CounterFamily<T extends string = string> {
  readonly name: string
  inc(value?: number): void
  inc(labels: LabelValues<T>, value?: number): void
  labels(...values: (string | number)[]): CounterChild
  reset(): void
}

export interface HistogramFamily<T extends string = string> {
  readonly name: string
  observe(value: number): void
  observe(labels: LabelValues<T>, value: number): void
  labels(...values: (string | number)[]): HistogramChild
  reset(): void
}

/** What prom-client's registry reads from a metric (its typings name the type as a numeric enum; at run time it is this string). */
interface Exported {
  name: string
  help: string
  type: 'counter' | 'histogram'
  aggregator: 'sum'
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[]
}

interface Options {
  name: string
  help: string
  labelNames?: readonly string[]
}

/** prom-client's default buckets, for a histogram declared without any. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One series per distinct label values, made at its first use and kept until `reset()`. */
abstract class Family<S> {
  readonly name: string
  readonly help: string
  abstract readonly type: Exported['type']
  readonly aggregator = 'sum' as const
  private readonly labelNames: readonly string[]
  protected readonly series = new Map<string, { labels: Record<string, string | number>; series: S }>()

  constructor(options: Options) {
    this.name = options.name
    this.help = options.help
    this.labelNames = options.labelNames ?? []
  }

  /** Called last by each constructor: a family without labels has its one series from the start, as prom-client's has. */
  protected start(): void {
    if (this.labelNames.length === 0) this.child([])
  }

  protected abstract make(): S

  /** The series for these label values, in `labelNames` order. */
  protected child(values: readonly (string | number)[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(
        `${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      )
    }
    // A NUL cannot appear in a label value that came from our code; it keeps `a,b` and `a`,`b` apart.
    const key = values.join('\u0000')
    let found = this.series.get(key)
    if (!found) {
      const labels: Record<string, string | number> = {}
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] as string | number
      })
      found = { labels, series: this.make() }
      this.series.set(key, found)
    }
    return found.series
  }

  /** The series for a labels object; a label left out is absent from the series, as in prom-client. */
  protected childOf(labels: LabelValues<string>): S {
    for (const name of Object.keys(labels)) {
      if (!this.labelNames.includes(name)) throw new Error(`${this.name} has no label ${name}`)
    }
    const values = this.labelNames.map((name) => labels[name])
    if (values.every((value) => value !== undefined)) return this.child(values as (string | number)[])
    const key = `partial\u0001${this.labelNames.map((name) => labels[name] ?? '\u0001').join('\u0000')}`
    let found = this.series.get(key)
    if (!found) {
      const present: Record<string, string | number> = {}
      for (const name of this.labelNames) if (labels[name] !== undefined) present[name] = labels[name]
      found = { labels: present, series: this.make() }
      this.series.set(key, found)
    }
    return found.series
  }

  reset(): void {
    this.series.clear()
    this.start()
  }

  abstract get(): Promise<Exported>
}

class CounterSeries implements CounterChild {
  value = 0
  inc(value = 1): void {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new Error(`a counter only goes up by a finite amount, not ${value}`)
    }
    this.value += value
  }
}

export class FastCounter<T extends string = string>
  extends Family<CounterSeries>
  implements CounterFamily<T>
{
  readonly type = 'counter'

  constructor(options: Options) {
    super(options)
    this.start()
  }

  protected make(): CounterSeries {
    return new CounterSeries()
  }

  labels(...values: (string | number)[]): CounterChild {
    return this.child(values)
  }

  inc(labelsOrValue?: LabelValues<T> | number, value?: number): void {
    if (labelsOrValue === undefined || typeof labelsOrValue === 'number') this.child([]).inc(labelsOrValue)
    else this.childOf(labelsOrValue).inc(value)
  }

  async get(): Promise<Exported> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...this.series.values()].map(({ labels, series }) => ({ labels, value: series.value })),
    }
  }
}

class HistogramSeries implements HistogramChild {
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor(private readonly upperBounds: readonly number[]) {
    this.counts = new Float64Array(upperBounds.length)
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`)
    const bounds = this.upperBounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1
        break
      }
    }
    this.sum += value
    this.count++
  }
}

export class FastHistogram<T extends string = string>
  extends Family<HistogramSeries>
  implements HistogramFamily<T>
{
  readonly type = 'histogram'
  private readonly upperBounds: readonly number[]

  constructor(options: Options & { buckets?: readonly number[] }) {
    super(options)
    this.upperBounds = [...(options.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b)
    this.start()
  }

  protected make(): HistogramSeries {
    return new HistogramSeries(this.upperBounds)
  }

  labels(...values: (string | number)[]): HistogramChild {
    return this.child(values)
  }

  observe(labelsOrValue: LabelValues<T> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.child([]).observe(labelsOrValue)
    else this.childOf(labelsOrValue).observe(value as number)
  }

  async get(): Promise<Exported> {
    const bucket = `${this.name}_bucket`
    const values: Exported['values'] = []
    for (const { labels, series } of this.series.values()) {
      let cumulative = 0
      this.upperBounds.forEach((le, i) => {
        cumulative += series.counts[i] as number
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: bucket })
      })
      values.push({ labels: { ...labels, le: '+Inf' }, value: series.count, metricName: bucket })
      values.push({ labels, value: series.sum, metricName: `${this.name}_sum` })
      values.push({ labels, value: series.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }
}
