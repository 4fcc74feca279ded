/**
 * What makes a password weak. GoTrue reports the reasons (`length`, `characters`, `pwned`);
 * we check length, and that the password is not just one repeated character.
 */
export type WeakPasswordReason = 'length' | 'characters'

export function weakPasswordReasons(password: string, minLength: number): WeakPasswordReason[] {
  const reasons: WeakPasswordReason[] = []
  if ([...password].length < minLength) reasons.push('length')
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the empty password's Set has size 0, so the length check is implied
  if (password.length > 0 && new Set(password).size === 1) reasons.push('characters')
  return reasons
}
