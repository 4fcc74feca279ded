/** Outcomes as requests name them: by index, id or label. */
import { type AppError, ErrorCode, errors } from '../../errors/codes.js'
import { isUuid, type OutcomeRow } from './repository.js'

function unknownOutcome(ref: string | number, outcomes: readonly OutcomeRow[]): AppError {
  return errors.unprocessable(
    ErrorCode.UnknownOutcome,
    'Unknown outcome',
    `This market has no outcome ${JSON.stringify(ref)}; its outcomes are ${outcomes
      .map((o) => `${o.index} '${o.label}'`)
      .join(', ')}`,
  )
}

/**
 * An outcome named by index, label or id; a 422 listing the outcomes when it does not exist.
 * A label matches exactly, up to case: `"yes"` is YES (labels of a market are unique up to
 * case, market_outcomes_label_idx, so this is never ambiguous), `"yes "` is not (it was taken
 * for YES; a client with a stray blank should hear about it, not trade by luck).
 */
export function resolveOutcome(outcomes: readonly OutcomeRow[], ref: string | number): OutcomeRow {
  let found: OutcomeRow | undefined
  if (typeof ref === 'number') found = outcomes[ref]
  else if (/^\d{1,2}$/.test(ref)) found = outcomes[Number(ref)]
  else if (isUuid(ref)) found = outcomes.find((o) => o.id === ref.toLowerCase())
  else found = outcomes.find((o) => o.label.toLowerCase() === ref.toLowerCase())
  if (!found) throw unknownOutcome(ref, outcomes)
  return found
}
