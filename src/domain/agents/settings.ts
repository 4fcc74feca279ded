/**
 * An agent's settings, validated and completed with defaults: what it maximises (its
 * objective), its candidate actions, and the parameters of the decision rule. Pure; the
 * service stores what this returns and every decision market snapshots it.
 */
import { MoneyFormatError, parseAmount } from '../money.js'

export type ObjectiveKind = 'binary' | 'categorical' | 'scalar'

export interface Objective {
  kind: ObjectiveKind
  /** Categorical only: the outcome labels, 2–32. */
  outcomes?: string[]
  /** Categorical only: the utility of each outcome (any finite numbers, not all equal). */
  utilities?: number[]
  /** Scalar only: the range of the measured value, as decimal strings. */
  scalar?: { lo: string; hi: string; unit?: string }
  /** How the outcome is measured, for traders to read. */
  measurement: string
}

export interface ActionSpec {
  label: string
  description: string
}

export interface DecisionRuleSettings {
  /** The best branch must beat the default's score by this much (1 bp = 0.0001 of the score range). */
  threshold_bps: number
  /** Distinct traders across all branches below which the default is taken. */
  min_traders: number
  /** Total volume (credits, decimal string) below which the default is taken. */
  min_volume: string
  /** One TWAP observation per interval. */
  twap_interval_seconds: number
  /** The window the TWAP averages, ending at decide_at; null = from the market's opening. */
  twap_window_seconds: number | null
  /** How far one observation may move from the last, in bp of the score range. */
  twap_max_step_bps: number
  /** Whether the owner (or an admin) may decide before decide_at. */
  allow_early_decision: boolean
}

export const DEFAULT_RULE: DecisionRuleSettings = {
  threshold_bps: 200,
  min_traders: 7,
  min_volume: '10',
  twap_interval_seconds: 60,
  twap_window_seconds: null,
  twap_max_step_bps: 100,
  allow_early_decision: false,
}

export const MIN_ACTIONS = 2
export const MAX_ACTIONS = 16

export interface SettingsProblem {
  field: string
  message: string
}

export class SettingsError extends Error {
  constructor(readonly problems: SettingsProblem[]) {
    super(problems.map((p) => `${p.field} ${p.message}`).join('; '))
    this.name = 'SettingsError'
  }
}

export function completeRule(
  partial: Partial<DecisionRuleSettings> | undefined,
  at = '/body/decision_rule',
): DecisionRuleSettings {
  const rule = { ...DEFAULT_RULE, ...(partial ?? {}) }
  const problems: SettingsProblem[] = []
  const intIn = (name: keyof DecisionRuleSettings, min: number, max: number) => {
    const value = rule[name]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push({ field: `${at}/${name}`, message: `must be an integer in ${min}..${max}` })
    }
  }
  intIn('threshold_bps', 0, 10_000)
  intIn('min_traders', 0, 1_000_000)
  intIn('twap_interval_seconds', 1, 86_400)
  intIn('twap_max_step_bps', 1, 10_000)
  if (rule.twap_window_seconds !== null) intIn('twap_window_seconds', 1, 366 * 86_400)
  // The one amount parser decides the form (no leading zeros, at most 6 decimals); the length
  // bound keeps it within what the API accepts elsewhere for credits.
  if (!/^\d{1,12}(\.\d{1,6})?$/.test(rule.min_volume) || !isAmount(rule.min_volume)) {
    problems.push({ field: `${at}/min_volume`, message: 'must be a decimal amount of credits' })
  }
  if (problems.length > 0) throw new SettingsError(problems)
  return rule
}

function isAmount(text: string): boolean {
  try {
    parseAmount(text)
    return true
  } catch (error) {
    if (error instanceof MoneyFormatError) return false
    throw error
  }
}

export function validateObjective(objective: Objective, at = '/body/objective'): Objective {
  const problems: SettingsProblem[] = []
  const { kind } = objective
  if (kind === 'categorical') {
    const outcomes = objective.outcomes ?? []
    const utilities = objective.utilities ?? []
    if (outcomes.length < 2 || outcomes.length > 32) {
      problems.push({ field: `${at}/outcomes`, message: 'must list 2–32 outcomes' })
    }
    if (utilities.length !== outcomes.length) {
      problems.push({ field: `${at}/utilities`, message: 'must give one utility per outcome' })
    } else if (utilities.some((u) => !Number.isFinite(u))) {
      problems.push({ field: `${at}/utilities`, message: 'must be finite numbers' })
    } else if (new Set(utilities).size < 2) {
      problems.push({ field: `${at}/utilities`, message: 'must not all be equal (nothing to maximise)' })
    }
  } else {
    if (objective.outcomes !== undefined) {
      problems.push({ field: `${at}/outcomes`, message: `is fixed for ${kind} objectives; omit it` })
    }
    if (objective.utilities !== undefined) {
      problems.push({ field: `${at}/utilities`, message: `is only for categorical objectives` })
    }
  }
  if (kind === 'scalar' && !objective.scalar) {
    problems.push({ field: `${at}/scalar`, message: 'is required for scalar objectives' })
  }
  if (kind !== 'scalar' && objective.scalar) {
    problems.push({ field: `${at}/scalar`, message: 'is only for scalar objectives' })
  }
  if (problems.length > 0) throw new SettingsError(problems)
  return objective
}

/**
 * The candidate actions of a decision, in the order given, with the default among them (added
 * first when missing); labels unique without regard to case; 2–16 in all.
 */
export function decisionActions(
  defaultAction: string,
  actions: readonly ActionSpec[],
  at = '/body/actions',
): { actions: ActionSpec[]; defaultIndex: number } {
  const all: ActionSpec[] = []
  const seen = new Set<string>()
  const defaultKey = defaultAction.trim().toLowerCase()
  if (!actions.some((a) => a.label.trim().toLowerCase() === defaultKey)) {
    all.push({ label: defaultAction.trim(), description: '' })
    seen.add(defaultKey)
  }
  for (const action of actions) {
    const label = action.label.trim()
    const key = label.toLowerCase()
    if (!label) throw new SettingsError([{ field: at, message: 'action labels must not be blank' }])
    if (seen.has(key)) throw new SettingsError([{ field: at, message: `repeats the action '${label}'` }])
    seen.add(key)
    all.push({ label, description: action.description.trim() })
  }
  if (all.length < MIN_ACTIONS || all.length > MAX_ACTIONS) {
    throw new SettingsError([
      {
        field: at,
        message: `a decision needs ${MIN_ACTIONS}–${MAX_ACTIONS} distinct actions including the default; got ${all.length}`,
      },
    ])
  }
  return { actions: all, defaultIndex: all.findIndex((a) => a.label.toLowerCase() === defaultKey) }
}
