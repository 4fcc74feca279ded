/**
 * Plain SVG charts, written as text: the report needs a few line and bar charts, and a chart
 * library would be a dependency for thirty lines of coordinates.
 */

export interface Series {
  name: string
  values: readonly number[]
  /** A CSS colour; one series keeps its colour across charts. */
  color: string
}

export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  /** Category labels along the x axis, evenly spaced (sweeps are not on a linear scale). */
  xs: readonly string[]
  series: readonly Series[]
  yMin: number
  yMax: number
  /** Formats a y tick. */
  yFormat: (y: number) => string
}

const W = 640
const H = 360
const M = { left: 64, right: 150, top: 36, bottom: 56 }

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const fmt = (n: number) => n.toFixed(1)

function frame(spec: ChartSpec, body: string[]): string {
  const plotH = H - M.top - M.bottom
  const y = (v: number) => M.top + plotH * (1 - (v - spec.yMin) / (spec.yMax - spec.yMin))
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(spec.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`,
  ]
  for (let i = 0; i <= 4; i++) {
    const v = spec.yMin + ((spec.yMax - spec.yMin) * i) / 4
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e0e0e0"/>`,
      `<text x="${M.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${esc(spec.yFormat(v))}</text>`,
    )
  }
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text x="16" y="${M.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${M.top + plotH / 2})">${esc(spec.yLabel)}</text>`,
    ...body,
  )
  spec.series.forEach((s, i) => {
    const ly = M.top + 10 + i * 18
    out.push(
      `<rect x="${W - M.right + 12}" y="${ly - 9}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${W - M.right + 30}" y="${ly + 1}">${esc(s.name)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

function scales(spec: ChartSpec) {
  const plotW = W - M.left - M.right
  const plotH = H - M.top - M.bottom
  const n = spec.xs.length
  return {
    plotW,
    x: (i: number) => M.left + (n === 1 ? plotW / 2 : (plotW * (i + 0.5)) / n),
    y: (v: number) =>
      M.top +
      plotH * (1 - (Math.min(spec.yMax, Math.max(spec.yMin, v)) - spec.yMin) / (spec.yMax - spec.yMin)),
  }
}

function xTicks(spec: ChartSpec, x: (i: number) => number): string[] {
  return spec.xs.map(
    (label, i) => `<text x="${fmt(x(i))}" y="${H - M.bottom + 18}" text-anchor="middle">${esc(label)}</text>`,
  )
}

export function lineChart(spec: ChartSpec): string {
  const { x, y } = scales(spec)
  const body = xTicks(spec, x)
  spec.series.forEach((s) => {
    const color = s.color
    const points = s.values.map((v, j) => `${fmt(x(j))},${fmt(y(v))}`).join(' ')
    body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`)
    s.values.forEach((v, j) => {
      body.push(`<circle cx="${fmt(x(j))}" cy="${fmt(y(v))}" r="3" fill="${color}"/>`)
    })
  })
  return frame(spec, body)
}

export function barChart(spec: ChartSpec): string {
  const { x, y, plotW } = scales(spec)
  const body = xTicks(spec, x)
  const group = (plotW / spec.xs.length) * 0.8
  const bar = group / spec.series.length
  spec.series.forEach((s, i) => {
    s.values.forEach((v, j) => {
      const left = x(j) - group / 2 + i * bar
      body.push(
        `<rect x="${fmt(left)}" y="${fmt(y(v))}" width="${fmt(bar - 2)}" height="${fmt(y(spec.yMin) - y(v))}" fill="${s.color}"/>`,
      )
    })
  })
  return frame(spec, body)
}
