import type { Clock } from '../../src/domain/clock.js'

/** A clock the test moves: trades, deadlines and token lifetimes all read it. */
export class TestClock implements Clock {
  constructor(public current: Date) {}
  now() {
    return new Date(this.current)
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}
