/**
 * Poseidon over felts, range-checked: Starknet's `poseidon_hash_span` (the Hades permutation of
 * width 3, rate 2, capacity 1; absorb 2 elements into state[0..1] and permute, after padding with
 * 1 then 0 to an even length; the hash is state[0]). It reduces an input ≥ P modulo P without a
 * word, so each input is checked first.
 *
 * Written here rather than called from starknet.js (`hash.computePoseidonHashOnElements`, i.e.
 * @scure/starknet's `poseidonHashMany` over @noble/curves' generic Poseidon) because that one
 * cost 100–150 µs a permutation here, and a batch of n leaves is ~9n permutations: a 10,000-posting
 * batch took 13–14 s and the anchoring fell behind ~1,000 trades/s. This one costs ~50 µs, most of
 * it the 107 cubes (~0.3 µs each as bigints): a faster one needs field arithmetic without bigint. The generic code reduces modulo P after
 * every addition and product, maps arrays in every round, and adds three round constants and
 * cubes through field-object calls even in the 83 rounds that cube one element. Here:
 * - bigint locals only, one `%` per cube (x·x·x, then `%`); the MDS rows are additions and shifts
 *   with no reduction at all, since a representative may be any integer congruent mod P (and
 *   negative: JavaScript's `%` keeps the dividend's sign, which is still congruent);
 * - in the partial rounds, state[0] and state[1] are only added to, so they are carried as their
 *   sum and difference (fewer operations a round, see `partialRounds`) and reduced every 8 rounds
 *   instead of every round;
 * - the partial rounds' round constants of state[0] and state[1] are pushed forward through the
 *   linear layer at module load (see `roundKeys`), leaving one addition per partial round.
 * The result is the same function (tests compare it with starknet.js on fixed vectors and random
 * inputs); bench/README.md has the figures.
 */
import { createHash } from 'node:crypto'
import { assertFelt, FIELD_PRIME } from './field.js'

const P = FIELD_PRIME

/** Starknet's Poseidon: 8 full rounds (4 before, 4 after) around 83 partial rounds. */
const HALF_FULL_ROUNDS = 4
const PARTIAL_ROUNDS = 83
const ROUNDS = 2 * HALF_FULL_ROUNDS + PARTIAL_ROUNDS

/** x mod P in [0, P), for any integer x (JavaScript's `%` keeps the sign of x). Not hot. */
function canonical(x: bigint): bigint {
  return ((x % P) + P) % P
}

/**
 * Round constant j of round r, as @scure/starknet derives it (`poseidonRoundConstant`):
 * SHA-256 of the ASCII text `Hades${3r + j}`, read big-endian, reduced mod P. Derived here with
 * node:crypto rather than imported, so that this module depends on no Starknet library.
 */
function hadesConstant(index: number): bigint {
  return canonical(BigInt(`0x${createHash('sha256').update(`Hades${index}`).digest('hex')}`))
}

/**
 * The round keys in the order `permute` reads them: 3 a full round, 1 a partial round.
 *
 * A partial round is s ← M·S(s + c) where S cubes s[2] only, so the constants c[0], c[1] pass
 * through S unchanged: M·S(s + c) = M·S(s + (0, 0, c[2])) + M·(c[0], c[1], 0). That last vector is
 * added to the next round's constants instead, and so on to the first full round after the
 * partial ones, which absorbs what is left. Exact in the field, so the permutation is unchanged.
 */
function roundKeys(): bigint[] {
  let carry0 = 0n
  let carry1 = 0n
  let carry2 = 0n
  const keysOf = (round: number): bigint[] => {
    const c0 = canonical(hadesConstant(3 * round) + carry0)
    const c1 = canonical(hadesConstant(3 * round + 1) + carry1)
    const c2 = canonical(hadesConstant(3 * round + 2) + carry2)
    if (isPartial(round)) {
      // M·(c0, c1, 0) with M = [[3, 1, 1], [1, -1, 1], [1, 1, -2]].
      carry0 = 3n * c0 + c1
      carry1 = c0 - c1
      carry2 = c0 + c1
      return [c2]
    }
    carry0 = 0n
    carry1 = 0n
    carry2 = 0n
    return [c0, c1, c2]
  }
  // In round order: each round's keys take the carry of the rounds before it.
  return Array.from({ length: ROUNDS }, (_, round) => keysOf(round)).flat()
}

/** Rounds 4 to 86 are partial (only the last element is cubed). */
function isPartial(round: number): boolean {
  return round >= HALF_FULL_ROUNDS && round < HALF_FULL_ROUNDS + PARTIAL_ROUNDS
}

const ROUND_KEYS = roundKeys()

/**
 * The sponge's state between permutations: any integers congruent mod P to the true state.
 * Module-level so that a permutation allocates nothing but bigints; `poseidon` is synchronous
 * and resets it first, so no call can see another's.
 */
let state0 = 0n
let state1 = 0n
let state2 = 0n

/** Where the round keys of each part of the permutation start in ROUND_KEYS. */
const PARTIAL_KEYS = 3 * HALF_FULL_ROUNDS
const LAST_FULL_KEYS = PARTIAL_KEYS + PARTIAL_ROUNDS

/** 1/2 mod P, to recover s0 and s1 from their sum and difference. */
const HALF = (P + 1n) / 2n

/** The Hades permutation on (state0, state1, state2), in place. */
function permute(): void {
  fullRounds(0)
  partialRounds()
  fullRounds(LAST_FULL_KEYS)
}

/**
 * Four full rounds: add the keys, cube all three elements, multiply by
 * M = [[3, 1, 1], [1, -1, 1], [1, 1, -2]], i.e. t = s0 + s1 + s2 and (t + 2·s0, t − 2·s1, t − 3·s2).
 */
function fullRounds(firstKey: number): void {
  let s0 = state0
  let s1 = state1
  let s2 = state2
  for (let k = firstKey; k < firstKey + PARTIAL_KEYS; k += 3) {
    s0 += ROUND_KEYS[k] as bigint
    s1 += ROUND_KEYS[k + 1] as bigint
    s2 += ROUND_KEYS[k + 2] as bigint
    s0 = (s0 * s0 * s0) % P
    s1 = (s1 * s1 * s1) % P
    s2 = (s2 * s2 * s2) % P
    const t = s0 + s1 + s2
    s0 = t + (s0 << 1n)
    s1 = t - (s1 << 1n)
    s2 = t - 3n * s2
  }
  state0 = s0
  state1 = s1
  state2 = s2
}

/**
 * The 83 partial rounds: add the key to s2 and cube it (the last element: noble's
 * `reversePartialPowIdx`), then M. Here s0 and s1 enter only through a = s0 + s1 and
 * d = s0 − s1, and with y the cube M gives s2' = a − 2y, a' = 2(a + y + d), d' = 2a: five bigint
 * operations a round besides the cube instead of eight (the cube, ~0.3 µs, is most of a round).
 */
function partialRounds(): void {
  let a = state0 + state1
  let d = state0 - state1
  let s2 = state2
  for (let round = 0; round < PARTIAL_ROUNDS; round++) {
    s2 += ROUND_KEYS[PARTIAL_KEYS + round] as bigint
    const y = (s2 * s2 * s2) % P
    s2 = a - (y << 1n)
    const next = (a + y + d) << 1n
    d = a << 1n
    a = next
    // Keeps a and d (which grow ~2 bits a round) near 270 bits, so that the cube of s2 (which
    // adds them in) stays cheap. How often changes only the speed, never the value.
    // Stryker disable next-line all: equivalent; any reduction schedule (or none) gives the same hash.
    if ((round & 7) === 7) {
      // Stryker disable next-line all: equivalent, as above.
      a %= P
      // Stryker disable next-line all: equivalent, as above.
      d %= P
    }
  }
  state0 = ((a + d) * HALF) % P
  state1 = ((a - d) * HALF) % P
  state2 = s2
}

/** poseidon_hash_span(elements) as Cairo computes it, refusing any element outside [0, P). */
export function poseidon(elements: readonly bigint[]): bigint {
  for (const [i, element] of elements.entries()) assertFelt(element, `poseidon input ${i}`)
  state0 = 0n
  state1 = 0n
  state2 = 0n
  const count = elements.length
  let i = 0
  for (; i + 1 < count; i += 2) {
    state0 += elements[i] as bigint
    state1 += elements[i + 1] as bigint
    permute()
  }
  // The padding: a 1 after the last element, then 0 up to the rate.
  if (i < count) {
    state0 += elements[i] as bigint
    state1 += 1n
  } else {
    state0 += 1n
  }
  permute()
  return canonical(state0)
}
