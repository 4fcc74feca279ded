import { describe, expect, test } from 'vitest'
import { completeRule } from '../../src/domain/agents/settings.js'
import { minVolumeOf } from '../../src/services/decisions/scores.js'

describe("a stored decision rule's min_volume", () => {
  test('stored with leading zeros before amounts had one form, it still decides', () => {
    expect(minVolumeOf(completeRule({}))).toBe(10_000_000n)
    expect(minVolumeOf({ ...completeRule({}), min_volume: '010' })).toBe(10_000_000n)
    expect(minVolumeOf({ ...completeRule({}), min_volume: '00.5' })).toBe(500_000n)
  })
})
