/**
 * Exact arithmetic on binary64 values, for tests that pin a float result to the correctly
 * rounded value of the real computation. Every finite double is an integer multiple of 2^-1074,
 * so sums are exact as bigints over that grid.
 */

/** n such that x = n / 2^1074, exactly. */
export function toGridUnits(x: number): bigint {
  if (x === 0) return 0n
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const exponent = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n)
  const shift = exponent === 0 ? 0 : exponent - 1
  const n = mantissa << BigInt(shift)
  return x < 0 ? -n : n
}

/** The double nearest to p / q for positive p, q (normal range only, which is all tests need). */
export function nearestDouble(p: bigint, q: bigint): number {
  let k = 0n
  while ((p << k) / q < 1n << 64n) k++
  const num = p << (k + 1n)
  let v = num / q
  // A sticky bit keeps the rounding of Number(bigint) honest about the discarded remainder.
  if (num % q !== 0n) v |= 1n
  return Number(v) / 2 ** Number(k + 1n)
}

/** The exact mean of `values`, rounded once to the nearest double. */
export function exactMean(values: readonly number[]): number {
  let sum = 0n
  for (const v of values) sum += toGridUnits(v)
  if (sum === 0n) return 0
  return nearestDouble(sum, BigInt(values.length) << 1074n)
}
