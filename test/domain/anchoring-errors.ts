import { isAnchoringError } from '../../src/domain/anchoring/index.js'

/** The code of the AnchoringError `run` throws; fails the test if it throws nothing or something else. */
export function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (isAnchoringError(error)) return error.code
    throw error
  }
  throw new Error('expected an AnchoringError')
}
