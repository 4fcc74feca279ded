/** Reading a registry in tests: one series' value, and how many series the registry holds. */
import type { Metrics } from '../../src/infra/metrics.js'

type Labels = Record<string, string>

const matches = (have: Record<string, unknown>, want: Labels) =>
  Object.entries(want).every(([k, v]) => have[k] === v)

/**
 * The value of the series of `name` with these labels (0 when absent). For a histogram, `name`
 * is one of its series: `…_count`, `…_sum` or `…_bucket` (with `le`).
 */
export async function sample(metrics: Metrics, name: string, labels: Labels = {}): Promise<number> {
  const family = name.replace(/_(count|sum|bucket)$/, '')
  const metric =
    metrics.registry.getSingleMetric(name) ??
    (family !== name ? metrics.registry.getSingleMetric(family) : undefined)
  if (!metric) throw new Error(`no metric ${name}`)
  const data = await metric.get()
  const values = data.values.filter(
    (v) =>
      ((v as { metricName?: string }).metricName ?? data.name) === name &&
      matches(v.labels as Record<string, unknown>, labels),
  )
  return values.reduce((sum, v) => sum + v.value, 0)
}

/** Every series of the registry by family, as Prometheus would scrape them. */
export async function seriesByFamily(metrics: Metrics): Promise<Map<string, string[]>> {
  const families = await metrics.registry.getMetricsAsJSON()
  return new Map(
    families.map((f) => [
      f.name,
      f.values.map(
        (v) => `${(v as { metricName?: string }).metricName ?? f.name}${JSON.stringify(v.labels)}`,
      ),
    ]),
  )
}
