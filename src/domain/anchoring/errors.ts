/**
 * Errors of the anchoring core. The module is pure, so it knows nothing of HTTP: a caller maps a
 * `code` to what it means where it stands (a malformed proof document from a user is a 4xx, a
 * posting from our own database that does not fit a leaf is a bug). Codes are stable identifiers
 * that other layers match on: never rename one.
 */
export const AnchoringErrorCode = {
  /** A felt is not canonical lowercase `0x` hex, or is ≥ the field prime P. */
  InvalidFelt: 'invalid_felt',
  /** An integer field is not a canonical decimal, is negative where unsigned, or exceeds its width. */
  InvalidInteger: 'invalid_integer',
  /** A UUID is not the canonical lowercase 8-4-4-4-12 form (or is the nil UUID where one is required). */
  InvalidUuid: 'invalid_uuid',
  /** A value cannot be written as canonical JSON (undefined, a non-finite number, a cycle, a class instance). */
  InvalidJson: 'invalid_json',
  /** A text field is empty, too long, or not well-formed Unicode. */
  InvalidText: 'invalid_text',
  /** A leaf's plain fields are missing, extra or of the wrong type. */
  InvalidFields: 'invalid_fields',
  /** A Merkle tree or proof request is malformed (no leaves, an index outside the tree). */
  InvalidTree: 'invalid_tree',
} as const

export type AnchoringErrorCode = (typeof AnchoringErrorCode)[keyof typeof AnchoringErrorCode]

export class AnchoringError extends Error {
  override readonly name = 'AnchoringError'
  constructor(
    readonly code: AnchoringErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export function isAnchoringError(value: unknown): value is AnchoringError {
  return value instanceof AnchoringError
}
