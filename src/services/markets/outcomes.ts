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
 * A label matches exactly, as the market shows it: `"yes "` and `"yes"` are not YES. Loose
 * matching once took a stray blank for YES; a client that names an outcome wrongly should hear
 * so, with the labels to choose from, not trade by luck.
 */
export function resolveOutcome(outcomes: readonly OutcomeRow[], ref: string | number): OutcomeRow {
  let found: OutcomeRow | undefined
  if (typeof ref === 'number') found = outcomes[ref]
  else if (/^\d{1,2}$/.test(ref)) found = outcomes[Number(ref)]
  else if (isUuid(ref)) found = outcomes.find((o) => o.id === ref.toLowerCase())
  else found = outcomes.find((o) => o.label === ref)
  if (!found) throw unknownOutcome(ref, outcomes)
  return found
}
