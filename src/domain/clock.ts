/**
 * Time, injected: the domain and the services read "now" from a Clock they are handed, never
 * from the wall clock, so tests can fix it and move it (test/helpers/clock.ts).
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
