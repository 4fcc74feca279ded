/**
 * A small seeded PRNG for the simulation study, so that a run is a function of its seed alone
 * (Math.random is never used). sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator) passes
 * PractRand at the sizes used here and is four 32-bit words of state; seeds are spread with
 * splitmix32 so that neighbouring seeds (world 1, world 2, …) give unrelated streams.
 */

/** splitmix32: a 32-bit mixing step, used to derive independent seeds from (seed, labels…). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** A 32-bit seed derived from a root seed and a path of labels (strings or integers). */
export function deriveSeed(root: number, ...path: readonly (string | number)[]): number {
  let h = splitmix32(root >>> 0)
  for (const part of path) {
    const text = String(part)
    for (let i = 0; i < text.length; i++) h = splitmix32(h ^ text.charCodeAt(i))
    h = splitmix32(h ^ 0x2f) // a separator, so ("ab","c") and ("a","bc") differ
  }
  return h
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = splitmix32(seed)
    this.b = splitmix32(this.a)
    this.c = splitmix32(this.b)
    this.d = 1
    // The first outputs of sfc32 are correlated with the seed; discard them.
    for (let i = 0; i < 12; i++) this.nextUint32()
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** Uniform on a log scale between lo and hi (both > 0). */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)))
  }

  /** An integer in 0..n−1. */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Standard normal (Box–Muller; one of the pair is dropped to keep the stream simple). */
  normal(): number {
    const u = 1 - this.next() // (0, 1]: ln u is finite
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
}
