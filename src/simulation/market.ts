/**
 * One simulated decision market, traded through the product's own pure modules: every branch is
 * an LMSR branch (domain/market-maker), every trade goes through the trade engine's `quote`
 * (fees, rounding, cash checks), and the price path each branch leaves is what the lagging TWAP
 * (domain/decision-rule) reads. Nothing here re-implements pricing or money: the floats below
 * are only the traders' strategy (how far to move a price), and the engine says what it costs.
 *
 * Traders are Kelly bettors: at each visit a trader buys, in each branch, the YES or NO shares
 * that maximise its expected log wealth given its belief and what it already holds in that
 * branch. With LMSR, Kelly bettors' prices converge to a wealth-weighted average of beliefs
 * (Beygelzimer, Langford & Pennock, "Learning performance of prediction markets with Kelly
 * bettors", 2012), so the market aggregates, but only as well as the money behind the beliefs.
 *
 * An optional manipulator wants one action chosen and keeps pushing that branch's YES price to
 * the level the decision needs (see `manipulatorTarget`); each push alerts the honest traders,
 * who come back after their own reaction time and trade on their beliefs again.
 */
import { binaryScore, laggingTwap, type ScoreChange } from '../domain/decision-rule/index.js'
import { type BranchState, liquidity, prices } from '../domain/market-maker/index.js'
import { MICRO } from '../domain/money.js'
import { quote, type TradeRequest } from '../domain/trading/index.js'
import type { World } from './world.js'

/** The product's trade limits (TRADE_MIN_CREDITS, TRADE_MAX_CREDITS defaults). */
const MIN_TRADE = MICRO / 100n
const MAX_TRADE = 100_000n * MICRO
/** A trader does not trade for less expected edge than this (the fee and a little more). */
const MIN_EDGE = 0.01
/** Highest price a manipulator pushes to. */
const MAX_PUSH = 0.995
/** A manipulator re-checks its branch at least this often while attacking. */
const MANIPULATOR_CHECK_MS = 30 * 60_000

/** How a choice rule turns the market into a decision; the manipulator aims at it. */
export type AttackRule = 'last' | 'twap' | 'product'

export interface TwapSettings {
  intervalMs: number
  /** null: from the opening. */
  windowMs: number | null
  maxStepBps: number
}

export interface Manipulator {
  /** The action it wants chosen. */
  target: number
  budgetCredits: number
  /** When it starts pushing, ms after the opening. */
  startMs: number
  rule: AttackRule
  /** The product rule's threshold it has to clear over the default branch. */
  thresholdBps: number
  defaultBranch: number
  twap: TwapSettings
}

export interface BranchRun {
  changes: ScoreChange[]
  /** P(YES) at decide_at. */
  finalPrice: number
  /** Micro-credits exchanged with the market maker (costs + proceeds). */
  volume: bigint
  traders: number
}

export interface MarketRun {
  branches: BranchRun[]
  distinctTraders: number
  trades: number
  /** Micro-credits the manipulator spent (0 without one). */
  manipulatorSpent: bigint
}

interface Account {
  cash: bigint
  yes: bigint
  no: bigint
}

interface SimBranch {
  state: BranchState
  changes: ScoreChange[]
  volume: bigint
  traders: Set<number>
}

type SimEvent = { atMs: number; seq: number } & ({ kind: 'visit'; trader: number } | { kind: 'manipulate' })

/** A binary min-heap on (atMs, seq): events at one time run in the order they were scheduled. */
class EventQueue {
  private readonly heap: SimEvent[] = []
  private seq = 0
  push(event: { atMs: number } & ({ kind: 'visit'; trader: number } | { kind: 'manipulate' })): void {
    const h = this.heap
    h.push({ ...event, seq: this.seq++ } as SimEvent)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i] as SimEvent, h[parent] as SimEvent)) break
      ;[h[i], h[parent]] = [h[parent] as SimEvent, h[i] as SimEvent]
      i = parent
    }
  }
  pop(): SimEvent | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l] as SimEvent, h[m] as SimEvent)) m = l
        if (r < h.length && before(h[r] as SimEvent, h[m] as SimEvent)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m] as SimEvent, h[i] as SimEvent]
        i = m
      }
    }
    return top
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
}

const logit = (p: number) => Math.log(p / (1 - p))

/**
 * The price a Kelly bettor moves an outcome to: it holds `own` shares of this outcome and
 * `other` of the other, has `cash` to spend, and believes the outcome has probability `belief`
 * (> p, the current price). Buying to price p' costs c = b·ln((1−p)/(1−p')) and gives
 * x = b·(logit p' − logit p) shares; the bettor maximises
 *   belief·ln(cash − c + own + x) + (1 − belief)·ln(cash − c + other),
 * which is concave along p', by golden-section search. Floats: a strategy, not money.
 */
function kellyPrice(p: number, belief: number, b: number, cash: number, own: number, other: number): number {
  const hi = Math.min(belief, 1 - (1 - p) * Math.exp((-0.98 * cash) / b))
  if (!(hi > p)) return p
  const utility = (q: number) => {
    const c = b * Math.log((1 - p) / (1 - q))
    const x = b * (logit(q) - logit(p))
    return belief * Math.log(cash - c + own + x) + (1 - belief) * Math.log(cash - c + other)
  }
  const g = (Math.sqrt(5) - 1) / 2
  let lo = p
  let up = hi
  for (let i = 0; i < 40; i++) {
    const m1 = up - g * (up - lo)
    const m2 = lo + g * (up - lo)
    if (utility(m1) < utility(m2)) lo = m1
    else up = m2
  }
  return (lo + up) / 2
}

export function simulateMarket(world: World, manipulator?: Manipulator): MarketRun {
  const { config, traders, durationMs } = world
  const subsidy = BigInt(Math.round(config.liquidity * 1_000_000))
  const branches: SimBranch[] = world.truth.map(() => ({
    state: { q: [0n, 0n], subsidy },
    changes: [],
    volume: 0n,
    traders: new Set<number>(),
  }))
  const perBranchCash = (credits: number) => BigInt(Math.floor((credits * 1_000_000) / world.truth.length))
  const accounts: Account[][] = traders.map((t) =>
    world.truth.map(() => ({ cash: perBranchCash(t.budgetCredits), yes: 0n, no: 0n })),
  )
  const manipulatorId = traders.length
  const manipulatorAccount: Account = {
    cash: BigInt(Math.floor((manipulator?.budgetCredits ?? 0) * 1_000_000)),
    yes: 0n,
    no: 0n,
  }
  let trades = 0

  /** Buys outcome 0 (YES) or 1 (NO) through the engine: 'filled', or the engine's rejection code. */
  const buy = (
    k: number,
    trader: number,
    account: Account,
    outcome: number,
    request: Partial<TradeRequest>,
    atMs: number,
  ) => {
    const branch = branches[k] as SimBranch
    const result = quote(branch.state, {
      outcome,
      side: 'buy',
      feeBps: config.feeBps,
      cash: account.cash,
      held: outcome === 0 ? account.yes : account.no,
      minAmount: MIN_TRADE,
      maxAmount: MAX_TRADE,
      ...request,
    })
    if (!result.ok) return result.code
    branch.state = { q: result.newQ, subsidy }
    account.cash += result.cashDelta
    if (outcome === 0) account.yes += result.sharesDelta
    else account.no += result.sharesDelta
    branch.volume += result.cost + result.proceeds
    branch.traders.add(trader)
    branch.changes.push({ atMs, score: binaryScore(result.pricesAfter) })
    trades++
    return 'filled'
  }

  const honestTrade = (k: number, traderIndex: number, atMs: number) => {
    const branch = branches[k] as SimBranch
    const account = (accounts[traderIndex] as Account[])[k] as Account
    const belief = (traders[traderIndex] as World['traders'][number]).beliefs[k] as number
    // Prices a manipulator pushed to the edge round to 0 or 1 in floats; the strategy's logits
    // need them inside (0, 1).
    const p = Math.min(1 - 1e-9, Math.max(1e-9, prices(branch.state)[0] as number))
    const b = liquidity(branch.state)
    const yes = belief > p
    const edge = Math.abs(belief - p)
    if (edge < MIN_EDGE) return
    const [pOwn, bOwn, own, other] = yes
      ? [p, belief, Number(account.yes), Number(account.no)]
      : [1 - p, 1 - belief, Number(account.no), Number(account.yes)]
    const target = kellyPrice(pOwn, bOwn, b, Number(account.cash), own, other)
    const shares = BigInt(Math.floor(b * (logit(target) - logit(pOwn))))
    if (shares <= 0n) return
    buy(k, traderIndex, account, yes ? 0 : 1, { shares, maxCost: account.cash }, atMs)
  }

  const queue = new EventQueue()
  traders.forEach((t, i) => {
    for (const atMs of t.visitTimesMs) queue.push({ kind: 'visit', trader: i, atMs })
  })
  const pendingResponse = new Set<number>()
  const attacking = (atMs: number) => manipulator !== undefined && atMs >= manipulator.startMs
  if (manipulator) {
    for (let at = manipulator.startMs; at <= durationMs; at += MANIPULATOR_CHECK_MS) {
      queue.push({ kind: 'manipulate', atMs: at })
    }
  }

  const manipulate = (atMs: number) => {
    if (!manipulator || manipulatorAccount.cash < MIN_TRADE) return
    const k = manipulator.target
    const branch = branches[k] as SimBranch
    const p = prices(branch.state)[0] as number
    const level = manipulatorTarget(manipulator, branches, atMs, durationMs)
    if (!(level > p)) return
    const b = liquidity(branch.state)
    const shares = BigInt(Math.floor(b * (logit(level) - logit(p))))
    if (shares <= 0n) return
    let done = buy(k, manipulatorId, manipulatorAccount, 0, { shares }, atMs)
    // Short of the level's cost: it spends what is left, which moves the price less far.
    if (done === 'insufficient_cash') {
      done = buy(k, manipulatorId, manipulatorAccount, 0, { amount: manipulatorAccount.cash }, atMs)
    }
    if (done !== 'filled') return
    // Every push is visible: each honest trader not already on its way comes back after its
    // reaction time, if that is before the decision.
    traders.forEach((t, i) => {
      const at = atMs + t.reactionMs
      if (at <= durationMs && !pendingResponse.has(i)) {
        pendingResponse.add(i)
        queue.push({ kind: 'visit', trader: i, atMs: at })
      }
    })
  }

  for (let event = queue.pop(); event !== undefined; event = queue.pop()) {
    if (event.kind === 'manipulate') {
      manipulate(event.atMs)
      continue
    }
    const i = event.trader
    pendingResponse.delete(i)
    const beliefs = (traders[i] as World['traders'][number]).beliefs
    // The branches where the trader disagrees most with the price come first.
    const order = beliefs
      .map((belief, k) => ({
        k,
        gap: Math.abs(belief - (prices((branches[k] as SimBranch).state)[0] as number)),
      }))
      .sort((a, b) => b.gap - a.gap || a.k - b.k)
    for (const { k } of order) honestTrade(k, i, event.atMs)
    // The manipulator's bot answers an honest trade within a second.
    if (attacking(event.atMs) && event.atMs + 1000 <= durationMs) {
      queue.push({ kind: 'manipulate', atMs: event.atMs + 1000 })
    }
  }

  const all = new Set<number>()
  for (const b of branches) for (const t of b.traders) all.add(t)
  return {
    branches: branches.map((b) => ({
      changes: b.changes,
      finalPrice: prices(b.state)[0] as number,
      volume: b.volume,
      traders: b.traders.size,
    })),
    distinctTraders: all.size,
    trades,
    manipulatorSpent:
      BigInt(Math.floor((manipulator?.budgetCredits ?? 0) * 1_000_000)) - manipulatorAccount.cash,
  }
}

/** The TWAP settings as the product's laggingTwap takes them, up to `endMs`. */
export function twapInputFor(
  changes: readonly ScoreChange[],
  twap: TwapSettings,
  endMs: number,
  plain = false,
) {
  return {
    changes,
    openingScore: 0.5,
    openedAtMs: 0,
    intervalMs: twap.intervalMs,
    maxStep: plain ? Number.POSITIVE_INFINITY : twap.maxStepBps / 10_000,
    windowStartMs: twap.windowMs === null ? 0 : Math.max(0, endMs - twap.windowMs),
    windowEndMs: endMs,
  }
}

/**
 * The YES price the manipulator pushes its branch to now. For the last-price rule: just above
 * the best other branch. For a TWAP rule: the constant level that, held from now to decide_at
 * while every other branch stays at its current price, lifts its TWAP above every other's (and
 * above the default's by the threshold, under the product's rule), plus the ground the lag
 * loses while the observation climbs to that level (≈ (level − observation)² / (2·step) per
 * step). Re-evaluated at every push, so it adapts to the honest traders' answers.
 */
function manipulatorTarget(
  m: Manipulator,
  branches: readonly SimBranch[],
  atMs: number,
  endMs: number,
): number {
  const spot = branches.map((b) => prices(b.state)[0] as number)
  const margin = 0.005
  const threshold = m.rule === 'product' ? m.thresholdBps / 10_000 : 0
  const needOver = (j: number) => (j === m.defaultBranch ? threshold : 0)
  if (m.rule === 'last') {
    let level = 0
    spot.forEach((p, j) => {
      if (j !== m.target) level = Math.max(level, p + needOver(j) + margin)
    })
    return Math.min(MAX_PUSH, level)
  }
  const plain = m.rule === 'twap'
  const windowStart = m.twap.windowMs === null ? 0 : Math.max(0, endMs - m.twap.windowMs)
  const lastIndex = Math.floor(endMs / m.twap.intervalMs)
  const firstIndex = Math.ceil(windowStart / m.twap.intervalMs)
  const total = lastIndex - firstIndex + 1
  const nowIndex = Math.floor(atMs / m.twap.intervalMs)
  const remaining = lastIndex - nowIndex
  if (remaining <= 0) return 0
  const soFar = branches.map((b) => {
    if (nowIndex < firstIndex) return { sum: 0, last: 0.5 }
    const t = laggingTwap({
      ...twapInputFor(b.changes, m.twap, nowIndex * m.twap.intervalMs, plain),
      windowStartMs: windowStart,
    })
    return { sum: t.twap * t.observationCount, last: t.lastObservation }
  })
  const own = soFar[m.target] as { sum: number; last: number }
  let level = 0
  spot.forEach((p, j) => {
    if (j === m.target) return
    const other = soFar[j] as { sum: number; last: number }
    level = Math.max(level, p + (other.sum - own.sum + (needOver(j) + margin) * total) / remaining)
  })
  if (!plain) {
    const step = m.twap.maxStepBps / 10_000
    let lagged = level
    for (let i = 0; i < 3; i++) {
      const climb = Math.max(0, lagged - own.last)
      lagged = level + (climb * climb) / (2 * step) / remaining
    }
    level = lagged
  }
  return Math.min(MAX_PUSH, level)
}
